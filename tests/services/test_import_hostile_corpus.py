"""The generated hostile corpus through the whole import (read, plan, write) and the CLI.

A dry run never changes the store; a refused import never changes it either; and nothing
ends in anything but a report or an :class:`IngestError` (no overflow while planning, no
traceback). "The store" is every row of every table (:func:`tests.ingest.hostile.store_dump`).
The profile starts without a practice, so the "Default practice" an import creates is part
of what a refusal or a dry run must not leave behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.ingest.hostile import CANARY, GOOD_CSV, bundle_with, encoded, store_dump
from tests.ingest.hostile_strategies import hostile_documents, iso_stamps
from tests.services.import_samples import NOW
from tests.test_cli_import import import_cli, prof_dir
from vmadesk.ingest import IngestError
from vmadesk.ingest.crash_guard import UNEXPECTED_REASON
from vmadesk.services import importer
from vmadesk.store import profile as profiles

__all__ = ["import_cli", "prof_dir"]  # fixtures shared with test_cli_import

CORPUS = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    # One profile for all draws: each draw compares the store before and after itself.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def _import(conn, path: Path, *, dry_run: bool) -> bool:
    """Import; True if kept, False if refused (a refusal must be a clean one)."""
    try:
        importer.import_file(conn, path, dry_run=dry_run, now=NOW)
    except IngestError as err:
        assert err.reason != UNEXPECTED_REASON, str(err)
        assert CANARY not in str(err)
        return False
    return True


def _check(conn, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    before = store_dump(conn)
    _import(conn, path, dry_run=True)
    assert store_dump(conn) == before
    if not _import(conn, path, dry_run=False):
        assert store_dump(conn) == before


@CORPUS
@given(data=hostile_documents, suffix=st.sampled_from([".json", ".csv"]))
def test_hostile_files_through_the_whole_import(
    new_profile: profiles.UnlockedProfile, tmp_path: Path, data: bytes, suffix: str
) -> None:
    _check(new_profile.conn, tmp_path / f"corpus{suffix}", data)


@settings(CORPUS, max_examples=250)
@given(stamp=iso_stamps())
def test_hostile_times_through_the_whole_import(
    new_profile: profiles.UnlockedProfile, tmp_path: Path, stamp: str
) -> None:
    # Times the readers accept must not overflow in the rules (windows, due times, horizons).
    doc = bundle_with(entry0_start=stamp, entry0_end=None)
    _check(new_profile.conn, tmp_path / "times.json", encoded(doc))
    csv = f"Appt ID,Start,Patient Name\r\nA1,{stamp},x\r\n"
    _check(new_profile.conn, tmp_path / "times.csv", csv.encode())


@settings(CORPUS, max_examples=20)
@given(data=hostile_documents)
def test_hostile_files_through_the_cli(
    import_cli: None,
    prof_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
) -> None:
    path = tmp_path / "corpus.dat"
    path.write_bytes(data)

    def dump() -> dict:
        profile = profiles.unlock(prof_dir, passphrase=PASSPHRASE, use_keychain=False)
        try:
            return store_dump(profile.conn)
        finally:
            profile.close()

    before = dump()
    code = cli.main(["import", str(path), "--profile", str(prof_dir), "--dry-run"])
    out, err = capsys.readouterr()
    assert code in (0, 2) and "Traceback" not in err and CANARY not in out + err
    if code == 2:
        assert err.startswith("vmadesk: corpus.dat") and err.count("\n") == 1
    assert dump() == before


def test_the_documents_the_corpus_breaks_do_import(
    new_profile: profiles.UnlockedProfile, tmp_path: Path
) -> None:
    # The strategies break valid documents: were these refused, the corpus would only ever
    # test their first refusal.
    for name, data in (("good.json", encoded(bundle_with())), ("good.csv", GOOD_CSV.encode())):
        path = tmp_path / name
        path.write_bytes(data)
        report = importer.import_file(new_profile.conn, path, now=NOW).to_dict()
        assert report["created"] + report["skipped"] == 2, name
