"""Sync with the team hub: send the outbox, pull what changed for this VMA, relay handoffs.

:func:`sync_once` is one round, on one connection (one thread): the CLI calls it on the main
connection, the background worker (:mod:`vmadesk.sync.worker`) on its own. A round:

1. fetches the team secret if it is still missing (sealed at the hub by a supervisor);
2. queues the next summary when one is due;
3. sends the outbox — messages in batches (at-least-once: the hub counts each idempotency key
   once), claims and releases in the order written, sealed handoff envelopes — marking rows sent
   only once the hub answered for them;
4. heartbeats the claims this console holds (a lost lease is claimed again to learn who holds it);
5. pulls the state of this VMA's escalations (acknowledged / resolved by a supervisor);
6. fetches handoff envelopes addressed to this VMA (packets and sealed receipts) and answers
   settled packets with a PHI-free receipt.

A claim refused at the hub marks the local claim ``conflict`` and moves the item out of the VMA's
lanes: its ``owner`` becomes the holder's handle (the WorkList shows the VMA's own items only),
with a note on the item and an audit entry. :func:`takeover` brings it back with a reason code,
recorded at the hub and in the audit chain.

With the hub unreachable nothing is lost: rows stay pending with a backoff, and the result says
``offline`` with the number waiting.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.vocabulary import EscalationState, ItemStatus
from vmadesk.services.handoff import HandoffService
from vmadesk.store import audit, box_keys, escalations, handoffs, history, items, settings_store
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.profile import UnlockedProfile
from vmadesk.store.timestamps import from_db, to_db
from vmadesk.sync import enrolment, outbox, sealed, summary, wire
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable
from vmadesk.sync.item_events import make_change_hook, queue_claim

log = logging.getLogger(__name__)

LEASE_SECONDS = 900
DEFAULT_SUMMARY_EVERY = timedelta(minutes=15)
_STATE_RANK = {"raised": 0, "acknowledged": 1, "resolved": 2}


class SyncAuthError(Exception):
    """The hub refused this console's token (revoked or wrong): re-enrol."""


@dataclass(frozen=True)
class SyncResult:
    """What one round did (counts only)."""

    sent: int = 0
    duplicates: int = 0
    pending: int = 0
    rejected: int = 0
    conflicts: int = 0
    escalation_updates: int = 0
    handoffs_received: int = 0
    receipts_applied: int = 0
    lost_claims: int = 0
    offline: bool = False
    error: str | None = None


@dataclass
class _Tally:
    sent: int = 0
    duplicates: int = 0
    conflicts: int = 0
    escalation_updates: int = 0
    handoffs_received: int = 0
    receipts_applied: int = 0
    lost_claims: int = 0


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


_vma = settings_store.vma_handle


