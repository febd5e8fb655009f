"""What the hub relays back to this console: escalation states, handoff packets and receipts.

Escalations a supervisor acknowledged or resolved at the hub move forward here (never back).
Handoff envelopes addressed to this VMA are opened with the profile's key: a packet becomes an
incoming handoff, a sealed receipt settles a packet sent earlier (declined items, which stayed
the sender's, are claimed again to withdraw the offer). Settled incoming packets are answered
with counts to the hub and a receipt sealed to the sender.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime

from vmadesk import wire
from vmadesk.domain.vocabulary import EscalationState, ItemStatus
from vmadesk.services import conflict_handback
from vmadesk.services.handoff import HandoffService
from vmadesk.services.sync_round import Tally
from vmadesk.store import audit, box_keys, escalations, handoffs, history, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.settings_store import vma_handle
from vmadesk.store.timestamps import to_db
from vmadesk.sync import enrolment, sealed
from vmadesk.sync.hub_client import HubClient, HubRejected
from vmadesk.sync.item_events import queue_claim

log = logging.getLogger(__name__)

_STATE_RANK = {"raised": 0, "acknowledged": 1, "resolved": 2}


def pull_escalations(conn: Connection, client: HubClient, now: datetime, t: Tally) -> None:
    """Move this VMA's escalations forward to the state the hub has (acknowledged, resolved)."""
    links = conn.execute(
        "SELECT l.escalation_id, l.hub_id, l.hub_state, e.state FROM escalation_links l"
        " JOIN escalations e ON e.id = l.escalation_id WHERE l.hub_state != 'resolved'"
    ).fetchall()
    records = {r.escalation_id: r for r in client.escalations(state="all", limit=9999).escalations}
    adopt_forwarded_escalations(conn, list(records.values()), now)
    send_escalation_details(conn, client, [(row[0], row[1]) for row in links], records)
    for escalation_id, hub_id, hub_state, local_state in links:
        record = records.get(hub_id)
        if record is None or _STATE_RANK[record.state.value] <= _STATE_RANK[hub_state]:
            continue
        with transaction(conn):
            if _STATE_RANK[record.state.value] > _STATE_RANK.get(local_state, 0):
                at = record.resolved_at or record.acknowledged_at or now
                if (
                    record.state is EscalationState.RESOLVED
                    and local_state == "raised"
                    and record.acknowledged_at is not None
                ):
                    escalations.set_state(
                        conn, escalation_id, "acknowledged", record.acknowledged_at
                    )
                escalations.set_state(
                    conn,
                    escalation_id,
                    record.state.value,
                    at,
                    resolution_code=record.resolution.value if record.resolution else None,
                )
                row = escalations.get(conn, escalation_id)
                audit.append(
                    conn,
                    AuditEvent.ESCALATION,
                    item_id=row.item_id,
                    details={
                        "escalation": escalation_id,
                        "state": record.state.value,
                        "by": "hub",
                        "resolution": record.resolution.value if record.resolution else None,
                    },
                )
                t.escalation_updates += 1
            conn.execute(
                "UPDATE escalation_links SET hub_state = ?, updated_at = ? WHERE escalation_id = ?",
                (record.state.value, to_db(now), escalation_id),
            )


