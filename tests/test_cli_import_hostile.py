"""``vmadesk import`` on hostile files: exit 2, one line naming the place, the store untouched.

"Untouched" is every row of every table (:func:`~tests.ingest.hostile.store_dump`), so a
refused import or a dry run into a new profile leaves no "Default practice" behind either.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import phonenumbers
import pytest

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.ingest.hostile import (
    CANARY,
    GOOD_BUNDLE,
    GOOD_CSV,
    bundle_with,
    crash_reports,
    encoded,
    store_dump,
)
from tests.test_cli_import import _future_visit, _log_text, import_cli, prof_dir
from vmadesk.ingest.phones import to_e164
from vmadesk.store import profile as profiles

__all__ = ["import_cli", "prof_dir"]  # fixtures shared with test_cli_import

_DIGITS = "7" * 5000
_HOSTILE = {
    "leap-second.json": bundle_with(entry0_start="2026-12-31T23:59:60-05:00", entry0_end=None),
    "year-1.json": bundle_with(entry0_start="0001-01-01T00:00:00+14:00", entry0_end=None),
    "year-9999.json": bundle_with(entry0_start="9999-12-31T23:59:59-12:00", entry0_end=None),
    "digits.json": json.dumps(GOOD_BUNDLE).replace('"booked"', f'"booked", "priority": {_DIGITS}'),
    "open-quote.csv": GOOD_CSV.replace(f'"{CANARY}, Quentin"', f'"{CANARY}, Quentin'),
    "year-9999.csv": f"Appt ID,Start,Patient Name\r\nA1,9999-12-31T23:59:00-12:00,{CANARY}\r\n",
    "bundle.xml": '<?xml version="1.0"?><Bundle xmlns="http://hl7.org/fhir"/>',
    "long-name.json": bundle_with(entry1_name=[{"family": CANARY * 40}]),
    "long-id.json": bundle_with(entry0_id="a" * 65),
    "bad-code.json": bundle_with(entry2_status="valid"),
}  # fmt: skip


def _dump(prof_dir: Path) -> dict:
    profile = profiles.unlock(prof_dir, passphrase=PASSPHRASE, use_keychain=False)
    try:
        return store_dump(profile.conn)
    finally:
        profile.close()


def _one_line_refusal(err: str, name: str) -> None:
    assert err.startswith(f"vmadesk: {name}") and err.count("\n") == 1, err
    assert "Traceback" not in err and CANARY not in err


@pytest.mark.parametrize("name", sorted(_HOSTILE))
def test_a_hostile_file_is_one_line_exit_2_and_writes_nothing(
    import_cli: None,
    prof_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(encoded(_HOSTILE[name]))
    before = _dump(prof_dir)  # a new profile: no practice yet
    for extra in ([], ["--dry-run"], ["--format", "csv"] if name.endswith(".json") else []):
        assert cli.main(["import", str(path), "--profile", str(prof_dir), *extra]) == 2
        _one_line_refusal(capsys.readouterr().err, name)
    assert _dump(prof_dir) == before
    log = _log_text()
    assert "import refused: file" in log and name not in log and CANARY not in log


def test_a_dry_run_into_a_new_profile_writes_nothing(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _future_visit(tmp_path)
    before = _dump(prof_dir)
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 2
    assert _dump(prof_dir) == before  # not even the "Default practice" it would create
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 2
    after = _dump(prof_dir)
    assert [row[1] for row in after["practices"]] == ["default"]
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--dry-run"]) == 0
    assert _dump(prof_dir) == after


def test_a_refusal_after_earlier_imports_writes_nothing(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["import", str(_future_visit(tmp_path)), "--profile", str(prof_dir)]) == 0
    before = _dump(prof_dir)
    bad = tmp_path / "leap.json"
    bad.write_bytes(encoded(_HOSTILE["leap-second.json"]))
    capsys.readouterr()
    assert cli.main(["import", str(bad), "--profile", str(prof_dir)]) == 2
    _one_line_refusal(capsys.readouterr().err, "leap.json")
    assert _dump(prof_dir) == before


def test_an_unforeseen_failure_is_a_refusal_and_a_report_not_a_traceback(
    import_cli: None,
    prof_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(raw: str, region: str) -> None:
        raise RuntimeError(f"{raw} of {CANARY}")

    path = tmp_path / "report.csv"
    path.write_text(GOOD_CSV)
    before, reports = _dump(prof_dir), crash_reports()
    monkeypatch.setattr(phonenumbers, "parse", broken)
    to_e164.cache_clear()
    try:
        assert cli.main(["import", str(path), "--profile", str(prof_dir)]) == 2
    finally:
        to_e164.cache_clear()
    err = capsys.readouterr().err
    _one_line_refusal(err, "report.csv")
    assert "row 2, column 6 (mobile phone)" in err and "report" in err
    (report,) = [p for p in crash_reports() if p not in reports]
    assert CANARY not in report.read_text() and "555" not in report.read_text()
    assert _dump(prof_dir) == before


def test_a_header_that_is_patient_data_never_reaches_stderr_or_the_log(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no-header.csv"
    path.write_text(f"Appt ID,Appt Date,Appt Time,Smithson {CANARY}\r\nA1,03/09/2026,9:00 AM,x\r\n")
    mapping = tmp_path / "map.json"
    cols = {"appointment_id": "Appt ID", "date": "Appt Date", "time": "Appt Time"}
    mapping.write_text(json.dumps({**cols, "patient_name": f"Smithson {CANARY}"}))
    argv = ["import", str(path), "--profile", str(prof_dir), "--mapping", str(mapping)]
    path.write_text(path.read_text().replace("03/09/2026", "someday"))
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert "column 2 (date)" in err
    assert CANARY not in out + err + _log_text()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_by_the_cli(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    before = _dump(prof_dir)
    assert cli.main(["import", str(path), "--profile", str(prof_dir)]) == 2
    _one_line_refusal(capsys.readouterr().err, "pipe.csv")
    assert _dump(prof_dir) == before