def _chunks(seq: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


# -- sending ------------------------------------------------------------------------------------


def _envelope(row: outbox.OutboxRow) -> wire.Envelope | None:
    try:
        return wire.Envelope.model_validate(
            {"idempotency_key": row.idempotency_key, "message": row.payload}, strict=False
        )
    except ValidationError:
        return None


def _send_message_rows(
    conn: Connection, client: HubClient, rows: list[outbox.OutboxRow], now: datetime, t: _Tally
) -> None:
    """Send rows as one batch; a 4xx batch is split to park only the rows the hub refuses."""
    good: list[tuple[outbox.OutboxRow, wire.Envelope]] = []
    bad: list[int] = []
    for row in rows:
        env = _envelope(row)
        if env is None:
            bad.append(row.id)
        else:
            good.append((row, env))
    if bad:
        with transaction(conn):
            outbox.mark_rejected(conn, bad, "invalid_local", now=now)
    if not good:
        return
    try:
        result = client.send([env for _, env in good])
    except HubUnavailable:
        with transaction(conn):
            outbox.mark_failed(conn, [row.id for row, _ in good], "unavailable", now=now)
        raise
    except HubRejected as error:
        if error.status in (401, 403):
            raise SyncAuthError(str(error)) from None
        if len(good) == 1:
            with transaction(conn):
                outbox.mark_rejected(conn, [good[0][0].id], f"http_{error.status}", now=now)
            return
        half = len(good) // 2
        _send_message_rows(conn, client, [r for r, _ in good[:half]], now, t)
        _send_message_rows(conn, client, [r for r, _ in good[half:]], now, t)
        return
    with transaction(conn):
        outbox.mark_sent(conn, [row.id for row, _ in good], now=now)
    t.sent += len(result.accepted) + len(result.duplicates)
    t.duplicates += len(result.duplicates)


def _apply_claim_results(
    conn: Connection, results: list[wire.ClaimResult], me: str, now: datetime, t: _Tally
) -> None:
    """Record the hub's answers: held by me, or a conflict that moves the item out of my lanes."""
    for result in results:
        rows = conn.execute(
            "SELECT item_id, state FROM claims WHERE pseudonym = ?", (result.pseudonym,)
        ).fetchall()
        for item_id, state in rows:
            if state == "released":
                continue  # released locally after this claim was queued; the release follows
            if result.status is wire.ClaimStatus.GRANTED:
                conn.execute(
                    "UPDATE claims SET state = 'held', held_by = ?, held_since = ?,"
                    " lease_expires_at = ?, updated_at = ? WHERE item_id = ?",
                    (me, to_db(result.since), to_db(result.lease_expires_at), to_db(now), item_id),
                )
                continue
            if state in ("conflict", "taken_over"):
                conn.execute(
                    "UPDATE claims SET held_by = ?, held_since = ?, updated_at = ?"
                    " WHERE item_id = ?",
                    (result.held_by, to_db(result.since), to_db(now), item_id),
                )
                continue
            new_state = "taken_over" if state == "held" else "conflict"
            item = items.get_item(conn, item_id)
            conn.execute(
                "UPDATE claims SET state = ?, held_by = ?, held_since = ?, prev_owner = ?,"
                " updated_at = ? WHERE item_id = ?",
                (new_state, result.held_by, to_db(result.since), item.owner, to_db(now), item_id),
            )
            items.update_item(conn, item_id, {"owner": result.held_by, "updated_at": to_db(now)})
            since = result.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            history.add_note(
                conn,
                item_id,
                at=now,
                author="hub",
                kind="claim",
                text=(
                    f"Held by {result.held_by} since {since} (team hub): this item left your "
                    "lanes. Take it over with a reason if you must work it."
                ),
            )
            audit.append(
                conn,
                AuditEvent.CLAIM,
                item_id=item_id,
                details={"action": new_state, "holder": result.held_by},
                at=now,
            )
            t.conflicts += 1


def _send_claim_rows(
    conn: Connection,
    client: HubClient,
    rows: list[outbox.OutboxRow],
    me: str,
    now: datetime,
    t: _Tally,
) -> None:
    """Claims and releases in the order written; consecutive rows of one kind go together."""
    groups: list[list[outbox.OutboxRow]] = []
    for row in rows:
        key = (row.kind, row.payload.get("reason"))
        if (
            groups
            and (groups[-1][0].kind, groups[-1][0].payload.get("reason")) == key
            and len(groups[-1]) < wire.MAX_PSEUDONYMS
        ):
            groups[-1].append(row)
        else:
            groups.append([row])
    for group in groups:
        ids = [row.id for row in group]
        codes = [row.payload["pseudonym"] for row in group]
        try:
            if group[0].kind == "claim":
                answer = client.claim(codes, LEASE_SECONDS)
                with transaction(conn):
                    _apply_claim_results(conn, answer.results, me, now, t)
                    outbox.mark_sent(conn, ids, now=now)
            else:
                client.release(codes, wire.ReleaseReason(group[0].payload["reason"]))
                with transaction(conn):
                    outbox.mark_sent(conn, ids, now=now)
        except HubUnavailable:
            with transaction(conn):
                outbox.mark_failed(conn, ids, "unavailable", now=now)
            raise
        except HubRejected as error:
            if error.status in (401, 403):
                raise SyncAuthError(str(error)) from None
            with transaction(conn):
                outbox.mark_rejected(conn, ids, f"http_{error.status}", now=now)
        t.sent += len(group)


def _send_handoff_rows(
    conn: Connection, client: HubClient, rows: list[outbox.OutboxRow], now: datetime, t: _Tally
) -> None:
    for row in rows:
        try:
            client.post_handoff(wire.HandoffEnvelope.model_validate(row.payload, strict=False))
        except HubUnavailable:
            with transaction(conn):
                outbox.mark_failed(conn, [row.id], "unavailable", now=now)
            raise
        except HubRejected as error:
            if error.status in (401, 403):
                raise SyncAuthError(str(error)) from None
            with transaction(conn):
                outbox.mark_rejected(conn, [row.id], f"http_{error.status}", now=now)
            continue
        with transaction(conn):
            outbox.mark_sent(conn, [row.id], now=now)
        t.sent += 1


def send_outbox(
    conn: Connection,
    client: HubClient,
    *,
    me: str,
    now: datetime | None = None,
    batch_size: int = wire.MAX_BATCH,
    force: bool = False,
    tally: _Tally | None = None,
) -> _Tally:
    """Send every pending row (``force``: ignore retry times). Raises HubUnavailable."""
    current = _now(now)
    t = tally or _Tally()
    size = max(1, min(batch_size, wire.MAX_BATCH))
    while True:
        rows = outbox.pending(
            conn, size, now=current, kinds=outbox.MESSAGE_KINDS, due_only=not force
        )
        if not rows:
            break
        _send_message_rows(conn, client, rows, current, t)
    while True:
        rows = outbox.pending(conn, 2000, now=current, kinds=outbox.CLAIM_KINDS, due_only=not force)
        if not rows:
            break
        _send_claim_rows(conn, client, rows, me, current, t)
    while True:
        rows = outbox.pending(conn, 50, now=current, kinds=outbox.HANDOFF_KINDS, due_only=not force)
        if not rows:
            break
        _send_handoff_rows(conn, client, rows, current, t)
    return t


# -- pulling ------------------------------------------------------------------------------------


def _heartbeat(conn: Connection, client: HubClient, me: str, now: datetime, t: _Tally) -> None:
    held = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT c.pseudonym FROM claims c JOIN items i ON i.id = c.item_id"
            " WHERE c.state = 'held' AND i.is_open = 1"
        )
    ]
    lost: list[str] = []
    for chunk in _chunks(held, wire.MAX_PSEUDONYMS):
        result = client.heartbeat(chunk, LEASE_SECONDS)
        lost.extend(result.lost)
        if result.refreshed:
            expires = to_db(now + timedelta(seconds=LEASE_SECONDS))
            with transaction(conn):
                conn.executemany(
                    "UPDATE claims SET lease_expires_at = ?, updated_at = ? WHERE pseudonym = ?"
                    " AND state = 'held'",
                    [(expires, to_db(now), p) for p in result.refreshed],
                )
    for chunk in _chunks(lost, wire.MAX_PSEUDONYMS):
        # Claim again: granted if nobody took it meanwhile, else we learn who holds it.
        answer = client.claim(chunk, LEASE_SECONDS)
        with transaction(conn):
            before = t.conflicts
            _apply_claim_results(conn, answer.results, me, now, t)
            t.lost_claims += t.conflicts - before


