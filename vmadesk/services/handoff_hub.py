"""Handoff through the team hub: receivers from the hub (keys pinned on first use), the inbox.

The hub lists the enrolled accounts and their public keys. A console pins a colleague's key
the first time it sees it; a different key later is refused, never silently trusted: a hub
that swapped keys could otherwise read every packet sealed after the swap. A key a colleague
really rotated is accepted by entering it by hand (Shift → Add colleague key), after checking
it with them.

Sending seals the packet, queues it in the outbox and marks the hub bookkeeping in one
transaction (see :func:`vmadesk.services.sync_service.send_handoff`); the receipt comes back
through the hub in a later sync round. The file and one-time-code route
(:mod:`vmadesk.services.handoff`) stays for teams without a hub.
"""

from __future__ import annotations

from dataclasses import dataclass

from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import HandoffItemState, Lane, Priority
from vmadesk.services.errors import ActionRefused
from vmadesk.store import box_keys, handoffs, items
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import ItemRow
from vmadesk.sync import wire

#: The action a note written without the form (the command line) asks of the receiver.
DEFAULT_ACTION = "Work the item as the lane's SOP says"


@dataclass(frozen=True)
class Receiver:
    """A colleague the hub lists, and whether this console can seal to them."""

    handle: str
    usable: bool
    problem: str = ""


@dataclass(frozen=True)
class InboxEntry:
    """A packet that came through the hub (PHI-free: handles, counts, times)."""

    envelope_id: str
    handoff_id: int
    sender: str
    received_at: str
    items: int
    pending: int
    receipted: bool


def changed_key_message(handle: str) -> str:
    """What the VMA reads when the hub's key for a colleague is not the pinned one."""
    return (
        f"The hub now gives a different key for {handle} than the one this console pinned; "
        f"nothing was sealed to it. Ask {handle} for the key under Shift → My public key and, "
        "if they really changed it, enter it under Shift → Add colleague key."
    )


def pin_colleague(conn: Connection, handle: str, public_key_b64: str) -> None:
    """Pin a colleague's key on first use; refuse a key that differs from the pinned one.

    Raises:
        ActionRefused: The key is not a key, or differs from the pinned one.
    """
    try:
        key = box_keys.parse_public_key(public_key_b64)
    except ValueError:
        raise ActionRefused(f"The hub's key for {handle} is not a public key.") from None
    with transaction(conn):
        known = box_keys.colleagues(conn).get(handle)
        if known is None:
            box_keys.put_colleague(conn, handle, key)
        elif bytes(known) != bytes(key):
            raise ActionRefused(changed_key_message(handle))


def receivers_from(
    conn: Connection, records: list[wire.PublicKeyRecord], me: str
) -> list[Receiver]:
    """The VMAs a handoff can go to, their keys pinned (a changed key makes one unusable)."""
    result = []
    for record in records:
        if record.role != wire.Role.VMA or record.handle == me:
            continue
        try:
            pin_colleague(conn, record.handle, record.public_key)
        except ActionRefused as exc:
            result.append(Receiver(record.handle, False, str(exc)))
            continue
        result.append(Receiver(record.handle, True))
    return result


def default_note(item: ItemRow) -> HandoffNote:
    """A PHI-free note for an item handed off without the form (lane, state, attempts)."""
    attempts = f"{item.attempt_count} attempt{'s' if item.attempt_count != 1 else ''}"
    summary = f"{Lane(item.lane).label}: {item.status.replace('-', ' ')}, {attempts} so far"
    return HandoffNote(Priority.ROUTINE, summary, (ActionStep(DEFAULT_ACTION),))


def inbox(conn: Connection, *, open_only: bool = True) -> list[InboxEntry]:
    """Packets received through the hub, oldest first (``open_only``: not yet receipted)."""
    rows = conn.execute(
        "SELECT envelope_id, handoff_id, peer, created_at, receipted_at FROM hub_handoffs"
        " WHERE direction = 'in' AND kind = 'packet' ORDER BY created_at, envelope_id"
    ).fetchall()
    entries = []
    for envelope_id, handoff_id, peer, created_at, receipted_at in rows:
        if open_only and receipted_at is not None:
            continue
        states = [r.state for r in handoffs.items_of(conn, handoff_id)]
        entries.append(
            InboxEntry(
                envelope_id=envelope_id,
                handoff_id=handoff_id,
                sender=peer,
                received_at=created_at,
                items=len(states),
                pending=sum(s == HandoffItemState.PENDING for s in states),
                receipted=receipted_at is not None,
            )
        )
    return entries


def handoff_for_envelope(conn: Connection, envelope_id: str) -> int:
    """The local packet an envelope became (ActionRefused when there is none)."""
    row = conn.execute(
        "SELECT handoff_id FROM hub_handoffs WHERE envelope_id = ? AND direction = 'in'"
        " AND kind = 'packet'",
        (envelope_id,),
    ).fetchone()
    if row is None:
        raise ActionRefused(f"No handoff {envelope_id} in the inbox: run the inbox first.")
    return int(row[0])


def came_through_hub(conn: Connection, handoff_id: int) -> bool:
    """Whether a received packet came through the hub (its receipt then goes back there)."""
    row = conn.execute(
        "SELECT 1 FROM hub_handoffs WHERE handoff_id = ? AND direction = 'in'", (handoff_id,)
    ).fetchone()
    return row is not None


def receipt_lines(conn: Connection, handoff_id: int) -> list[tuple[int | None, str, str]]:
    """A sent packet's settled items: (item id, state, receiver's next action or reason)."""
    return [
        (row.item_id, row.state, row.ack_action or "")
        for row in handoffs.items_of(conn, handoff_id)
        if row.state != HandoffItemState.PENDING
    ]


def open_items_to_send(conn: Connection, me: str, ids: list[int] | None) -> list[ItemRow]:
    """The items to hand off: ``ids`` (each must be mine, open, not in a handoff) or all.

    Raises:
        ActionRefused: An id that is not one of the VMA's open items, or nothing to send.
    """
    if ids is None:
        query = items.ItemQuery(open_only=True, owner=me)
        rows = items.page(conn, query, offset=0, limit=max(items.count(conn, query), 1))
        chosen = [row for row in rows if row.handoff_id is None]
    else:
        chosen = []
        for item_id in ids:
            try:
                row = items.get_item(conn, item_id)
            except KeyError:
                raise ActionRefused(f"Item {item_id}: no such item.") from None
            chosen.append(row)
    if not chosen:
        raise ActionRefused("You hold no open item to hand off.")
    return chosen
