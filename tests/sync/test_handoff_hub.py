"""A handoff through the hub carries the whole item: escalations, history, reasons, the receipt.

Two VMAs' real encrypted profiles and a real hub on loopback (SQLite, and PostgreSQL when
``VMADESK_TEST_PG_URL`` is set); the CLI runs in process through ``vmadesk.cli.main``.
"""

from __future__ import annotations

import json

import pytest

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.support.consoles import CANARIES
from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import (
    DeclineReason,
    EscalationCategory,
    Lane,
    Outcome,
    Priority,
    Urgency,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import EscalationService, Sbar
from vmadesk.services.handoff import HandoffService
from vmadesk.services.handoff_hub import inbox, receivers_from
from vmadesk.services.sync_service import send_handoff, sync_once
from vmadesk.store import box_keys, history, items, practices
from vmadesk.store import profile as profiles
from vmadesk.store.connection import transaction


def _note(action: str = "Call again after 14:00") -> HandoffNote:
    return HandoffNote(Priority.WATCH, "Two tries, no answer", (ActionStep(action),), "if x then y")


def test_round_trip_moves_escalations_history_and_returns_a_declined_item(hub, team):  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    a, b = ana.import_appointments([1, 2])
    ana.work().log_attempt(a, Outcome.NO_ANSWER, note="rang out")
    ana.clock.advance(hours=2)
    ana.work().log_attempt(a, Outcome.VOICEMAIL)
    EscalationService(ana.conn, vma=ana.vma, clock=ana.clock).raise_(
        a,
        EscalationCategory.SCHEDULING_CONFLICT,
        Urgency.URGENT,
        Sbar("Two bookings on one slot"),
    )
    assert len(EscalationService(ana.conn, vma=ana.vma).listing()) == 1
    sync_once(ana.profile)
    envelope_id = send_handoff(ana.conn, ana.client(), "ben", {a: _note(), b: _note()}, "")

    sync_once(ben.profile)
    (entry,) = inbox(ben.conn)
    assert (entry.envelope_id, entry.sender, entry.items, entry.pending) == (
        envelope_id,
        "ana",
        2,
        2,
    )
    bens = HandoffService(ben.conn, vma=ben.vma, clock=ben.clock)
    _, rows = bens.packet(entry.handoff_id)
    new_a = bens.acknowledge(rows[0].id, "I call at 14:30 and offer the 9:00 slot")
    with pytest.raises(ActionRefused, match="say in a few words"):
        bens.decline(rows[1].id, DeclineReason.OTHER)
    bens.decline(rows[1].id, DeclineReason.NOT_MY_PRACTICE)

    # The receiver holds the escalation and the sender's history at once.
    (held,) = EscalationService(ben.conn, vma=ben.vma).listing()
    assert (held.item_id, held.situation, held.state) == (
        new_a,
        "Two bookings on one slot",
        "raised",
    )
    outcomes = [x.outcome for x in history.attempts_for(ben.conn, new_a)]
    assert outcomes == ["no_answer", "voicemail"]
    assert history.attempts_for(ben.conn, new_a)[0].author == ana.vma

    sync_once(ben.profile)  # the receipt goes back through the hub
    assert inbox(ben.conn) == []
    assert sync_once(ana.profile).receipts_applied == 1
    # The sender's list drops the escalation that moved; the declined item is back with why.
    assert EscalationService(ana.conn, vma=ana.vma).listing() == []
    assert items.get_item(ana.conn, b).owner == ana.vma
    notes = [n.text for n in history.notes_for(ana.conn, b)]
    assert any("declined" in t and DeclineReason.NOT_MY_PRACTICE.label in t for t in notes)
    acked = [n.text for n in history.notes_for(ana.conn, a)]
    assert any("I call at 14:30 and offer the 9:00 slot" in t for t in acked)
    dump = hub.dump()
    for canary in [*CANARIES, "Two bookings", "14:30 and offer"]:
        assert canary not in dump


def test_practice_rules_arrive_with_the_item(hub, team):  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    (a,) = ana.import_appointments([1])
    rules = practices.lane_policies(ana.conn, ana.ctx.id)[Lane.CONFIRMATION]
    with transaction(ana.conn):
        practices.put_lane_policy(
            ana.conn, ana.ctx.id, Lane.CONFIRMATION, rules.policy, sop_text="Back office first."
        )
    with transaction(ben.conn):  # ben serves another practice only
        ben.conn.execute("UPDATE practices SET code = 'other' WHERE id = 1")
    send_handoff(ana.conn, ana.client(), "ben", {a: _note()}, "")
    sync_once(ben.profile)
    bens = HandoffService(ben.conn, vma=ben.vma, clock=ben.clock)
    (entry,) = inbox(ben.conn)
    _, rows = bens.packet(entry.handoff_id)
    item_id = bens.acknowledge(rows[0].id, "Call at 14:30")
    practice = practices.get_practice(ben.conn, items.get_item(ben.conn, item_id).practice_id)
    assert (practice.code, practice.name, practice.timezone) == (
        "p1",
        "Practice p1",
        "America/New_York",
    )
    sops = {p.sop_text for p in practices.lane_policies(ben.conn, practice.id).values()}
    assert "Back office first." in sops


def test_receivers_come_from_the_hub_and_a_changed_key_is_refused(hub, team):  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    (a, b) = ana.import_appointments([1, 2])
    listed = receivers_from(ana.conn, ana.client().public_keys().keys, "ana")
    assert [(r.handle, r.usable) for r in listed] == [("ben", True)]  # no supervisor, not me
    pinned = bytes(box_keys.colleagues(ana.conn)["ben"])
    send_handoff(ana.conn, ana.client(), "ben", {a: _note()}, "")

    # ben's key at the hub changes (a hub that swapped it, or a new machine)
    ben.client().register_public_key(bytes(range(32)))
    listed = receivers_from(ana.conn, ana.client().public_keys().keys, "ana")
    assert [(r.handle, r.usable) for r in listed] == [("ben", False)]
    assert "different key for ben" in listed[0].problem
    with pytest.raises(ActionRefused, match="different key for ben"):
        send_handoff(ana.conn, ana.client(), "ben", {b: _note()}, "")
    assert bytes(box_keys.colleagues(ana.conn)["ben"]) == pinned
    assert items.get_item(ana.conn, b).handoff_id is None  # nothing sealed, nothing marked


def test_cli_send_inbox_receive(hub, team, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    ana, ben = team("ana"), team("ben")
    ids = ana.import_appointments([1, 2, 3])
    ana_dir, ben_dir = str(ana.profile.directory), str(ben.profile.directory)
    ana.profile.close()
    ben.profile.close()
    base = ["--profile"]
    assert cli.main(["handoff", "send", "--to", "ben", "--items", "x,1", *base, ana_dir]) == 2
    assert cli.main(["handoff", "send", "--to", "nobody", "--all", *base, ana_dir]) == 2
    capsys.readouterr()
    assert cli.main(["handoff", "send", "--to", "ben", "--all", *base, ana_dir]) == 0
    assert "3 item(s) sealed for ben" in capsys.readouterr().out

    assert cli.main(["handoff", "inbox", "--json", *base, ben_dir]) == 0
    (envelope,) = json.loads(capsys.readouterr().out)
    assert sorted(i["id"] for i in envelope["items"]) == sorted(ids)
    assert all(i["lane"] == "confirmation" and i["has_actions"] for i in envelope["items"])
    out = json.dumps(envelope)
    for canary in CANARIES:
        assert canary not in out

    receive = ["handoff", "receive", envelope["id"], *base, ben_dir]
    assert cli.main([*receive, "--ack-all", "--decline", str(ids[2])]) == 2  # no reason
    assert cli.main([*receive, "--ack", "999"]) == 2  # not in the packet
    assert cli.main(receive) == 2  # nothing said to do
    assert cli.main([*receive, "--ack", str(ids[0])]) == 0
    assert "1 acknowledged, 0 declined, 2 still to decide" in capsys.readouterr().out
    # a refused command changes nothing: item 0 is decided already, so item 1 stays pending
    again = [*receive, "--ack", str(ids[0]), "--decline", str(ids[1]), "--reason", "no_capacity"]
    assert cli.main(again) == 2
    assert "nothing was changed" in capsys.readouterr().err
    assert cli.main(["handoff", "inbox", "--json", *base, ben_dir]) == 0
    (left,) = json.loads(capsys.readouterr().out)
    assert left["id"] == envelope["id"]
    # declining alone answers the rest
    rest = f"{ids[1]},{ids[2]}"
    assert cli.main([*receive, "--decline", rest, "--reason", "no_capacity"]) == 0
    assert "0 acknowledged, 2 declined, 0 still to decide" in capsys.readouterr().out
    assert cli.main(["handoff", "inbox", "--json", *base, ben_dir]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["sync", *base, ana_dir]) == 0
    ana.profile = profiles.unlock(ana.profile.directory, passphrase=PASSPHRASE, use_keychain=False)
    ben.profile = profiles.unlock(ben.profile.directory, passphrase=PASSPHRASE, use_keychain=False)
    assert items.get_item(ana.conn, ids[2]).owner == ana.vma
    assert items.get_item(ana.conn, ids[0]).owner == "ben"
    notes = " ".join(n.text for n in history.notes_for(ana.conn, ids[2]))
    assert DeclineReason.NO_CAPACITY.label in notes