def _pull_escalations(conn: Connection, client: HubClient, now: datetime, t: _Tally) -> None:
    links = conn.execute(
        "SELECT l.escalation_id, l.hub_id, l.hub_state, e.state FROM escalation_links l"
        " JOIN escalations e ON e.id = l.escalation_id WHERE l.hub_state != 'resolved'"
    ).fetchall()
    if not links:
        return
    records = {r.escalation_id: r for r in client.escalations(state="all", limit=9999).escalations}
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


def _pull_handoffs(conn: Connection, client: HubClient, vma: str, now: datetime, t: _Tally) -> None:
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
        if "results" in body:  # a sealed receipt for a packet this console sent
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
                    to_db(now) if kind == "receipt" else None,
                    to_db(now),
                ),
            )


def _reclaim_declined(conn: Connection, packet_id: str, now: datetime) -> None:
    """Items a receiver declined are the sender's again: claim them again at the hub."""
    secret = enrolment.team_secret(conn)
    handoff = handoffs.by_packet(conn, packet_id, "out")
    if secret is None or handoff is None:
        return
    with transaction(conn):
        for row in handoffs.items_of(conn, handoff.id):
            if row.state == "declined" and row.item_id is not None:
                item = items.get_item(conn, row.item_id)
                if item.owner == _vma(conn) and ItemStatus(item.status).is_open:
                    queue_claim(conn, item, secret, now)


