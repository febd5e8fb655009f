"""Shift handoff: sealed packets from one VMA to the next, acknowledged item by item.

An item in a packet stays the sender's (marked *in handoff*) until the receiver
acknowledges it; a declined item goes back. The packet file carries only ciphertext and
PHI-free routing (packet id and handles); the receipt travels back sealed to the sender.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.vocabulary import DeclineReason, HandoffItemState, ItemAction, ItemStatus
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.services.handoff_payload import (
    PACKET_FORMAT,
    RECEIPT_FORMAT,
    decline_text,
    first_action,
    item_payload,
    note_text,
    read_json,
    seal_envelope,
    store_received_item,
    take_over_history,
)
from vmadesk.store import audit, box_keys, handoffs, history, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.handoffs import HandoffItemRow, HandoffRow
from vmadesk.sync import sealed

PACKET_SUFFIX = ".vmahandoff"
RECEIPT_SUFFIX = ".vmareceipt"


@dataclass(frozen=True)
class SealedPacket:
    """A packet sealed in memory: the sealed box, the file envelope around it, its ids."""

    packet_id: str
    handoff_id: int
    ciphertext: bytes
    envelope: dict[str, Any]
    code: str | None


@dataclass(frozen=True)
class PacketResult:
    """A written packet: where (None: queued for the hub), its id, the one-time code if used."""

    path: Path | None
    packet_id: str
    handoff_id: int
    code: str | None


class HandoffService:
    """Write, open, acknowledge and settle handoff packets for one VMA."""

    def __init__(
        self,
        conn: Connection,
        *,
        vma: str,
        clock: Clock = system_clock,
        on_change: ChangeHook | None = None,
    ) -> None:
        self.conn = conn
        self.vma = vma
        self.clock = clock
        self.on_change = on_change

    # -- keys --------------------------------------------------------------------------------

    def my_public_key(self) -> str:
        """This profile's public key (base64), to give to colleagues."""
        with transaction(self.conn):
            return box_keys.public_key_b64(self.conn)

    def add_colleague(self, handle: str, public_key_b64: str) -> None:
        """Remember a colleague's public key."""
        try:
            key = box_keys.parse_public_key(public_key_b64)
        except ValueError as exc:
            raise ActionRefused(f"Public key: {exc}.") from None
        with transaction(self.conn):
            box_keys.put_colleague(self.conn, handle.strip(), key)

    def colleagues(self) -> list[str]:
        """Handles of colleagues with a known public key."""
        return list(box_keys.colleagues(self.conn))

    # -- sender ------------------------------------------------------------------------------

    def create_packet(
        self,
        receiver: str,
        notes: dict[int, HandoffNote],
        shift_note: str,
        *,
        out_dir: Path,
        one_time_code: bool = False,
    ) -> PacketResult:
        """Seal open items with their notes for ``receiver`` and write the packet file."""
        packet = self.seal_packet(receiver, notes, shift_note, one_time_code=one_time_code)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"handoff-{packet.packet_id[:8]}{PACKET_SUFFIX}"
        path.write_text(json.dumps(packet.envelope), encoding="ascii")
        return PacketResult(path, packet.packet_id, packet.handoff_id, packet.code)

    def seal_packet(
        self,
        receiver: str,
        notes: dict[int, HandoffNote],
        shift_note: str,
        *,
        one_time_code: bool = False,
        transport: str = "file",
        on_sealed: Callable[[Connection, str, int, bytes], None] | None = None,
    ) -> SealedPacket:
        """Seal open items with their notes for ``receiver``, in memory (no file, no temp).

        ``on_sealed(conn, packet_id, handoff_id, box)`` runs in the same transaction (the hub
        route queues the envelope there: items are never marked in handoff without it).
        """
        if not notes:
            raise ActionRefused("Choose at least one open item to hand off.")
        for item_id, note in notes.items():
            try:
                note.validate()
            except ValueError as exc:
                raise ActionRefused(f"Item {item_id}: {exc}") from None
        known = box_keys.colleagues(self.conn)
        if not one_time_code and receiver not in known:
            raise ActionRefused(
                f"No public key for {receiver}: add their key, or use a one-time code."
            )
        now = self.clock()
        packet_id = str(uuid.uuid4())
        with transaction(self.conn):
            my_key = box_keys.secret_key(self.conn)
            body: dict[str, Any] = {
                "packet_id": packet_id,
                "sender": self.vma,
                "receiver": receiver,
                "sender_public_key": sealed.b64(bytes(my_key.public_key)),
                "created_at": now.isoformat(),
                "shift_note": shift_note,
                "items": [],
            }
            handoff_id = handoffs.insert_handoff(
                self.conn,
                direction="out",
                packet_id=packet_id,
                sender=self.vma,
                receiver=receiver,
                at=now,
                shift_note=shift_note,
            )
            for index, (item_id, note) in enumerate(notes.items()):
                item = items.get_item(self.conn, item_id)
                if not ItemStatus(item.status).is_open or item.owner != self.vma:
                    raise ActionRefused(f"Item {item_id} is not one of your open items.")
                if item.handoff_id is not None:
                    raise ActionRefused(f"Item {item_id} is already in a handoff.")
                payload = item_payload(self.conn, item, note, index)
                body["items"].append(payload)
                handoffs.insert_item(
                    self.conn,
                    handoff_id,
                    item_id=item_id,
                    source_system=item.source_system,
                    source_id=item.source_id,
                    lane=item.lane,
                    payload={"index": index, "note": note.to_dict()},
                )
                items.update_item(self.conn, item_id, {"handoff_id": handoff_id})
                if self.on_change is not None:
                    written = items.get_item(self.conn, item_id)
                    self.on_change(self.conn, written, ItemAction.HANDED_OFF, {})
            envelope, box, code = seal_envelope(body, None if one_time_code else known[receiver])
            details: dict[str, Any] = {
                "action": "sent",
                "handoff": handoff_id,
                "items": len(notes),
                "mode": envelope["mode"],
            }
            if transport != "file":
                details["transport"] = transport
            audit.append(self.conn, AuditEvent.HANDOFF, details=details)
            if on_sealed is not None:
                on_sealed(self.conn, packet_id, handoff_id, box)
        return SealedPacket(packet_id, handoff_id, box, envelope, code)

    def outgoing(self, *, open_only: bool = True) -> list[HandoffRow]:
        """Packets sent, newest first."""
        return handoffs.listing(self.conn, "out", open_only=open_only)

    def apply_receipt(self, path: Path) -> dict[str, int]:
        """Settle a packet from the receiver's receipt: acknowledged items become theirs."""
        envelope = read_json(path, RECEIPT_FORMAT)
        return self.apply_sealed_receipt(sealed.unb64(envelope["ciphertext"]), name=path.name)

    def apply_sealed_receipt(self, ciphertext: bytes, *, name: str = "receipt") -> dict[str, int]:
        """Settle a packet from a sealed receipt held in memory (e.g. relayed by the hub)."""
        with transaction(self.conn):
            key = box_keys.secret_key(self.conn)
            body = json.loads(sealed.open_sealed(key, ciphertext))
            handoff = handoffs.by_packet(self.conn, body["packet_id"], "out")
            if handoff is None:
                raise ActionRefused(f"{name}: this receipt is for a packet not sent here.")
            rows = {r.payload["index"]: r for r in handoffs.items_of(self.conn, handoff.id)}
            counts = {"acknowledged": 0, "declined": 0}
            now = self.clock()
            for result in body["results"]:
                row = rows.get(result["index"])
                if row is None or row.state != HandoffItemState.PENDING or row.item_id is None:
                    continue
                state = HandoffItemState(result["state"])
                if state is HandoffItemState.PENDING:
                    continue
                handoffs.set_item_state(
                    self.conn, row.id, state.value, now, ack_action=result.get("ack_action")
                )
                values: dict[str, Any] = {"handoff_id": None, "updated_at": now.isoformat()}
                said = (result.get("ack_action") or "").strip()
                if state is HandoffItemState.ACKNOWLEDGED:
                    values["owner"] = handoff.receiver
                    text = f"Handed off to {handoff.receiver}; acknowledged."
                    if said:
                        text += f" Their next action: {said}"
                else:
                    text = f"Handoff to {handoff.receiver} declined; back with you."
                    if said:
                        text += f" Reason: {said}"
                items.update_item(self.conn, row.item_id, values)
                history.add_note(
                    self.conn, row.item_id, at=now, text=text, author=self.vma, kind="handoff"
                )
                counts[state.value] += 1
            handoffs.close_if_done(self.conn, handoff.id)
            audit.append(
                self.conn,
                AuditEvent.HANDOFF,
                details={"action": "receipt", "handoff": handoff.id, **counts},
            )
        return counts

    # -- receiver ----------------------------------------------------------------------------

    def open_packet(self, path: Path, *, code: str | None = None) -> int:
        """Decrypt a packet addressed to this VMA and keep it (pending) in the store."""
        envelope = read_json(path, PACKET_FORMAT)
        ciphertext = sealed.unb64(envelope.get("ciphertext", ""))
        if envelope.get("mode") == "code":
            if not code:
                raise ActionRefused("This packet needs the one-time code the sender read out.")
            plaintext = sealed.open_with_code(code, sealed.unb64(envelope["salt"]), ciphertext)
        else:
            with transaction(self.conn):
                key = box_keys.secret_key(self.conn)
            plaintext = sealed.open_sealed(key, ciphertext)
        return self.open_packet_body(plaintext)

    def open_sealed_packet(self, ciphertext: bytes, *, transport: str = "hub") -> int:
        """Open a packet's sealed box (bytes in memory, e.g. fetched from the hub) and keep it."""
        with transaction(self.conn):
            key = box_keys.secret_key(self.conn)
        return self.open_packet_body(sealed.open_sealed(key, ciphertext), transport=transport)

    def open_packet_body(self, plaintext: bytes, *, transport: str = "file") -> int:
        """Keep a decrypted packet body (pending) in the store; returns the handoff id."""
        try:
            body = json.loads(plaintext)
            if not all(key in body for key in ("packet_id", "sender", "items")):
                raise ValueError("packet fields missing")
        except (ValueError, TypeError):
            raise ActionRefused("The handoff packet is damaged.") from None
        existing = handoffs.by_packet(self.conn, body["packet_id"], "in")
        if existing is not None:
            return existing.id
        with transaction(self.conn):
            handoff_id = handoffs.insert_handoff(
                self.conn,
                direction="in",
                packet_id=body["packet_id"],
                sender=body["sender"],
                receiver=self.vma,
                at=self.clock(),
                shift_note=body.get("shift_note", ""),
            )
            for payload in body["items"]:
                payload["sender_public_key"] = body["sender_public_key"]
                payload["sender"] = body["sender"]
                handoffs.insert_item(
                    self.conn,
                    handoff_id,
                    item_id=None,
                    source_system=payload["item"]["source_system"],
                    source_id=payload["item"]["source_id"],
                    lane=payload["item"]["lane"],
                    payload=payload,
                )
            details: dict[str, Any] = {
                "action": "opened",
                "handoff": handoff_id,
                "items": len(body["items"]),
            }
            if transport != "file":
                details["transport"] = transport
            audit.append(self.conn, AuditEvent.HANDOFF, details=details)
        return handoff_id

    def incoming(self, *, open_only: bool = True) -> list[HandoffRow]:
        """Packets received, newest first."""
        return handoffs.listing(self.conn, "in", open_only=open_only)

    def packet(self, handoff_id: int) -> tuple[HandoffRow, list[HandoffItemRow]]:
        """A packet and its items (incoming payloads hold PHI: show, don't keep)."""
        return handoffs.get(self.conn, handoff_id), handoffs.items_of(self.conn, handoff_id)

    def acknowledge(self, handoff_item_id: int, next_action: str) -> int:
        """Take an item over, restating the next action; returns the new item's id."""
        if not next_action.strip():
            raise ActionRefused("Restate the next action in your own words to acknowledge.")
        now = self.clock()
        with transaction(self.conn):
            row = self._pending(handoff_item_id, "in")
            payload = row.payload
            item_id = store_received_item(self.conn, row, owner=self.vma, now=now)
            held = take_over_history(self.conn, item_id, payload, now)
            note = HandoffNote.from_dict(payload["note"])
            history.add_note(
                self.conn,
                item_id,
                at=now,
                author=self.vma,
                kind="handoff",
                text=note_text(payload, note, next_action.strip()),
            )
            handoffs.set_item_state(
                self.conn,
                handoff_item_id,
                "acknowledged",
                now,
                ack_action=next_action.strip(),
                item_id=item_id,
            )
            handoffs.close_if_done(self.conn, row.handoff_id)
            audit.append(
                self.conn,
                AuditEvent.HANDOFF,
                item_id=item_id,
                details={
                    "action": "acknowledged",
                    "handoff": row.handoff_id,
                    "open_escalations": held,
                },
            )
        return item_id

    def acknowledge_all(self, handoff_id: int) -> list[int]:
        """Acknowledge in one step every pending item whose note lists the sender's actions.

        The sender's first action stands as the restated next action; items without actions
        are left pending for the receiver to decide one by one. Returns the new item ids.
        """
        _, rows = self.packet(handoff_id)
        taken = []
        for row in rows:
            first = first_action(row.payload)
            if row.state == HandoffItemState.PENDING and first:
                taken.append(self.acknowledge(row.id, first))
        return taken

    def decline(self, handoff_item_id: int, reason: DeclineReason | str, detail: str = "") -> None:
        """Send an item back to the sender with a reason (its words travel in the receipt).

        Raises:
            ActionRefused: No reason given ("Other" needs the detail).
        """
        text = decline_text(reason, detail)
        with transaction(self.conn):
            row = self._pending(handoff_item_id, "in")
            handoffs.set_item_state(
                self.conn, handoff_item_id, "declined", self.clock(), ack_action=text
            )
            handoffs.close_if_done(self.conn, row.handoff_id)
            audit.append(
                self.conn,
                AuditEvent.HANDOFF,
                details={"action": "declined", "handoff": row.handoff_id},
            )

    def _pending(self, handoff_item_id: int, direction: str) -> HandoffItemRow:
        row = handoffs.get_item(self.conn, handoff_item_id)
        if handoffs.get(self.conn, row.handoff_id).direction != direction:
            raise ActionRefused("That item is not in a packet you received.")
        if row.state != HandoffItemState.PENDING:
            raise ActionRefused(f"That item is already {row.state}.")
        return row

    def write_receipt(self, handoff_id: int, out_dir: Path) -> Path:
        """Seal the acknowledgements back to the sender (PHI-free name, sealed content)."""
        handoff = handoffs.get(self.conn, handoff_id)
        envelope = {
            "format": RECEIPT_FORMAT,
            "version": 1,
            "packet_id": handoff.packet_id,
            "ciphertext": sealed.b64(self.receipt_ciphertext(handoff_id)),
        }
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"receipt-{handoff.packet_id[:8]}{RECEIPT_SUFFIX}"
        path.write_text(json.dumps(envelope), encoding="ascii")
        return path

    def receipt_ciphertext(self, handoff_id: int) -> bytes:
        """The acknowledgements of a received packet, sealed to its sender (in memory)."""
        handoff, rows = self.packet(handoff_id)
        if handoff.direction != "in" or not rows:
            raise ActionRefused("Receipts are written for packets you received.")
        sender_key = box_keys.parse_public_key(rows[0].payload["sender_public_key"])
        body = {
            "packet_id": handoff.packet_id,
            "results": [
                {"index": r.payload["index"], "state": r.state, "ack_action": r.ack_action}
                for r in rows
            ],
        }
        return sealed.seal_to(sender_key, json.dumps(body).encode())
