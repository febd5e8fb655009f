"""Ownership moves the hub reports, and handoff acknowledgements turned into claims.

:func:`pull_moves` applies what the hub's ``GET /v1/claims/moves`` tells this VMA: an item taken
over by a colleague or reassigned away by a supervisor leaves this VMA's lanes with a note
naming who and why; an item a supervisor reassigned here comes back into them; an item whose
handoff the receiver acknowledged is no longer this console's claim.

:func:`claim_acknowledged` queues, for every item this VMA acknowledged from a handoff (through
the hub or a packet file), the claim that takes over the sender's offered claim at the hub.
"""

from __future__ import annotations

from datetime import datetime

from vmadesk import wire
from vmadesk.services.sync_claims import drop_item, reason_words
from vmadesk.services.sync_round import Tally
from vmadesk.store import audit, history, items, settings_store
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.settings_store import vma_handle
from vmadesk.store.timestamps import to_db
from vmadesk.sync import enrolment
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.item_events import queue_claim

#: Settings key: the id of the last ownership move applied here.
MOVES_CURSOR = "hub.claim_moves_after"


def _claim_rows(conn: Connection, code: str) -> list[tuple[int, str]]:
    return conn.execute("SELECT item_id, state FROM claims WHERE pseudonym = ?", (code,)).fetchall()


def _gain(conn: Connection, move: wire.ClaimMove, me: str, now: datetime) -> None:
    """A supervisor gave this VMA an item it has here (held by another until now)."""
    for item_id, state in _claim_rows(conn, move.pseudonym):
        if state == "held":
            continue
        conn.execute(
            "UPDATE claims SET state = 'held', held_by = ?, held_since = ?, held_status = NULL,"
            " prev_owner = NULL, updated_at = ? WHERE item_id = ?",
            (me, to_db(move.at), to_db(now), item_id),
        )
        items.update_item(conn, item_id, {"owner": vma_handle(conn), "updated_at": to_db(now)})
        history.add_note(
            conn,
            item_id,
            at=now,
            author="hub",
            kind="claim",
            text=f"Reassigned to you by {move.by or 'a supervisor'} from "
            f"{move.from_holder or 'nobody'} ({reason_words(move.reason)}).",
        )
        audit.append(
            conn,
            AuditEvent.CLAIM,
            item_id=item_id,
            details={"action": "reassigned_here", "from": move.from_holder, "by": move.by},
            at=now,
        )


def _lose(conn: Connection, move: wire.ClaimMove, now: datetime, t: Tally) -> None:
    """An item this VMA held moved to another: handed off, taken over or reassigned."""
    for item_id, state in _claim_rows(conn, move.pseudonym):
        if state not in ("held", "pending"):
            continue
        if move.kind is wire.ConflictKind.HANDOFF:
            # The receiver acknowledged it: the claim is theirs, and the item leaves these lanes
            # even before the receipt (which settles the packet) arrives.
            conn.execute(
                "UPDATE claims SET state = 'released', held_by = ?, updated_at = ?"
                " WHERE item_id = ?",
                (move.to_holder, to_db(now), item_id),
            )
            if items.get_item(conn, item_id).owner == vma_handle(conn):
                items.update_item(
                    conn, item_id, {"owner": move.to_holder, "updated_at": to_db(now)}
                )
                history.add_note(
                    conn,
                    item_id,
                    at=now,
                    author="hub",
                    kind="claim",
                    text=f"{move.to_holder} acknowledged this item (team hub): it is theirs now.",
                )
            continue
        if move.kind is wire.ConflictKind.REASSIGN:
            note = (
                f"Reassigned to {move.to_holder} by {move.by or 'a supervisor'} "
                f"({reason_words(move.reason)}): this item left your lanes."
            )
        else:
            note = (
                f"Taken over by {move.to_holder} ({reason_words(move.reason)}): this item "
                "left your lanes."
            )
        drop_item(
            conn,
            item_id,
            "taken_over",
            move.to_holder,
            move.at,
            status="working",
            note=note,
            now=now,
            details={
                "move": move.kind.value,
                "reason": move.reason.value if move.reason else None,
                "by": move.by,
            },
        )
        t.lost_claims += 1


def pull_moves(conn: Connection, client: HubClient, me: str, now: datetime, t: Tally) -> None:
    """Apply the ownership moves that concern this VMA since the last round."""
    after = int(settings_store.get(conn, MOVES_CURSOR) or 0)
    while True:
        moves = client.claim_moves(after, limit=500).moves
        if not moves:
            return
        with transaction(conn):
            for move in moves:
                if move.to_holder == me and move.kind is wire.ConflictKind.REASSIGN:
                    _gain(conn, move, me, now)
                elif move.from_holder == me and move.to_holder != me:
                    _lose(conn, move, now, t)
            after = moves[-1].id
            settings_store.put(conn, MOVES_CURSOR, str(after))


def claim_acknowledged(conn: Connection, now: datetime) -> int:
    """Queue the claim of every open item acknowledged from a handoff and not claimed here yet.

    Returns:
        How many claims were queued.
    """
    secret = enrolment.team_secret(conn)
    if secret is None:
        return 0
    with transaction(conn):
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT hi.item_id FROM handoff_items hi"
                " JOIN handoffs h ON h.id = hi.handoff_id"
                " JOIN items i ON i.id = hi.item_id"
                " LEFT JOIN claims c ON c.item_id = hi.item_id"
                " WHERE h.direction = 'in' AND hi.state = 'acknowledged' AND i.is_open = 1"
                " AND i.owner = ?"
                " AND (c.state IS NULL OR c.state IN ('conflict', 'taken_over', 'released'))",
                (vma_handle(conn),),
            )
        ]
        for item_id in ids:
            queue_claim(conn, items.get_item(conn, item_id), secret, now, accept_offer=True)
    return len(ids)