def _send_receipts(conn: Connection, client: HubClient, vma: str, now: datetime) -> None:
    """Answer settled incoming packets: counts to the hub, per-item results sealed to the sender."""
    service = HandoffService(conn, vma=vma, clock=lambda: now)
    hook = make_change_hook(conn)
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
            if hook is not None:
                for r in states:
                    if r.state == "acknowledged" and r.item_id is not None:
                        known = conn.execute(
                            "SELECT 1 FROM claims WHERE item_id = ?", (r.item_id,)
                        ).fetchone()
                        if known is None:
                            hook(conn, items.get_item(conn, r.item_id), "imported", {})
            audit.append(
                conn,
                AuditEvent.HANDOFF,
                details={"action": "receipt_sent", "handoff": handoff_id, "transport": "hub"},
            )


# -- the round ----------------------------------------------------------------------------------


def sync_once(
    target: UnlockedProfile | Connection,
    client: HubClient | None = None,
    *,
    now: datetime | None = None,
    batch_size: int = wire.MAX_BATCH,
    summary_every: timedelta | None = DEFAULT_SUMMARY_EVERY,
    force: bool = True,
) -> SyncResult:
    """One sync round (see the module docstring).

    Args:
        target: The profile (its main connection is used) or a connection of this thread.
        client: A hub client; default: one for the stored settings, closed afterwards.
        now: The round's time.
        batch_size: Envelopes per ``POST /v1/messages``.
        summary_every: Queue a summary when the last one is this old (None: never).
        force: Send rows whose retry time has not come yet (a manual sync); the worker passes
            False to honour the backoff.

    Raises:
        vmadesk.sync.enrolment.EnrolmentError: not enrolled.
        SyncAuthError: the hub refused the token.
    """
    conn = target.conn if isinstance(target, UnlockedProfile) else target
    current = _now(now)
    config = enrolment.hub_config(conn)
    if config is None:
        raise enrolment.EnrolmentError(
            "This profile is not enrolled at a hub: run `vmadesk enroll`."
        )
    own = client is None
    hub = client or HubClient(config.url, config.token)
    vma = _vma(conn)
    t = _Tally()
    error: str | None = None
    try:
        if enrolment.team_secret(conn) is None:
            enrolment.fetch_team_secret(conn, hub)
        if (
            summary_every is not None
            and enrolment.team_secret(conn) is not None
            and summary.summary_due(conn, now=current, every=summary_every)
        ):
            with transaction(conn):
                summary.queue_summary(conn, now=current)
        send_outbox(
            conn, hub, me=config.handle, now=current, batch_size=batch_size, force=force, tally=t
        )
        _heartbeat(conn, hub, config.handle, current, t)
        _pull_escalations(conn, hub, current, t)
        _pull_handoffs(conn, hub, vma, current, t)
        _send_receipts(conn, hub, vma, current)
        # claims queued by this round (acknowledged or declined handoff items) go out now
        send_outbox(conn, hub, me=config.handle, now=current, force=True, tally=t)
        with transaction(conn):
            outbox.record_success(conn, now=current)
    except HubUnavailable:
        error = "unavailable"
        with transaction(conn):
            outbox.record_failure(conn, error, now=current)
    except HubRejected as exc:
        if exc.status in (401, 403):
            raise SyncAuthError(str(exc)) from None
        error = f"http_{exc.status}"
        with transaction(conn):
            outbox.record_failure(conn, error, now=current)
    finally:
        if own:
            hub.close()
    status = outbox.counts(conn, now=current)
    return SyncResult(
        sent=t.sent,
        duplicates=t.duplicates,
        pending=status.pending,
        rejected=status.rejected,
        conflicts=t.conflicts,
        escalation_updates=t.escalation_updates,
        handoffs_received=t.handoffs_received,
        receipts_applied=t.receipts_applied,
        lost_claims=t.lost_claims,
        offline=error == "unavailable",
        error=error,
    )


# -- takeover, handoff through the hub ---------------------------------------------------------


