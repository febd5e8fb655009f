"""``vmadesk import`` of prior-authorization and referral worklists: detected, counted per lane."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import vmadesk.cli as cli
from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk import paths
from vmadesk.store import profile as profiles

LANES = Path(__file__).parent / "ingest" / "data" / "lanes"


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


def _lanes(prof_dir: Path) -> dict[str, int]:
    profile = profiles.unlock(prof_dir, passphrase=PASSPHRASE, use_keychain=False)
    try:
        rows = profile.conn.execute("SELECT lane, count(*) FROM items GROUP BY lane")
        return dict(rows.fetchall())
    finally:
        profile.close()


def _import(prof_dir: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = cli.main(["import", str(path), "--profile", str(prof_dir), "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {"stderr": err}


@pytest.mark.parametrize(
    ("name", "lane"),
    [
        ("prior-auth-worklist.csv", "prior_auth"),
        ("pas-prior-auth-bundle.json", "prior_auth"),
        ("referral-worklist.csv", "referral"),
        ("referral-servicerequests.json", "referral"),
    ],
)
def test_a_lane_worklist_imports_once_counted_per_lane(
    import_cli, prof_dir, tmp_path, capsys, name, lane
) -> None:
    path = shutil.copy(LANES / name, tmp_path / name)
    code, report = _import(prof_dir, Path(path), capsys)
    assert code == 0, report
    assert report["created"] > 0
    assert report["by_lane"][lane]["created"] == report["created"]
    assert _lanes(prof_dir) == {lane: report["created"]}
    code, again = _import(prof_dir, Path(path), capsys)
    assert (code, again["created"], again["skipped"]) == (0, 0, report["created"])
    # PHI-free: no patient name of the file in the report or the log.
    logs = "".join(p.read_text() for p in paths.log_dir().glob("*.log*") if p.is_file())
    text = (LANES / name).read_text()
    for canary in ("Whitfield", "Okafor", "Dolores"):
        if canary in text:
            assert canary not in json.dumps(report) + logs


@pytest.mark.parametrize(
    "name",
    ["prior-auth-bad-icd.csv", "pas-bad-service-code.json", "referral-no-patient.json",
     "referral-outgoing-no-recipient.csv"],
)  # fmt: skip
def test_a_malformed_lane_worklist_exits_2_and_writes_nothing(
    import_cli, prof_dir, tmp_path, capsys, name
) -> None:
    path = shutil.copy(LANES / name, tmp_path / name)
    code, report = _import(prof_dir, Path(path), capsys)
    assert code == 2
    assert report["errors"] and report["created"] == 0
    assert _lanes(prof_dir) == {}


def test_items_json_lists_the_lanes_by_code(import_cli, prof_dir, tmp_path, capsys) -> None:
    for name in ("prior-auth-worklist.csv", "referral-worklist.csv"):
        path = shutil.copy(LANES / name, tmp_path / name)
        assert _import(prof_dir, Path(path), capsys)[0] == 0
    assert cli.main(["items", "--profile", str(prof_dir), "--json"]) == 0
    out = capsys.readouterr().out
    assert {row["lane"] for row in json.loads(out)} == {"prior_auth", "referral"}
    assert "Whitfield" not in out
    assert cli.main(["items", "--profile", str(prof_dir), "--lane", "prior_auth"]) == 0
    assert "Prior authorizations" in capsys.readouterr().out
