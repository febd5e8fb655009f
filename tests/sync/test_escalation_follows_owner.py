"""An item's open escalations follow its owner at the hub: handoff, takeover, reassignment.

Real consoles over a loopback hub (SQLite, and PostgreSQL when ``VMADESK_TEST_PG_URL`` is
set); the supervisor acts through the supervisor service, as the desk does.
"""

from __future__ import annotations

from tests.support.consoles import TEAM_SECRET, Console
from vmadesk import wire
from vmadesk.domain.handoff_notes import HandoffNote, Priority
from vmadesk.domain.vocabulary import EscalationCategory, Urgency
from vmadesk.services.escalation import Sbar
from vmadesk.services.handoff import HandoffService
from vmadesk.services.supervisor import SupervisorService
from vmadesk.services.sync_service import send_handoff, sync_once, takeover
from vmadesk.store import items
from vmadesk.sync.item_events import item_pseudonym


def desk(hub) -> SupervisorService:  # type: ignore[no-untyped-def]
    return SupervisorService(hub.base_url, hub.tokens["sue"])


def raise_on(console: Console, item_id: int) -> str:
    """Raise an escalation on ``item_id``, sync it, return its hub id."""
    console.escalations().raise_(
        item_id, EscalationCategory.SCHEDULING_CONFLICT, Urgency.URGENT, Sbar("Two bookings")
    )
    sync_once(console.profile)
    (row,) = console.conn.execute("SELECT hub_id FROM escalation_links").fetchall()
    return str(row[0])


def local_states(console: Console, *, open_only: bool) -> list[str]:
    return [e.state for e in console.escalations().listing(open_only=open_only)]


def test_handoff_acknowledged_moves_the_escalation_and_the_resolution_reaches_the_receiver(
    hub, team
) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    (a,) = ana.import_appointments([1])
    sync_once(ana.profile)
    hub_id = raise_on(ana, a)
    assert [e.vma for e in desk(hub).open_escalations()] == ["ana"]
    send_handoff(ana.conn, ana.client(), "ben", {a: HandoffNote(Priority.ROUTINE, "Open")}, "")
    sync_once(ben.profile)
    service = HandoffService(ben.conn, vma=ben.vma, clock=ben.clock)
    (incoming,) = service.incoming()
    _, rows = service.packet(incoming.id)
    mine = service.acknowledge(rows[0].id, "Call at noon")
    # ben's copy is linked to the same hub escalation
    linked = ben.conn.execute("SELECT hub_id FROM escalation_links").fetchall()
    assert [str(r[0]) for r in linked] == [hub_id]
    cursor = desk(hub).wait_escalations(None, 0).cursor
    sync_once(ben.profile)  # the claim moves at the hub, the escalation with it
    # the desk's long poll hears of the move (it refreshes its rows at once)
    moved = desk(hub).wait_escalations(cursor, 0).escalations
    assert [(r.escalation_id, r.vma) for r in moved] == [(hub_id, "ben")]
    (record,) = desk(hub).desk_escalations()
    assert (record.escalation_id, record.vma) == (hub_id, "ben")
    desk(hub).resolve(hub_id, wire.ResolutionCode.HANDLED_BY_SUPERVISOR)
    result = sync_once(ben.profile)
    assert result.escalation_updates == 1
    assert local_states(ben, open_only=False) == ["resolved"]
    (row,) = ben.conn.execute(
        "SELECT e.resolution_code FROM escalations e JOIN items i ON i.id = e.item_id"
        " WHERE i.id = ?",
        (mine,),
    ).fetchall()
    assert row[0] == wire.ResolutionCode.HANDLED_BY_SUPERVISOR.value
    # ana's console: the item is ben's now, so she lists no escalation on it
    sync_once(ana.profile)
    assert items.get_item(ana.conn, a).owner != ana.vma
    assert local_states(ana, open_only=False) == []
    assert ana.client().escalations(state="all").escalations == []


def test_takeover_and_reassignment_move_open_escalations_resolved_ones_stay(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team("ana"), team("ben")
    a, b = ana.import_appointments([1, 2])
    sync_once(ana.profile)
    first = raise_on(ana, a)
    desk(hub).resolve(first, wire.ResolutionCode.HANDLED_BY_SUPERVISOR)
    ana.escalations().raise_(
        a, EscalationCategory.SCHEDULING_CONFLICT, Urgency.ROUTINE, Sbar("Another one")
    )
    ana.escalations().raise_(b, EscalationCategory.SCHEDULING_CONFLICT, Urgency.ROUTINE, Sbar("B"))
    sync_once(ana.profile)
    mine_a, _ = ben.import_appointments([1, 2])
    sync_once(ben.profile)
    takeover(ben.conn, ben.client(), mine_a, wire.TakeoverReason.PATIENT_CALLED_BACK)
    by_id = {e.escalation_id: e.vma for e in desk(hub).desk_escalations(include_resolved=True)}
    assert by_id[first] == "ana"  # resolved while ana held it: stays hers
    assert sorted(by_id.values()) == ["ana", "ana", "ben"]
    # the supervisor reassigns the other item to ben after ana's lease lapsed
    hub.clock.advance(minutes=16)  # past the 15-minute lease
    code_b = item_pseudonym(TEAM_SECRET, items.get_item(ana.conn, b))
    hub.client("sue").reassign(code_b, "ben", wire.TakeoverReason.HOLDER_OFF_SHIFT)
    holders = [e.vma for e in desk(hub).open_escalations()]
    assert holders == ["ben", "ben"]