def takeover(
    conn: Connection,
    client: HubClient,
    item_id: int,
    reason: wire.TakeoverReason,
    *,
    now: datetime | None = None,
) -> wire.TakeoverResult:
    """Take over an item another VMA holds, with a reason code: at the hub, then locally.

    The item comes back to this VMA's lanes; the hub records the takeover (the supervisor sees
    it under conflicts) and the audit chain records it here.

    Raises:
        HubUnavailable / HubRejected: nothing changed locally.
        KeyError: no claim is known for this item.
    """
    current = _now(now)
    config = enrolment.hub_config(conn)
    row = conn.execute(
        "SELECT pseudonym, state, held_by, prev_owner FROM claims WHERE item_id = ?", (item_id,)
    ).fetchone()
    if row is None or config is None:
        raise KeyError(item_id)
    pseudonym, _state, previous, prev_owner = row
    result = client.takeover(pseudonym, reason, LEASE_SECONDS)
    with transaction(conn):
        conn.execute(
            "UPDATE claims SET state = 'held', held_by = ?, held_since = ?, lease_expires_at = ?,"
            " prev_owner = NULL, updated_at = ? WHERE item_id = ?",
            (
                config.handle,
                to_db(result.claim.since),
                to_db(result.claim.lease_expires_at),
                to_db(current),
                item_id,
            ),
        )
        items.update_item(
            conn, item_id, {"owner": prev_owner or _vma(conn), "updated_at": to_db(current)}
        )
        history.add_note(
            conn,
            item_id,
            at=current,
            author=_vma(conn),
            kind="claim",
            text=f"Taken over from {result.previous_holder or previous or 'nobody'}"
            f" ({reason.value}).",
        )
        audit.append(
            conn,
            AuditEvent.CLAIM,
            item_id=item_id,
            details={
                "action": "takeover",
                "reason": reason.value,
                "previous_holder": result.previous_holder,
            },
            at=current,
        )
    return result


def conflicts(conn: Connection) -> list[dict[str, Any]]:
    """Items that left this VMA's lanes because another VMA holds them (ids and handles only)."""
    rows = conn.execute(
        "SELECT item_id, state, held_by, held_since FROM claims"
        " WHERE state IN ('conflict', 'taken_over') ORDER BY item_id"
    ).fetchall()
    return [
        {
            "item_id": r[0],
            "state": r[1],
            "held_by": r[2],
            "held_since": from_db(r[3]) if r[3] else None,
        }
        for r in rows
    ]


def send_handoff(
    conn: Connection,
    client: HubClient,
    receiver: str,
    notes: dict[int, HandoffNote],
    shift_note: str,
    *,
    vma: str | None = None,
    now: datetime | None = None,
) -> str:
    """Hand items off through the hub: seal to the receiver's registered key, queue, send.

    The receiver's public key comes from the hub (and is remembered as a colleague). The sealed
    box goes into the outbox in one transaction with the hub bookkeeping, then the outbox is
    sent; with the hub down it waits there like every other message. Returns the envelope id.
    """
    current = _now(now)
    record = client.public_key(receiver)
    with transaction(conn):
        box_keys.put_colleague(conn, receiver, box_keys.parse_public_key(record.public_key))
    service = HandoffService(
        conn, vma=vma or _vma(conn), clock=lambda: current, on_change=make_change_hook(conn)
    )
    packet = service.seal_packet(receiver, notes, shift_note, transport="hub")
    envelope = wire.HandoffEnvelope(
        envelope_id=packet.packet_id,
        receiver=receiver,
        sealed=sealed.b64(packet.ciphertext),
        item_count=len(notes),
    )
    with transaction(conn):
        outbox.enqueue(conn, "handoff", envelope, now=current)
        conn.execute(
            "INSERT INTO hub_handoffs (envelope_id, direction, handoff_id, kind, peer, created_at)"
            " VALUES (?, 'out', ?, 'packet', ?, ?)",
            (packet.packet_id, packet.handoff_id, receiver, to_db(current)),
        )
    config = enrolment.hub_config(conn)
    with contextlib.suppress(HubUnavailable):  # queued; the next sync sends it
        send_outbox(conn, client, me=config.handle if config else "", now=current)
    return packet.packet_id


def pending_messages(conn: Connection) -> int:
    """How many outbox messages wait."""
    return outbox.pending_count(conn)
