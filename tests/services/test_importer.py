"""Importer: lanes, idempotence, moves, closes, missing, transactions, PHI-free reports."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.services.import_samples import (
    CANARY,
    FIXTURES,
    NOW,
    appointment,
    assert_no_canary,
    bundle,
    by_lane,
    dump,
    patient,
    run,
    visit,
    write,
)
from vmadesk.domain.vocabulary import HoldReason, Outcome
from vmadesk.ingest import IngestError, read_file
from vmadesk.ingest.csv_mapping import CsvMapping
from vmadesk.ingest.samples import make_csv, make_fhir_bundle
from vmadesk.services import importer
from vmadesk.services.errors import ActionRefused
from vmadesk.services.work import WorkService
from vmadesk.store import history, practices
from vmadesk.store.profile import UnlockedProfile
from vmadesk.store.timestamps import from_db


def test_booked_appointment_makes_confirmation_and_eligibility(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    path = write(tmp_path / "export.json", bundle(*visit()))
    report = run(new_profile, path)
    assert report.to_dict()["created"] == 2
    lanes = by_lane(new_profile.conn, "a1")
    assert set(lanes) == {"confirmation", "eligibility"}
    assert all(v[1] == "requested" for v in lanes.values())
    # Due per policy, before the appointment: confirmation 24 h, eligibility 48 h (business).
    start = NOW + timedelta(days=3)
    assert from_db(lanes["confirmation"][3]) <= start - timedelta(hours=24)
    assert from_db(lanes["eligibility"][3]) <= start - timedelta(hours=48)
    assert lanes["confirmation"][5] == "+12125550142"
    # a default practice was made and its owner is the profile's VMA
    assert [p.code for p in practices.list_practices(new_profile.conn)] == ["default"]
    owners = {r[0] for r in new_profile.conn.execute("SELECT owner FROM items")}
    assert owners == {"ana.r"}


def test_window_and_past(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    doc = bundle(
        *visit("soon", start=NOW + timedelta(days=2), pid="p1"),
        *visit("later", start=NOW + timedelta(days=30), pid="p2"),
        *visit("past", start=NOW - timedelta(days=1), pid="p3"),
        *visit("done", start=NOW + timedelta(days=1), pid="p4", status="fulfilled"),
    )
    report = run(new_profile, write(tmp_path / "e.json", doc))
    assert set(by_lane(new_profile.conn, "soon")) == {"confirmation", "eligibility"}
    assert set(by_lane(new_profile.conn, "later")) == {"eligibility"}
    assert by_lane(new_profile.conn, "past") == {}
    assert by_lane(new_profile.conn, "done") == {}
    # counted in items: later's confirmation (outside the window), past's and done's two each
    assert (report.created, report.skipped) == (3, 5)
    assert report.skipped_reasons == {"outside_window": 1, "past": 2, "fulfilled": 2}


def test_recent_eligibility_completion_suppresses_a_new_check(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    run(new_profile, write(tmp_path / "1.json", bundle(*visit("a1"))))
    work = WorkService(new_profile.conn, vma="ana.r", clock=lambda: NOW)
    elig = by_lane(new_profile.conn, "a1")["eligibility"][0]
    work.record_outcome(
        elig,
        Outcome.COVERAGE_ACTIVE,
        details={"plan": "x", "copay": "1", "deductible_remaining": "0", "reference_number": "r"},
    )
    # A second visit of the same patient, same payer and member id: already verified.
    doc = bundle(*visit("a1"), appointment("a2", start=NOW + timedelta(days=5)))
    run(new_profile, write(tmp_path / "2.json", doc))
    assert set(by_lane(new_profile.conn, "a2")) == {"confirmation"}


# -- idempotence, updates ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fhir", "csv"])
def test_reimport_is_idempotent(new_profile: UnlockedProfile, tmp_path: Path, kind: str) -> None:
    now = datetime(2026, 3, 8, 12, tzinfo=UTC)  # the samples start 2026-03-09
    if kind == "fhir":
        path = write(tmp_path / "s.json", make_fhir_bundle(60, seed=3))
    else:
        path = write(tmp_path / "s.csv", make_csv(60, seed=3))
    first = run(new_profile, path, now=now)
    assert first.created > 0
    before = dump(new_profile.conn)
    second = run(new_profile, path, now=now)
    assert (second.created, second.updated, second.closed) == (0, 0, 0)
    assert second.skipped == 2 * 60  # two lanes per appointment, each skipped
    after = dump(new_profile.conn)
    assert after[0] == before[0]
    assert after[1] == before[1] + 1  # the import itself is audited, nothing else changed


def test_moved_appointment_moves_due_and_reopens_completed_confirmation(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    run(new_profile, write(tmp_path / "1.json", bundle(*visit())))
    conn = new_profile.conn
    work = WorkService(conn, vma="ana.r", clock=lambda: NOW)
    lanes = by_lane(conn, "a1")
    conf_id, elig_id = lanes["confirmation"][0], lanes["eligibility"][0]
    work.record_outcome(conf_id, Outcome.CONFIRMED, identity_verified=True)
    # Eligibility waits on the payer for an hour: its held time must survive the move.
    work.clock = lambda: NOW
    work.hold(elig_id, NOW + timedelta(hours=5), HoldReason.WAITING_ON_PAYER)
    work.clock = lambda: NOW + timedelta(hours=1)
    work.resume(elig_id)
    old = by_lane(conn, "a1")

    moved = NOW + timedelta(days=6)
    report = run(new_profile, write(tmp_path / "2.json", bundle(*visit(start=moved))))
    assert (report.created, report.updated, report.closed) == (0, 2, 0)
    new = by_lane(conn, "a1")
    assert new["confirmation"][1] == "requested"
    assert from_db(new["confirmation"][3]) > from_db(old["confirmation"][3])
    notes = [n.text for n in history.notes_for(conn, conf_id)]
    assert "appointment moved; confirm again" in notes
    # eligibility: due moved, hold time kept
    assert new["eligibility"][6] == 3600
    assert from_db(new["eligibility"][4]) - from_db(new["eligibility"][3]) == timedelta(hours=1)
    assert from_db(new["eligibility"][3]) > from_db(old["eligibility"][3])
    # and re-importing the moved file again changes nothing
    again = run(new_profile, write(tmp_path / "3.json", bundle(*visit(start=moved))))
    assert (again.updated, again.skipped) == (0, 2)


def test_contact_change_updates_open_items(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    run(new_profile, write(tmp_path / "1.json", bundle(*visit())))
    report = run(new_profile, write(tmp_path / "2.json", bundle(*visit(phone="(212) 555-0177"))))
    assert report.updated == 2
    assert {v[5] for v in by_lane(new_profile.conn, "a1").values()} == {"+12125550177"}


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("cancelled", "appointment_cancelled"),
        ("noshow", "appointment_noshow"),
        ("entered-in-error", "entered_in_error"),
    ],
)
def test_cancelled_noshow_eie_close_open_items(
    new_profile: UnlockedProfile, tmp_path: Path, status: str, reason: str
) -> None:
    run(new_profile, write(tmp_path / "1.json", bundle(*visit())))
    report = run(new_profile, write(tmp_path / "2.json", bundle(*visit(status=status))))
    assert (report.closed, report.created) == (2, 0)
    for _, st, why, *_ in by_lane(new_profile.conn, "a1").values():
        assert (st, why) == ("cancelled", reason)
    # booked again: the items closed by the import come back
    report = run(new_profile, write(tmp_path / "3.json", bundle(*visit())))
    assert report.updated == 2
    assert {v[1] for v in by_lane(new_profile.conn, "a1").values()} == {"requested"}


def test_vendor_cancelled_fixture_closes_existing_items(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    fixture = FIXTURES / "cerner-r4-appointment-cancelled.json"
    doc = json.loads(fixture.read_text())
    doc["status"] = "booked"
    booked = write(tmp_path / "booked.json", doc)
    now = datetime(2017, 10, 1, 12, tzinfo=UTC)
    created = run(new_profile, booked, now=now)
    assert created.created == 2
    report = run(new_profile, fixture, now=now)
    assert (report.closed, report.created, report.updated) == (2, 0, 0)
    rows = new_profile.conn.execute("SELECT status, status_reason FROM items").fetchall()
    assert set(rows) == {("cancelled", "appointment_cancelled")}
    # the video-visit fixture (also cancelled, another id) creates nothing
    other = run(new_profile, FIXTURES / "cerner-r4-appointment-video-visit.json", now=now)
    assert (other.created, other.closed, other.skipped) == (0, 0, 2)


def test_missing_from_full_export_is_reported_not_deleted(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    full = bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2"))
    run(new_profile, write(tmp_path / "1.json", full))
    ids_a2 = sorted(v[0] for v in by_lane(new_profile.conn, "a2").values())
    report = run(new_profile, write(tmp_path / "2.json", bundle(*visit("a1", pid="p1"))))
    assert report.missing == 2
    assert list(report.missing_ids) == ids_a2
    assert report.to_dict()["missing_item_ids"] == ids_a2
    assert len(by_lane(new_profile.conn, "a2")) == 2  # still there, still open
    # a transaction bundle is a set of changes, not a full list: nothing is missing
    partial = run(
        new_profile, write(tmp_path / "3.json", bundle(*visit("a1"), btype="transaction"))
    )
    assert partial.missing == 0


def test_callbacks_csv(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    text = (
        "Callback ID,Patient Name,Phone,Reason,Window Start\r\n"
        f'cb1,"{CANARY}, Quentin",(212) 555-0142,Refill question,\r\n'
        f'cb2,"{CANARY}, Ann",(212) 555-0143,Lab results,03/05/2026 09:00\r\n'
    )
    report = run(new_profile, write(tmp_path / "cb.csv", text))
    assert report.created == 2
    rows = dict(
        new_profile.conn.execute(
            "SELECT source_id, requested_at FROM items WHERE lane = 'callback'"
        ).fetchall()
    )
    assert from_db(rows["cb1"]) == NOW
    assert from_db(rows["cb2"]) > NOW  # requested window start in the future
    again = run(new_profile, write(tmp_path / "cb.csv", text))
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)


def test_dry_run_writes_nothing(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    path = write(tmp_path / "1.json", bundle(*visit()))
    run(new_profile, path, dry_run=True)  # creates the default practice only
    before = dump(new_profile.conn)
    report = run(new_profile, path, dry_run=True)
    assert report.dry_run and report.created == 2
    assert dump(new_profile.conn) == before


def test_plan_then_apply_replans_when_the_store_changed(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    conn = new_profile.conn
    ctx = importer.resolve_practice(conn)
    batch = read_file(write(tmp_path / "1.json", bundle(*visit())))
    plan = importer.plan_import(conn, batch, practice_id=ctx.id, vma="ana.r", now=NOW)
    assert plan.summary()["created"] == 2
    importer.apply_import(conn, plan)
    report = importer.apply_import(conn, plan)  # stale plan: re-planned, nothing duplicated
    assert (report.created, report.skipped) == (0, 2)
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 2


def test_cancel_during_apply_rolls_back(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    conn = new_profile.conn
    ctx = importer.resolve_practice(conn)
    now = datetime(2026, 3, 8, 12, tzinfo=UTC)
    batch = read_file(write(tmp_path / "s.json", make_fhir_bundle(1200, seed=1)))
    plan = importer.plan_import(conn, batch, practice_id=ctx.id, vma="ana.r", now=now)
    assert plan.created > 500
    before = dump(conn)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1  # after the first chunk was written

    with pytest.raises(importer.ImportCancelled):
        importer.apply_import(conn, plan, cancelled=cancelled)
    assert dump(conn) == before


# -- refused files --------------------------------------------------------------------------


def _malformed(tmp_path: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    good = json.dumps(bundle(*visit()))
    bad_date = bundle(*visit())
    bad_date["entry"][0]["resource"]["start"] = "2026-13-45T09:00:00Z"
    wrong_type = bundle(*visit())
    wrong_type["entry"][1]["resource"]["resourceType"] = "Patientt"
    csv_missing = 'Patient Name,DOB\r\n"Zyxwvutsky, Q",01/31/1970\r\n'
    return {
        "truncated": (write(tmp_path / "t.json", good[: len(good) // 2]), {}),
        "bad-date": (write(tmp_path / "d.json", bad_date), {}),
        "wrong-type": (write(tmp_path / "w.json", wrong_type), {}),
        "binary": (write(tmp_path / "b.json", bytes(range(256)) * 8), {}),
        "missing-columns": (write(tmp_path / "m.csv", csv_missing), {}),
        "oversize": (write(tmp_path / "o.json", good), {"max_bytes": 100}),
        "not-appointment": (write(tmp_path / "p.json", patient()), {}),
    }


@pytest.mark.parametrize(
    "case",
    [
        "truncated",
        "bad-date",
        "wrong-type",
        "binary",
        "missing-columns",
        "oversize",
        "not-appointment",
    ],
)
def test_malformed_file_imports_nothing(
    new_profile: UnlockedProfile, tmp_path: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    run(new_profile, write(tmp_path / "seed.json", bundle(*visit("a0", pid="p0"))))
    before = dump(new_profile.conn)
    path, kw = _malformed(tmp_path)[case]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(IngestError) as info:
        run(new_profile, path, **kw)
    assert dump(new_profile.conn) == before
    err = info.value
    assert err.file == path.name
    assert_no_canary(str(err))
    assert_no_canary(json.dumps(importer.ImportReport.from_error(err).to_dict()))
    assert_no_canary(caplog.text)


def test_reports_and_logs_hold_no_phi(
    new_profile: UnlockedProfile, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    report = run(new_profile, write(tmp_path / "1.json", bundle(*visit())))
    run(new_profile, write(tmp_path / "2.json", bundle(*visit(status="cancelled"))))
    assert_no_canary(json.dumps(report.to_dict()))
    assert_no_canary(caplog.text)
    details = [r[0] for r in new_profile.conn.execute("SELECT details FROM audit")]
    assert_no_canary(" ".join(details))


# -- practices, mappings -----------------------------------------------------------------------


def test_practice_resolution(new_profile: UnlockedProfile) -> None:
    conn = new_profile.conn
    ctx = importer.resolve_practice(conn)
    assert (ctx.code, ctx.name, ctx.tz) == ("default", "Default practice", "America/New_York")
    assert importer.resolve_practice(conn).id == ctx.id
    from vmadesk.domain.business_hours import BusinessHours
    from vmadesk.services.practice_setup import add_practice
    from vmadesk.store.connection import transaction

    with transaction(conn):
        add_practice(conn, code="west", name="West", hours=BusinessHours.default("America/Denver"))
    with pytest.raises(ActionRefused, match="default, west"):
        importer.resolve_practice(conn)
    assert importer.resolve_practice(conn, "west").tz == "America/Denver"
    with pytest.raises(ActionRefused, match="known: "):
        importer.resolve_practice(conn, "nope")


def test_mapping_is_remembered_per_source(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    text = f'Visit Key,When,Who,Tel\r\nv1,2026-03-05 10:00,"{CANARY}, Quentin",(212) 555-0142\r\n'
    path = write(tmp_path / "odd.csv", text)
    headers = importer.csv_headers(path)
    assert headers is not None and headers.detected is None
    with pytest.raises(IngestError, match="missing required column"):
        run(new_profile, path)
    mapping = CsvMapping(appointment_id="Visit Key", start="When", patient_name="Who", phone="Tel")
    assert run(new_profile, path, mapping=mapping).created == 2
    assert importer.remembered_mapping(new_profile.conn, headers.source_system) == mapping
    stored = new_profile.conn.execute(
        "SELECT value FROM settings WHERE key LIKE 'csv_mapping:%'"
    ).fetchone()[0]
    assert_no_canary(stored)
    # next time, the same layout imports without a mapping
    assert run(new_profile, path).skipped == 2
