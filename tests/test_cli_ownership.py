"""Supervisor CLI for ownership: practice identities, unattended work, reassignment (loopback)."""

from __future__ import annotations

import json

from sqlalchemy import update

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.support.consoles import new_console
from tests.support.hub import db_url, hub
from vmadesk.hub.db import claims
from vmadesk.services.sync_service import sync_once
from vmadesk.store import profile as profiles

__all__ = ["db_url", "hub"]


def test_supervisor_commands(hub, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    ana = new_console(tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"])
    try:
        ana.import_appointments([1])
        sync_once(ana.profile)
    finally:
        ana.close()
    new_console(tmp_path / "sue", "sue", hub_url=hub.base_url, token=hub.tokens["sue"]).close()
    sue = ["--profile", str(tmp_path / "sue")]
    capsys.readouterr()
    assert cli.main(["unattended", *sue]) == 0
    assert capsys.readouterr().out == "No unattended work.\n"
    with hub.engine.begin() as conn:  # ana's console stays closed: her lease lapses
        conn.execute(update(claims).values(lease_expires_at=1000))
    assert cli.main(["unattended", "--json", *sue]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["holder"], row["lane"]) == ("ana", "confirmation")
    code = row["pseudonym"]
    assert cli.main(["reassign", code, "--to", "ben", "--reason", "nope", *sue]) == 2
    assert "Unknown takeover reason" in capsys.readouterr().err
    assert cli.main(["reassign", code, "--to", "nobody", "--reason", "other", *sue]) == 2
    assert "nothing changed" in capsys.readouterr().err
    assert cli.main(["reassign", code, "--to", "ben", "--reason", "holder_off_shift", *sue]) == 0
    assert capsys.readouterr().out == "Reassigned from ana to ben (holder_off_shift).\n"
    assert hub.client("sue").unattended().claims == []
    # practice identities, set once at the hub
    assert cli.main(["team-practice", "riverside-fm", "--alias", "rvs", *sue]) == 0
    assert capsys.readouterr().out == "riverside-fm: riverside-fm, rvs\n"
    assert cli.main(["team-practice", "lakeview", "--alias", "rvs", *sue]) == 2
    assert "another practice" in capsys.readouterr().err
    assert cli.main(["team-practice", "Bad Name", *sue]) == 2
    ana_profile = ["--profile", str(tmp_path / "ana")]
    assert cli.main(["team-practice", "x1", *ana_profile]) == 2
    assert "supervisor" in capsys.readouterr().err
