"""The GUI's import process plans what the importer plans: changes, counts, errors, cancels."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.services.import_samples import NOW, assert_no_canary, bundle, dump, run, visit, write
from tests.services.test_importer import _malformed
from vmadesk.ingest import IngestCancelled, IngestError
from vmadesk.ingest.samples import make_csv, make_fhir_bundle
from vmadesk.services import import_offload, importer
from vmadesk.services.import_plan import ImportPlan
from vmadesk.store.profile import UnlockedProfile

#: The samples start on 2026-03-09.
SAMPLE_NOW = datetime(2026, 3, 8, 12, tzinfo=UTC)


def _in_process(profile: UnlockedProfile, path: Path, now: datetime, **kw: Any) -> ImportPlan:
    conn = profile.conn
    ctx = importer.resolve_practice(conn)
    batch, remember = importer.read_for_practice(conn, path, practice=ctx, **kw)
    return importer.plan_import(
        conn,
        batch,
        practice_id=ctx.id,
        vma="ana.r",
        now=now,
        mapping=remember,
        mapping_key=importer.mapping_key(path) if remember is not None else None,
    )


def _offloaded(profile: UnlockedProfile, path: Path, now: datetime, **kw: Any) -> ImportPlan:
    conn = profile.conn
    ctx = importer.resolve_practice(conn)
    return import_offload.read_and_plan(conn, path, practice=ctx, vma="ana.r", now=now, **kw)


def _import_processes() -> set[Any]:
    return {c for c in multiprocessing.active_children() if c.name == "vmadesk-import"}


@pytest.fixture(autouse=True)
def _no_import_process_left() -> Iterator[None]:
    """Every import process a test starts has ended by its end: none is left behind."""
    before = _import_processes()
    yield
    started = _import_processes() - before
    for child in started:
        child.join(timeout=30)
    assert not any(child.is_alive() for child in started)


def _same(ours: ImportPlan, theirs: ImportPlan) -> None:
    assert ours.changes == theirs.changes
    assert ours.summary() == theirs.summary()
    assert ours.skipped_reasons == theirs.skipped_reasons
    assert ours.missing_ids == theirs.missing_ids
    assert ours.store_mark == theirs.store_mark
    assert ours.batch.warnings == theirs.batch.warnings
    assert (ours.batch.source_system, ours.batch.kind, ours.batch.full_export) == (
        theirs.batch.source_system,
        theirs.batch.kind,
        theirs.batch.full_export,
    )


@pytest.mark.parametrize("kind", ["fhir", "large-fhir", "csv"])
def test_the_import_process_plans_what_the_importer_plans(
    new_profile: UnlockedProfile, tmp_path: Path, kind: str
) -> None:
    if kind == "fhir":
        now = NOW
        first = write(tmp_path / "1.json", bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2")))
        # a2 moves, a1 is cancelled, a3 is new: updates, closes, creates and a reason each
        path = write(
            tmp_path / "2.json",
            bundle(
                *visit("a1", pid="p1", status="cancelled"),
                *visit("a2", pid="p2", start=NOW.replace(day=9)),
                *visit("a3", pid="p3"),
            ),
        )
    elif kind == "large-fhir":  # read by workers the import process forks
        now = SAMPLE_NOW
        first = write(tmp_path / "1.json", make_fhir_bundle(600, seed=4))
        path = write(tmp_path / "2.json", make_fhir_bundle(2500, seed=4))
    else:
        now = SAMPLE_NOW
        first = write(tmp_path / "1.csv", make_csv(300, seed=5))
        path = write(tmp_path / "2.csv", make_csv(400, seed=5))
    run(new_profile, first, now=now)
    ours = _offloaded(new_profile, path, now)
    try:
        theirs = _in_process(new_profile, path, now)
        assert ours.changes and ours.batch.appointments == ()  # the records stayed there
        _same(ours, theirs)
        report = importer.apply_import(new_profile.conn, ours)
        assert report.to_dict() == importer.ImportReport.from_plan(theirs, dry_run=False).to_dict()
    finally:
        ours.release()


def test_the_store_moved_since_the_preview_plans_again_there(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    path = write(tmp_path / "1.json", bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2")))
    plan = _offloaded(new_profile, path, NOW)
    try:
        assert plan.created == 4
        run(new_profile, path)  # the same file, imported meanwhile
        report = importer.apply_import(new_profile.conn, plan)  # stale: planned again
        assert (report.created, report.skipped) == (0, 4)
    finally:
        plan.release()
    assert new_profile.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 4


@pytest.mark.parametrize("case", ["truncated", "bad-date", "binary", "missing-columns", "oversize"])
def test_a_refused_file_is_refused_alike(
    new_profile: UnlockedProfile, tmp_path: Path, case: str
) -> None:
    path, kw = _malformed(tmp_path)[case]
    before = dump(new_profile.conn)
    with pytest.raises(IngestError) as serial:
        _in_process(new_profile, path, NOW, **kw)
    with pytest.raises(IngestError) as offloaded:
        _offloaded(new_profile, path, NOW, **kw)
    theirs, ours = serial.value, offloaded.value
    assert (ours.file, ours.location, ours.field, ours.reason) == (
        theirs.file,
        theirs.location,
        theirs.field,
        theirs.reason,
    )
    assert_no_canary(str(ours))
    assert dump(new_profile.conn) == before


def test_cancel_while_reading_stops_the_import_process(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    path = write(tmp_path / "big.json", make_fhir_bundle(2500, seed=2))
    reports: list[tuple[int, int]] = []
    with pytest.raises(IngestCancelled):
        _offloaded(
            new_profile,
            path,
            SAMPLE_NOW,
            progress=lambda done, total: reports.append((done, total)),
            cancelled=lambda: bool(reports),
        )
    assert reports


def test_release_ends_the_import_process(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    plan = _offloaded(new_profile, write(tmp_path / "1.json", bundle(*visit())), NOW)
    assert any(child.name == "vmadesk-import" for child in multiprocessing.active_children())
    plan.release()
    plan.release()  # idempotent


def test_a_failure_there_crosses_as_its_type_only(tmp_path: Path) -> None:
    secret = "Zyxwvutsky/Quentin"  # in an exception's message, it must not cross
    request = importer.ReadRequest(
        path=write(tmp_path / "1.json", bundle(*visit())),
        fmt="auto",
        region="US",
        practice_tz=secret,
        mapping=None,
        source_system=None,
        max_bytes=1 << 20,
    )
    with pytest.raises(ValueError, match="Zyxwvutsky"):
        request.read()  # in process: the message names the zone
    process = import_offload.ImportProcess()
    try:
        with pytest.raises(import_offload.ImportProcessFailed) as caught:
            process.read(request)
    finally:
        process.close()
    assert caught.value.kind == "ValueError"
    assert "Zyxwvutsky" not in str(caught.value) and "Quentin" not in repr(caught.value.args)
