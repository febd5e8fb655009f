"""One owner per item, as a team lives it: consoles over loopback on SQLite and PostgreSQL.

Handoffs move a claim only for acknowledged items, done work stays owned, a lapsed lease makes
work unattended (never granted), a supervisor reassigns it with a reason, a takeover is seen by
the previous holder. The hub's own clock is real: a lapse is made by moving the stored lease.
"""

from __future__ import annotations

from sqlalchemy import text, update

from tests.support.consoles import Console
from vmadesk import wire
from vmadesk.domain.handoff_notes import HandoffNote, Priority
from vmadesk.domain.vocabulary import DeclineReason
from vmadesk.hub.db import claims as hub_claims
from vmadesk.services.handoff import HandoffService
from vmadesk.services.sync_service import conflicts, send_handoff, sync_once, takeover
from vmadesk.services.worklist import WorkList
from vmadesk.store import items
from vmadesk.store.connection import transaction
from vmadesk.sync.item_events import item_pseudonym, make_change_hook


def hub_holders(hub) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    with hub.engine.connect() as conn:
        rows = conn.execute(text("SELECT pseudonym, holder, state FROM claims")).all()
    return {code: (holder, state) for code, holder, state in rows}


def code_of(console: Console, item_id: int) -> str:
    return item_pseudonym(
        bytes(range(100, 132)), items.get_item(console.conn, item_id)
    )  # TEAM_SECRET


def claim_state(console: Console, item_id: int) -> tuple[str, str | None, str | None]:
    return console.conn.execute(
        "SELECT state, held_by, held_status FROM claims WHERE item_id = ?", (item_id,)
    ).fetchone()


def in_lanes(console: Console) -> int:
    worklist = WorkList(console.conn, vma=console.vma)
    return worklist.count(worklist.query(None))


def notes_of(console: Console, item_id: int) -> list[str]:
    rows = console.conn.execute(
        "SELECT text FROM notes WHERE item_id = ? AND kind = 'claim' ORDER BY id", (item_id,)
    ).fetchall()
    return [r[0] for r in rows]