def adopt_forwarded_escalations(
    conn: Connection, records: list[wire.EscalationRecord], now: datetime
) -> int:
    """Take in the escalations this VMA holds now but never raised, with their SBAR text.

    An escalation follows its item at the hub (takeover, reassignment); the supervisor's desk
    seals its text to the new holder (:mod:`vmadesk.services.escalation_forwarding`). Each one
    joins this console's copy of the item, linked to the hub escalation, once.

    Returns:
        How many escalations were taken in.
    """
    linked = {str(r[0]) for r in conn.execute("SELECT hub_id FROM escalation_links")}
    due = [
        r
        for r in records
        if r.sealed_details is not None
        and r.state is not EscalationState.RESOLVED
        and r.escalation_id not in linked
    ]
    if not due:
        return 0
    adopted = 0
    with transaction(conn):
        key = box_keys.secret_key(conn)
        for record in due:
            row = conn.execute(
                "SELECT item_id FROM claims WHERE pseudonym = ? AND state IN ('held', 'pending')",
                (record.pseudonym,),
            ).fetchone()
            if row is None:
                continue  # the item has not reached this console yet: a later round
            try:
                assert record.sealed_details is not None
                text = json.loads(sealed.open_sealed(key, sealed.unb64(record.sealed_details)))
            except (sealed.EnvelopeError, ValueError):
                log.warning("forwarded escalation details do not open with this profile's key")
                continue
            local_id = escalations.insert(
                conn,
                {
                    "item_id": int(row[0]),
                    "raised_at": to_db(record.raised_at),
                    "category": record.category.value,
                    "urgency": record.urgency.value,
                    "situation": str(text.get("situation", "")),
                    "background": str(text.get("background", "")),
                    "assessment": str(text.get("assessment", "")),
                    "request": str(text.get("request", "")),
                    "state": record.state.value,
                    "acknowledged_at": to_db(record.acknowledged_at)
                    if record.acknowledged_at
                    else None,
                    "author": "hub",
                },
            )
            conn.execute(
                "INSERT INTO escalation_links (escalation_id, hub_id, hub_state, updated_at)"
                " VALUES (?, ?, ?, ?)",
                (local_id, record.escalation_id, record.state.value, to_db(now)),
            )
            history.add_note(
                conn,
                int(row[0]),
                at=now,
                author="hub",
                kind="claim",
                text=f"An open escalation ({record.category.label}) came with this item: "
                "read its SBAR before you call the patient.",
            )
            audit.append(
                conn,
                AuditEvent.ESCALATION,
                item_id=int(row[0]),
                details={"escalation": local_id, "state": record.state.value, "by": "forwarded"},
            )
            adopted += 1
    return adopted


def send_escalation_details(
    conn: Connection,
    client: HubClient,
    links: list[tuple[int, str]],
    records: dict[str, wire.EscalationRecord],
) -> None:
    """Seal each open escalation's SBAR text to every supervisor not served yet, and leave it.

    The text is PHI: it is sealed here to each supervisor's public key (as evidence is) and the
    hub relays ciphertext only. Supervisors who join later get it on a later round.
    """
    open_links = [
        (local_id, hub_id)
        for local_id, hub_id in links
        if hub_id in records and records[hub_id].state is not EscalationState.RESOLVED
    ]
    if not open_links:
        return
    supervisors = client.escalation_recipients().keys
    for local_id, hub_id in open_links:
        missing = [k for k in supervisors if k.handle not in records[hub_id].details_for]
        if not missing:
            continue
        row = escalations.get(conn, local_id)
        plaintext = json.dumps(
            {
                "situation": row.situation,
                "background": row.background,
                "assessment": row.assessment,
                "request": row.request,
            }
        ).encode("utf-8")
        details = wire.EscalationDetails(
            details=[
                wire.SealedDetail(
                    recipient=key.handle,
                    sealed=sealed.b64(
                        sealed.seal_to(box_keys.parse_public_key(key.public_key), plaintext)
                    ),
                )
                for key in missing
            ]
        )
        try:
            client.put_escalation_details(hub_id, details)
        except HubRejected as error:
            log.warning("escalation details refused by the hub (%s)", error.status)


