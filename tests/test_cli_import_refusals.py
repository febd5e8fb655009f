"""Refusals a user can act on: plain words, the CLI's one JSON object, a PHI-free log line."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import vmadesk.cli as cli
from tests.services.import_samples import CANARY, bundle, visit, write
from tests.test_cli_import import _future_visit, _log_text, _state, import_cli, prof_dir
from vmadesk.ingest import IngestError, read_file
from vmadesk.store import profile as profiles

__all__ = ["import_cli", "prof_dir"]  # fixtures shared with test_cli_import


def _refusal(path: Path, **kw: str) -> str:
    with pytest.raises(IngestError) as caught:
        read_file(path, **kw)  # type: ignore[arg-type]
    return str(caught.value)


def _with_starts(tmp_path: Path, start: str, end: str) -> Path:
    doc = bundle(*visit())
    appointment = copy.deepcopy(doc["entry"][0]["resource"])
    appointment["start"], appointment["end"] = start, end
    doc["entry"][0]["resource"] = appointment
    return write(tmp_path / "bad.json", doc)


def test_an_impossible_date_is_named_in_words(tmp_path: Path) -> None:
    message = _refusal(_with_starts(tmp_path, "2026-02-30T09:00:00-05:00", "2026-02-30T10:00:00Z"))
    assert message.startswith("bad.json, entry 0, field 'start': not a valid date-time")
    assert "parsing" not in message and "datetime_" not in message  # no pydantic codes


def test_a_missing_offset_is_said_so_for_the_first_element_in_the_file(tmp_path: Path) -> None:
    # R4B's model checks "end" before "start"; the file has "start" first, and so does the message.
    message = _refusal(_with_starts(tmp_path, "2026-03-09T09:00:00", "2026-03-09T09:30:00"))
    assert message == (
        "bad.json, entry 0, field 'start': date-time has no time zone offset "
        "(e.g. 2026-11-24T09:30:00-05:00)"
    )


def test_a_csv_read_as_fhir_is_not_called_truncated(tmp_path: Path) -> None:
    path = write(tmp_path / "report.csv", "Appt ID,Appt Date\nA1,03/09/2026\n")
    message = _refusal(path, fmt="fhir")
    assert "truncated" not in message
    assert "does not start with '{'" in message and "CSV" in message


def test_the_current_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _refusal(Path(".")).startswith(f"{tmp_path.name}: not a file (a folder")


def test_json_output_even_when_the_profile_does_not_open(
    import_cli: None,
    prof_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, "not the passphrase")
    argv = ["import", str(_future_visit(tmp_path)), "--profile", str(prof_dir), "--json"]
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["created"] == 0 and len(report["errors"]) == 1
    assert report["errors"][0]["field"] == "--profile"
    assert err.startswith("vmadesk: ") and "Traceback" not in err


def test_a_refused_file_is_logged_without_its_name(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Files are sometimes saved under a patient's name: the log must not repeat it.
    doc = json.dumps(bundle(*visit()))
    bad = write(tmp_path / f"{CANARY}.json", doc[:-40])
    before = _state(prof_dir)
    assert cli.main(["import", str(bad), "--profile", str(prof_dir)]) == 2
    capsys.readouterr()
    log = _log_text()
    assert "import refused: file, line" in log and "the file may be truncated" in log
    assert CANARY not in log
    assert _state(prof_dir) == before


def test_a_refused_dry_run_says_it_was_a_dry_run(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path / "cut.json", json.dumps(bundle(*visit()))[:-40])
    argv = ["import", str(bad), "--profile", str(prof_dir), "--dry-run", "--json"]
    assert cli.main(argv) == 2
    assert json.loads(capsys.readouterr().out)["dry_run"] is True


@pytest.mark.parametrize("value", [20261124, 1795390557.5])
def test_a_number_for_a_time_is_refused_not_read_as_1970(tmp_path: Path, value: float) -> None:
    doc = bundle(*visit())
    doc["entry"][0]["resource"]["start"] = value
    message = _refusal(write(tmp_path / "bad.json", doc))
    assert message.startswith("bad.json, entry 0, field 'start': expected a date or date-time")
