"""``vmadesk evidence list | show | approve | decline`` through ``vmadesk.cli.main``: real hub."""

from __future__ import annotations

import json

import pytest

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.services.helpers import CANARY_FAMILY
from tests.services.test_evidence import SECRET, hub, setup_request, supervisor_profile
from vmadesk import wire
from vmadesk.services.enrolment import enroll
from vmadesk.store import profile as profiles
from vmadesk.sync import enrolment

__all__ = ["hub", "supervisor_profile"]


def test_list_show_approve_decline(hub, new_profile, supervisor_profile, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    enroll(
        new_profile.conn,
        hub.base_url,
        hub.tokens["ana"],
        team_secret_code=enrolment.team_secret_code(SECRET),
    )
    _responder, _viewer, requests, _ids = setup_request(hub, new_profile, supervisor_profile, n=2)
    first, second = (r.request_id for r in requests)
    prof = ["--profile", str(new_profile.directory)]
    capsys.readouterr()

    assert cli.main(["evidence", "list", "--json", *prof]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in listed} == {first, second}
    assert all(r["requested_by"] == "sue" and r["item"] is not None for r in listed)
    assert CANARY_FAMILY not in json.dumps(listed)

    assert cli.main(["evidence", "show", first, *prof]) == 0
    outline = capsys.readouterr().out  # which item, how much history: no patient detail
    assert CANARY_FAMILY not in outline and "--show-patient" in outline
    assert cli.main(["evidence", "show", first, "--show-patient", *prof]) == 0
    assert CANARY_FAMILY in capsys.readouterr().out  # what approving would send
    assert cli.main(["evidence", "approve", "not-an-id", *prof]) == 2
    assert cli.main(["evidence", "approve", first, *prof]) == 0
    with pytest.raises(SystemExit) as bad:  # argparse: not a reason code
        cli.main(["evidence", "decline", second, "--reason", "no-such", *prof])
    assert bad.value.code == 2
    capsys.readouterr()
    assert cli.main(["evidence", "decline", second, "--reason", "wrong_item", *prof]) == 0
    assert "declined" in capsys.readouterr().out

    sue = hub.client("sue")
    assert sue.evidence(first).state is wire.EvidenceState.ANSWERED
    record = sue.evidence(second)
    assert record.state is wire.EvidenceState.DECLINED
    assert record.decline_reason is wire.EvidenceDeclineReason.WRONG_ITEM
    assert cli.main(["evidence", "list", "--json", *prof]) == 0
    assert json.loads(capsys.readouterr().out) == []
