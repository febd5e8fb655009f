"""``vmadesk import``: exit codes, JSON report, nothing written on refusal, no PHI anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import vmadesk.cli as cli
from tests.conftest import FAST_KDF, PASSPHRASE, cli_env
from tests.services.import_samples import NOW, assert_no_canary, bundle, visit, write
from vmadesk import paths
from vmadesk.store import profile as profiles


@pytest.fixture
def import_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    yield


@pytest.fixture
def prof_dir(profile_dir: Path) -> Path:
    profile, _ = profiles.create(
        profile_dir, PASSPHRASE, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )
    profile.close()
    return profile_dir


def _state(prof_dir: Path) -> tuple[list, int]:
    profile = profiles.unlock(prof_dir, passphrase=PASSPHRASE, use_keychain=False)
    try:
        rows = profile.conn.execute("SELECT * FROM items ORDER BY id").fetchall()
        n = profile.conn.execute("SELECT count(*) FROM audit WHERE event = 'import'").fetchone()[0]
        return rows, n
    finally:
        profile.close()


def _future_visit(tmp_path: Path, name: str = "today.json", **kw) -> Path:
    # The CLI uses the real clock: put the visit three days from now.
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    return write(tmp_path / name, bundle(*visit(start=start, **kw)))


def _log_text() -> str:
    return "".join(p.read_text() for p in paths.log_dir().glob("*.log*") if p.is_file())


def test_import_json_and_reimport(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _future_visit(tmp_path)
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert {k: report[k] for k in ("created", "updated", "closed", "skipped")} == {
        "created": 2,
        "updated": 0,
        "closed": 0,
        "skipped": 0,
    }
    assert report["errors"] == []
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 2)
    assert_no_canary(out + err + _log_text())


def test_dry_run_and_text_output(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _future_visit(tmp_path)
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would import: created 2")
    assert _state(prof_dir)[0] == []


@pytest.mark.parametrize("as_json", [False, True])
def test_refused_file_exits_2_and_writes_nothing(
    import_cli: None,
    prof_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    as_json: bool,
) -> None:
    assert cli.main(["import", str(_future_visit(tmp_path)), "--profile", str(prof_dir)]) == 0
    capsys.readouterr()
    before = _state(prof_dir)
    doc = json.dumps(bundle(*visit()))
    bad = write(tmp_path / "cut.json", doc[: len(doc) - 40])
    argv = ["import", str(bad), "--profile", str(prof_dir)] + (["--json"] if as_json else [])
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert err.startswith("vmadesk: cut.json")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    if as_json:
        report = json.loads(out)
        assert report["created"] == 0
        (error,) = report["errors"]
        assert error["file"] == "cut.json" and error["location"] and error["reason"]
    assert _state(prof_dir) == before
    assert_no_canary(out + err + _log_text())


def test_csv_mapping_file_and_practice_option(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta

    when = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%d 10:00")
    csv_path = write(
        tmp_path / "odd.csv", f'Visit Key,When,Who\r\nv1,{when},"Zyxwvutsky, Quentin"\r\n'
    )
    mapping = write(
        tmp_path / "map.json",
        json.dumps({"appointment_id": "Visit Key", "start": "When", "patient_name": "Who"}),
    )
    base = ["import", str(csv_path), "--profile", str(prof_dir)]
    assert cli.main([*base, "--json"]) == 2  # headers not recognised
    assert "missing required column" in capsys.readouterr().err
    assert cli.main([*base, "--practice", "nope"]) == 2  # the refusal made no practice
    assert "known: none" in capsys.readouterr().err
    assert cli.main([*base, "--mapping", str(mapping), "--json"]) == 0  # makes "default"
    assert json.loads(capsys.readouterr().out)["created"] == 2
    assert cli.main([*base, "--practice", "nope"]) == 2
    assert "known: default" in capsys.readouterr().err
    assert cli.main([*base, "--json"]) == 0  # the mapping was remembered for this layout
    assert json.loads(capsys.readouterr().out)["skipped"] == 2
    bad_map = write(tmp_path / "bad.json", "{not json")
    assert cli.main([*base, "--mapping", str(bad_map)]) == 2
    assert capsys.readouterr().err.startswith("vmadesk: bad.json")


def test_subprocess_no_traceback_no_phi(prof_dir: Path, tmp_path: Path) -> None:
    bad = bundle(*visit())
    bad["entry"][0]["resource"]["start"] = "yesterday at noon"
    path = write(tmp_path / "bad-date.json", bad)
    code = "import vmadesk.cli as c; raise SystemExit(c.main())"
    result = subprocess.run(
        [sys.executable, "-c", code, "import", str(path), "--profile", str(prof_dir), "--json"],
        capture_output=True,
        text=True,
        env=cli_env({profiles.PASSPHRASE_ENV: PASSPHRASE}),
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["errors"][0]["location"] == "entry 0"
    assert report["errors"][0]["field"] == "start"
    assert_no_canary(result.stdout + result.stderr + _log_text())
    assert NOW  # the shared builders' clock is not used by the CLI


def test_enrolled_profile_queues_claims_with_the_import(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.consoles import offline_enrol

    profile = profiles.unlock(prof_dir, passphrase=PASSPHRASE, use_keychain=False)
    try:
        offline_enrol(profile.conn)
    finally:
        profile.close()
    assert cli.main(["import", str(_future_visit(tmp_path)), "--profile", str(prof_dir)]) == 0
    capsys.readouterr()
    profile = profiles.unlock(prof_dir, passphrase=PASSPHRASE, use_keychain=False)
    try:
        kinds = [k for (k,) in profile.conn.execute("SELECT kind FROM outbox ORDER BY id")]
    finally:
        profile.close()
    assert kinds.count("claim") == 2 and kinds.count("item_event") == 2


def _warned_file(tmp_path: Path) -> Path:
    """A future visit, a past one, and a future one whose patient is named only by display."""
    from datetime import UTC, datetime, timedelta

    from tests.services.test_importer import CANARY, appointment

    now = datetime.now(UTC).replace(microsecond=0)
    display_only = appointment("a3", start=now + timedelta(days=2), pid="gone")
    display_only["participant"][0]["actor"]["display"] = f"{CANARY}, Quentin"
    doc = bundle(
        *visit(start=now + timedelta(days=3)),
        *visit("a2", start=now - timedelta(days=3), pid="p2"),
        display_only,
    )
    return write(tmp_path / "w.json", doc)


def test_json_report_has_warnings_and_skipped_reasons(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _warned_file(tmp_path)
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["warnings"] == [
        "w.json, entry 6, field 'participant': patient not in the file; name from the "
        "reference's display, no phone or date of birth"
    ]
    assert report["skipped_reasons"] == {"past": 2}  # items: both lanes of the one visit
    assert report["skipped"] == 2
    assert_no_canary(out + err + _log_text())
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["skipped_reasons"] == {"past": 2, "unchanged": 4}


def test_text_output_prints_warnings_on_stderr(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _warned_file(tmp_path)
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Would import:")
    assert "Skipped: 2 already past" in out
    assert "warning: w.json, entry 6, field 'participant': patient not in the file" in err
    assert_no_canary(out + err)


def test_csv_warnings_in_json(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta

    from tests.services.test_importer import CANARY

    day = (datetime.now() + timedelta(days=3)).strftime("%m/%d/%Y")
    text = (
        "Appt ID,Appt Date,Appt Time,Patient Name,DOB,Cell Phone,Member ID\r\n"
        f'A1,{day},2:30 PM,"{CANARY}, Quentin",01/31/1970,555-01x42,M1\r\n'
    )
    path = write(tmp_path / "appts.csv", text)
    assert cli.main(["import", str(path), "--profile", str(prof_dir), "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["warnings"] == [
        "appts.csv, row 2, column 6 (mobile phone): not a phone number; "
        "the item has no number to call"
    ]
    assert "555-01x42" not in out + err
    assert_no_canary(out + err)


def test_text_output_says_why_items_closed_and_what_counts_mean(
    import_cli: None, prof_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["import", str(_future_visit(tmp_path)), "--profile", str(prof_dir)]) == 0
    capsys.readouterr()
    cancelled = _future_visit(tmp_path, "cancelled.json", status="cancelled")
    assert cli.main(["import", str(cancelled), "--profile", str(prof_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported: created 0, updated 0, closed 2, skipped 0, missing 0")
    assert "(counts are of work items:" in out
    assert "Closed: 2 appointment cancelled" in out
    # An older export (still "booked") imported after that brings the items back: said so.
    booked = write(
        tmp_path / "booked.json", json.loads(cancelled.read_text().replace("cancelled", "booked"))
    )
    assert cli.main(["import", str(booked), "--profile", str(prof_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["updated"], report["reopened"]) == (2, 2)
    assert cli.main(["import", str(cancelled), "--profile", str(prof_dir)]) == 0
    assert cli.main(["import", str(booked), "--profile", str(prof_dir)]) == 0
    assert "updated 2 (2 reopened)" in capsys.readouterr().out
