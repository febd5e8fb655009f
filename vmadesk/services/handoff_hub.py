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
from datetime import datetime

from vmadesk import wire
from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import HandoffItemState, Lane, Priority
from vmadesk.services.errors import ActionRefused
from vmadesk.services.handoff import HandoffService
from vmadesk.store import box_keys, handoffs, item_queries, items
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import ItemRow
from vmadesk.store.timestamps import to_db
from vmadesk.sync import enrolment, outbox, sealed
from vmadesk.sync.hub_client import HubClient

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


def queue_handoff(
    conn: Connection,
    receiver: str,
    notes: dict[int, HandoffNote],
    shift_note: str,
    *,
    vma: str,
    now: datetime,
    on_change: ChangeHook | None = None,
) -> str:
    """Seal items to the receiver's pinned key and queue the envelope for the hub (no network).

    The items are marked in handoff, the envelope queued in the outbox and the hub bookkeeping
    written in one transaction; the next sync round sends it. Returns the envelope id.

    Raises:
        ActionRefused: No pinned key for the receiver, or an item that cannot be handed off.
    """
    if receiver not in box_keys.colleagues(conn):
        raise ActionRefused(f"No key for {receiver} yet: fetch the receivers from the hub.")
    service = HandoffService(conn, vma=vma, clock=lambda: now, on_change=on_change)

    def queue(tx: Connection, packet_id: str, handoff_id: int, box: bytes) -> None:
        envelope = wire.HandoffEnvelope(
            envelope_id=packet_id, receiver=receiver, sealed=sealed.b64(box), item_count=len(notes)
        )
        outbox.enqueue(tx, "handoff", envelope, now=now)
        tx.execute(
            "INSERT INTO hub_handoffs (envelope_id, direction, handoff_id, kind, peer, created_at)"
            " VALUES (?, 'out', ?, 'packet', ?, ?)",
            (packet_id, handoff_id, receiver, to_db(now)),
        )

    packet = service.seal_packet(receiver, notes, shift_note, transport="hub", on_sealed=queue)
    return packet.packet_id


@dataclass(frozen=True)
class HubTarget:
    """Where this console's hub is and who it is there (the token never leaves memory)."""

    url: str
    token: str
    handle: str


def hub_target(conn: Connection) -> HubTarget | None:
    """The enrolled hub, or None for a team without one (the file route then)."""
    config = enrolment.hub_config(conn)
    return None if config is None else HubTarget(config.url, config.token, config.handle)


def fetch_public_keys(target: HubTarget) -> list[wire.PublicKeyRecord]:
    """The hub's list of accounts and keys (network only: safe on a worker thread).

    Raises:
        HubUnavailable, HubRejected: From the hub client.
    """
    with HubClient(target.url, target.token) as client:
        return client.public_keys().keys


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


@dataclass(frozen=True)
class SentLine:
    """One item of a packet this VMA sent, with what the receiver answered (PHI: screen only)."""

    handoff_id: int
    receiver: str
    sent_at: str
    item_id: int | None
    patient: str
    lane: str
    state: str
    words: str


def sent_lines(conn: Connection, *, packets: int = 10) -> list[SentLine]:
    """The items of the latest packets sent, with what their receiver answered.

    Acknowledged items carry the receiver's restated next action, declined ones the reason.
    """
    lines = []
    for handoff in handoffs.listing(conn, "out", open_only=False)[:packets]:
        for row in handoffs.items_of(conn, handoff.id):
            patient = ""
            if row.item_id is not None:
                item = items.get_item(conn, row.item_id)
                patient = items.display_name(item.patient_family, item.patient_given)
            lines.append(
                SentLine(
                    handoff.id,
                    handoff.receiver,
                    handoff.created_at,
                    row.item_id,
                    patient,
                    row.lane,
                    row.state,
                    row.ack_action or "",
                )
            )
    return lines


def answered_count(conn: Connection) -> int:
    """How many items of packets sent have been acknowledged or declined (a number, no PHI)."""
    return int(
        conn.execute(
            "SELECT count(*) FROM handoff_items i JOIN handoffs h ON h.id = i.handoff_id"
            " WHERE h.direction = 'out' AND i.state != 'pending'"
        ).fetchone()[0]
    )


def open_items_to_send(conn: Connection, me: str, ids: list[int] | None) -> list[ItemRow]:
    """The items to hand off: ``ids`` (each must be mine, open, not in a handoff) or all.

    Raises:
        ActionRefused: An id that is not one of the VMA's open items, or nothing to send.
    """
    if ids is None:
        query = item_queries.ItemQuery(open_only=True, owner=me)
        rows = item_queries.page(
            conn, query, offset=0, limit=max(item_queries.count(conn, query), 1)
        )
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