def test_partial_handoff_then_a_third_import_gets_conflicts_only(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben, cat = team("ana"), team("ben"), team("cat")
    a, b, c = ana.import_appointments([1, 2, 3])
    sync_once(ana.profile)
    notes = {i: HandoffNote(Priority.ROUTINE, "Not reached yet") for i in (a, b, c)}
    send_handoff(ana.conn, ana.client(), "ben", notes, "Quiet shift")
    # writing the packet released nothing: every item is still ana's at the hub
    codes = [code_of(ana, i) for i in (a, b, c)]
    assert {hub_holders(hub)[x] for x in codes} == {("ana", "active")}
    # ben acknowledges one item and declines two
    sync_once(ben.profile)
    service = HandoffService(ben.conn, vma=ben.vma, clock=ben.clock)
    (incoming,) = service.incoming()
    _, rows = service.packet(incoming.id)
    mine = service.acknowledge(rows[0].id, "Call back tomorrow morning")
    service.decline(rows[1].id, DeclineReason.NOT_MY_LANE)
    service.decline(rows[2].id, DeclineReason.NOT_MY_LANE)
    sync_once(ben.profile)
    assert claim_state(ben, mine)[0] == "held"
    sync_once(ana.profile)
    holders = hub_holders(hub)
    assert [holders[x] for x in codes] == [
        ("ben", "active"),
        ("ana", "active"),
        ("ana", "active"),
    ]
    # ana's console: the acknowledged item is ben's claim now, the declined ones still hers
    assert claim_state(ana, a)[0] == "released"
    assert [claim_state(ana, i)[0] for i in (b, c)] == ["held", "held"]
    assert items.get_item(ana.conn, b).owner == ana.vma
    sync_once(ana.profile)  # a heartbeat after the move changes nothing
    assert [claim_state(ana, i)[0] for i in (a, b, c)] == ["released", "held", "held"]
    # a third VMA imports the same appointments: conflicts only, nothing granted
    mine_c = cat.import_appointments([1, 2, 3])
    result = sync_once(cat.profile)
    assert result.conflicts == 3
    assert [claim_state(cat, i)[:2] for i in mine_c] == [
        ("conflict", "ben"),
        ("conflict", "ana"),
        ("conflict", "ana"),
    ]
    assert in_lanes(cat) == 0
    assert len(hub_holders(hub)) == 3


def test_acknowledged_from_a_file_before_the_sender_synced(hub, team, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    (a,) = ana.import_appointments([1])
    sync_once(ana.profile)
    sender = HandoffService(
        ana.conn, vma=ana.vma, clock=ana.clock, on_change=make_change_hook(ana.conn)
    )
    receiver = HandoffService(ben.conn, vma=ben.vma, clock=ben.clock)
    sender.add_colleague("ben", receiver.my_public_key())
    packet = sender.create_packet(
        "ben", {a: HandoffNote(Priority.ROUTINE, "Not reached yet")}, "", out_dir=tmp_path
    )
    handoff_id = receiver.open_packet(packet.path)
    _, rows = receiver.packet(handoff_id)
    item_id = receiver.acknowledge(rows[0].id, "Call back at noon")
    # the offer has not reached the hub yet: ben's claim waits, the item stays in his lanes
    result = sync_once(ben.profile)
    assert result.conflicts == 0
    assert claim_state(ben, item_id)[0] == "pending"
    assert in_lanes(ben) == 1
    assert hub_holders(hub)[code_of(ana, a)] == ("ana", "active")
    sync_once(ana.profile)  # sends the offer
    sync_once(ben.profile)
    assert claim_state(ben, item_id)[0] == "held"
    assert hub_holders(hub)[code_of(ana, a)] == ("ben", "active")
    # ana learns it from the hub before any receipt file reaches her: it leaves her lanes
    sync_once(ana.profile)
    assert claim_state(ana, a)[:2] == ("released", "ben")
    assert items.get_item(ana.conn, a).owner == "ben"
    assert notes_of(ana, a)[-1] == "ben acknowledged this item (team hub): it is theirs now."


def test_done_work_stays_owned_and_reopening_claims_again(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    a, b, c = ana.import_appointments([1, 2, 3])
    sync_once(ana.profile)
    work = ana.work()
    work.complete(a)
    work.fail(b)
    work.cancel(c, wire.CloseReason.APPOINTMENT_CANCELLED)
    sync_once(ana.profile)
    codes = [code_of(ana, i) for i in (a, b, c)]
    assert {hub_holders(hub)[x] for x in codes} == {("ana", "done")}
    # ben's later import is told the work is done, and by whom: not granted
    theirs = ben.import_appointments([1, 2, 3])
    assert sync_once(ben.profile).conflicts == 3
    assert [claim_state(ben, i) for i in theirs] == [("conflict", "ana", "done")] * 3
    assert "Already done by ana" in notes_of(ben, theirs[0])[0]
    assert {r["status"] for r in conflicts(ben.conn)} == {"done"}
    assert in_lanes(ben) == 0
    # reopening claims again (the "reopened" action of WorkService.reopen)
    hook = make_change_hook(ana.conn)
    assert hook is not None
    with transaction(ana.conn):
        items.update_item(ana.conn, a, {"status": "requested"})
        hook(ana.conn, items.get_item(ana.conn, a), "reopened", {})
    sync_once(ana.profile)
    assert hub_holders(hub)[codes[0]] == ("ana", "active")
    assert claim_state(ana, a)[0] == "held"
    # ben's "Held by others" view follows: ana is working on it again
    sync_once(ben.profile)
    assert [claim_state(ben, i)[2] for i in theirs] == ["working", "done", "done"]


def test_a_lapsed_lease_is_unattended_until_a_supervisor_reassigns(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    a, b = ana.import_appointments([1, 2])
    sync_once(ana.profile)
    codes = [code_of(ana, i) for i in (a, b)]
    # ana's console is closed: her leases lapse
    with hub.engine.begin() as conn:
        conn.execute(update(hub_claims).values(lease_expires_at=1000))
    theirs = ben.import_appointments([1, 2])
    assert sync_once(ben.profile).conflicts == 2
    assert [claim_state(ben, i) for i in theirs] == [("conflict", "ana", "unattended")] * 2
    assert "unattended" in notes_of(ben, theirs[0])[0]
    sue = hub.client("sue")
    unattended = sue.unattended().claims
    assert sorted(u.pseudonym for u in unattended) == sorted(codes)
    assert {u.holder for u in unattended} == {"ana"}
    assert {u.lane for u in unattended} == {wire.Lane.CONFIRMATION}
    # the supervisor reassigns one to ben, with a reason
    sue.reassign(codes[0], "ben", wire.TakeoverReason.HOLDER_OFF_SHIFT)
    sync_once(ben.profile)
    assert claim_state(ben, theirs[0])[:2] == ("held", "ben")
    assert items.get_item(ben.conn, theirs[0]).owner == ben.vma
    assert notes_of(ben, theirs[0])[-1].startswith(
        "Reassigned to you by sue from ana (holder is off shift)"
    )
    assert claim_state(ben, theirs[1])[0] == "conflict"
    # ana comes back: the reassigned item leaves her lanes with a note; the other is hers again
    result = sync_once(ana.profile)
    assert result.lost_claims == 1
    assert claim_state(ana, a)[:2] == ("taken_over", "ben")
    assert "Reassigned to ben by sue (holder is off shift)" in notes_of(ana, a)[-1]
    assert claim_state(ana, b)[0] == "held"
    assert in_lanes(ana) == 1
    assert [u.pseudonym for u in sue.unattended().claims] == []
    # ben's view of the other item follows: ana attends to it again
    sync_once(ben.profile)
    assert claim_state(ben, theirs[1]) == ("conflict", "ana", "working")
    log = sue.conflicts().conflicts
    assert (log[0].kind, log[0].claimant, log[0].holder, log[0].by) == (
        wire.ConflictKind.REASSIGN,
        "ben",
        "ana",
        "sue",
    )


def test_takeover_reaches_the_previous_holder_with_its_reason(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    (a,) = ana.import_appointments([1])
    sync_once(ana.profile)
    (mine,) = ben.import_appointments([1])
    sync_once(ben.profile)
    (held,) = conflicts(ben.conn)
    assert (held["held_by"], held["status"]) == ("ana", "working")
    takeover(ben.conn, ben.client(), mine, wire.TakeoverReason.PATIENT_CALLED_BACK)
    assert items.get_item(ben.conn, mine).owner == ben.vma
    assert conflicts(ben.conn) == []
    # the taker's own history says why in words, not the reason's code
    assert notes_of(ben, mine)[-1] == "Taken over from ana (patient called back)."
    result = sync_once(ana.profile)
    assert result.lost_claims == 1
    assert claim_state(ana, a)[:2] == ("taken_over", "ben")
    assert notes_of(ana, a)[-1].startswith("Taken over by ben (patient called back)")
    assert in_lanes(ana) == 0
    log = hub.client("sue").conflicts().conflicts
    assert (log[0].kind, log[0].reason) == (
        wire.ConflictKind.TAKEOVER,
        wire.TakeoverReason.PATIENT_CALLED_BACK,
    )