def pull_handoffs(conn: Connection, client: HubClient, vma: str, now: datetime, t: Tally) -> None:
    """Open the handoff envelopes addressed to this VMA: packets in, sealed receipts applied."""
    service = HandoffService(conn, vma=vma, clock=lambda: now)
    for record in client.handoffs("inbox").handoffs:
        if record.sealed is None:
            continue
        seen = conn.execute(
            "SELECT 1 FROM hub_handoffs WHERE envelope_id = ?", (record.envelope_id,)
        ).fetchone()
        if seen is not None:
            continue
        ciphertext = sealed.unb64(record.sealed)
        with transaction(conn):
            key = box_keys.secret_key(conn)
        try:
            body = json.loads(sealed.open_sealed(key, ciphertext))
        except (sealed.EnvelopeError, ValueError):
            log.warning("a handoff envelope at the hub does not open with this profile's key")
            continue
        if conflict_handback.is_handback(body):  # a colleague's work on an item held here
            handoff_id, kind = None, "handback"
            conflict_handback.apply_handback(conn, record.sender, body, now)
            client.ack_handoff(record.envelope_id, 0, 0)  # history, no items change hands
        elif "results" in body:  # a sealed receipt for a packet this console sent
            counts = service.apply_sealed_receipt(ciphertext, name="hub receipt")
            kind, handoff_id = "receipt", None
            _reclaim_declined(conn, str(body.get("packet_id", "")), now)
            t.receipts_applied += 1
            client.ack_handoff(record.envelope_id, 0, 0)  # a receipt carries no items
            log.info("handoff receipt applied: %s", counts)
        else:
            handoff_id = service.open_sealed_packet(ciphertext, transport="hub")
            kind = "packet"
            t.handoffs_received += 1
        with transaction(conn):
            conn.execute(
                "INSERT INTO hub_handoffs (envelope_id, direction, handoff_id, kind, peer,"
                " receipted_at, created_at) VALUES (?, 'in', ?, ?, ?, ?, ?)",
                (
                    record.envelope_id,
                    handoff_id,
                    kind,
                    record.sender,
                    None if kind == "packet" else to_db(now),
                    to_db(now),
                ),
            )


def _reclaim_declined(conn: Connection, packet_id: str, now: datetime) -> None:
    """Items a receiver declined stayed the sender's: its claim withdraws the offer at the hub."""
    secret = enrolment.team_secret(conn)
    handoff = handoffs.by_packet(conn, packet_id, "out")
    if secret is None or handoff is None:
        return
    with transaction(conn):
        for row in handoffs.items_of(conn, handoff.id):
            if row.state == "declined" and row.item_id is not None:
                item = items.get_item(conn, row.item_id)
                if item.owner == vma_handle(conn) and ItemStatus(item.status).is_open:
                    queue_claim(conn, item, secret, now)


def send_receipts(conn: Connection, client: HubClient, vma: str, now: datetime) -> None:
    """Answer settled incoming packets: counts to the hub, per-item results sealed to the sender."""
    service = HandoffService(conn, vma=vma, clock=lambda: now)
    rows = conn.execute(
        "SELECT envelope_id, handoff_id, peer FROM hub_handoffs WHERE direction = 'in'"
        " AND kind = 'packet' AND receipted_at IS NULL"
    ).fetchall()
    for envelope_id, handoff_id, peer in rows:
        states = handoffs.items_of(conn, handoff_id)
        if any(r.state == "pending" for r in states):
            continue
        ack = sum(r.state == "acknowledged" for r in states)
        declined = sum(r.state == "declined" for r in states)
        receipt = wire.HandoffEnvelope(
            envelope_id=str(uuid.uuid4()),
            receiver=peer,
            sealed=sealed.b64(service.receipt_ciphertext(handoff_id)),
            item_count=0,
        )
        client.post_handoff(receipt)
        client.ack_handoff(envelope_id, ack, declined)
        with transaction(conn):
            conn.execute(
                "UPDATE hub_handoffs SET receipted_at = ? WHERE envelope_id = ?",
                (to_db(now), envelope_id),
            )
            audit.append(
                conn,
                AuditEvent.HANDOFF,
                details={"action": "receipt_sent", "handoff": handoff_id, "transport": "hub"},
            )
