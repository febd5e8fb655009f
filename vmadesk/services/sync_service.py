"""Sync with the team hub: send the outbox, pull what changed for this VMA, relay handoffs.

:func:`sync_once` is one round, on one connection (one thread): the CLI calls it on the main
connection, the background worker (:mod:`vmadesk.sync.worker`) on its own. A round:

1. fetches the team secret if it is still missing (sealed at the hub by a supervisor), and
   once the profile can send, runs the one-time backfill (:mod:`vmadesk.services.backfill`) of the
   work that existed before;
2. fetches the team-wide practice identities (claims whose pseudonym changed move to the new
   one: :mod:`vmadesk.services.sync_practices`) before the backfill;
3. sends the outbox — messages in batches (at-least-once: the hub counts each idempotency key
   once), claims and releases in the order written, sealed handoff envelopes — marking rows sent
   only once the hub answered for them;
4. applies the ownership moves the hub reports (taken over, reassigned, handed off:
   :mod:`vmadesk.services.sync_moves`), heartbeats the claims this console holds (a lost
   lease is claimed again to learn who holds it) and refreshes who holds the items held by
   others (working, unattended or done);
5. pulls the state of this VMA's escalations (acknowledged / resolved by a supervisor);
6. fetches handoff envelopes addressed to this VMA (packets and sealed receipts), answers
   settled packets with a PHI-free receipt, and claims the items it acknowledged (taking the
   sender's offered claims);
7. queues the next summary (every round, once enrolment is complete: the team secret is
   here), last, so that it counts what the round learnt, and sends it with the round's
   last claims.

Claims, heartbeats and takeovers live in :mod:`vmadesk.services.sync_claims`, what the hub relays
back (escalation states, handoff envelopes, receipts) in :mod:`vmadesk.services.sync_relay`;
this module sends the outbox, runs the round and hands off through the hub, and re-exports
:func:`~vmadesk.services.sync_claims.takeover` and :func:`~vmadesk.services.sync_claims.conflicts`.

With the hub unreachable nothing is lost: rows stay pending with a backoff, and the result says
``offline`` with the number waiting.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from vmadesk import wire
from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.services import backfill, conflict_handback
from vmadesk.services.handoff_hub import pin_colleague, queue_handoff
from vmadesk.services.sync_claims import (
    LEASE_SECONDS,
    conflicts,
    heartbeat,
    refresh_held_by_others,
    send_claim_rows,
    takeover,
)
from vmadesk.services.sync_moves import claim_acknowledged, pull_moves
from vmadesk.services.sync_practices import refresh_practices
from vmadesk.services.sync_relay import pull_escalations, pull_handoffs, send_receipts
from vmadesk.services.sync_round import SyncAuthError, Tally, raise_if_unauthorised, round_time
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.profile import UnlockedProfile
from vmadesk.store.settings_store import vma_handle
from vmadesk.sync import enrolment, outbox, summary
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable
from vmadesk.sync.item_events import make_change_hook

__all__ = [
    "DEFAULT_SUMMARY_EVERY",
    "LEASE_SECONDS",
    "SyncAuthError",
    "SyncResult",
    "conflicts",
    "pending_messages",
    "send_handoff",
    "send_outbox",
    "sync_once",
    "takeover",
]

#: A summary goes with every round: the board is as fresh as the console's last round, and its
#: "last sync" is that round (an idle console still reports that it is there).
DEFAULT_SUMMARY_EVERY = timedelta(0)


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


# -- sending ------------------------------------------------------------------------------------


def _envelope(row: outbox.OutboxRow) -> wire.Envelope | None:
    try:
        return wire.Envelope.model_validate(
            {"idempotency_key": row.idempotency_key, "message": row.payload}, strict=False
        )
    except ValidationError:
        return None


def _send_message_rows(
    conn: Connection, client: HubClient, rows: list[outbox.OutboxRow], now: datetime, t: Tally
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
        raise_if_unauthorised(error)
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


def _send_handoff_rows(
    conn: Connection, client: HubClient, rows: list[outbox.OutboxRow], now: datetime, t: Tally
) -> None:
    for row in rows:
        try:
            client.post_handoff(wire.HandoffEnvelope.model_validate(row.payload, strict=False))
        except HubUnavailable:
            with transaction(conn):
                outbox.mark_failed(conn, [row.id], "unavailable", now=now)
            raise
        except HubRejected as error:
            raise_if_unauthorised(error)
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
    tally: Tally | None = None,
) -> Tally:
    """Send every pending row (``force``: ignore retry times). Raises HubUnavailable."""
    current = round_time(now)
    t = tally or Tally()
    size = max(1, min(batch_size, wire.MAX_BATCH))
    while True:
        rows = outbox.pending(
            conn, size, now=current, kinds=outbox.MESSAGE_KINDS, due_only=not force
        )
        if not rows:
            break
        _send_message_rows(conn, client, rows, current, t)
    tried: set[int] = set()  # an acknowledgement waiting for its offer is asked once a round
    while True:
        rows = outbox.pending(conn, 2000, now=current, kinds=outbox.CLAIM_KINDS, due_only=not force)
        rows = [row for row in rows if row.id not in tried]
        if not rows:
            break
        tried.update(row.id for row in rows)
        send_claim_rows(conn, client, rows, me, current, t)
    while True:
        rows = outbox.pending(conn, 50, now=current, kinds=outbox.HANDOFF_KINDS, due_only=not force)
        if not rows:
            break
        _send_handoff_rows(conn, client, rows, current, t)
    return t


# -- the round ----------------------------------------------------------------------------------


def _queue_summary(conn: Connection, now: datetime, every: timedelta | None) -> None:
    """Queue the next summary when one is due and the team secret is here."""
    if (
        every is not None
        and enrolment.team_secret(conn) is not None
        and summary.summary_due(conn, now=now, every=every)
    ):
        with transaction(conn):
            summary.queue_summary(conn, now=now)


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
    current = round_time(now)
    config = enrolment.hub_config(conn)
    if config is None:
        raise enrolment.EnrolmentError(
            "This profile is not enrolled at a hub: run `vmadesk enroll`."
        )
    own = client is None
    hub = client or HubClient(config.url, config.token)
    vma = vma_handle(conn)
    t = Tally()
    error: str | None = None
    try:
        if enrolment.team_secret(conn) is None:
            enrolment.fetch_team_secret(conn, hub)
        with contextlib.suppress(HubUnavailable):  # offline: the summary is still queued
            refresh_practices(conn, hub, current)
        if backfill.backfill_due(conn):
            # Work from before the profile could send; its rows go out in this round.
            with transaction(conn):
                backfill.run_backfill(conn, now=current)
        send_outbox(
            conn, hub, me=config.handle, now=current, batch_size=batch_size, force=force, tally=t
        )
        pull_moves(conn, hub, config.handle, current, t)
        heartbeat(conn, hub, config.handle, current, t)
        refresh_held_by_others(conn, hub, current)
        pull_escalations(conn, hub, current, t)
        pull_handoffs(conn, hub, vma, current, t)
        send_receipts(conn, hub, vma, current)
        claim_acknowledged(conn, current)
        # Calls and notes made here on items another VMA turned out to hold go to that holder.
        conflict_handback.pass_back(conn, hub, current, me=config.handle, author=vma)
        # Last, so that the summary counts what this round learnt (items found held by
        # others, moved, handed over): the board matches the console after the round.
        _queue_summary(conn, current, summary_every)
        # claims queued by this round (acknowledged or declined handoff items) and the
        # summary go out now
        send_outbox(conn, hub, me=config.handle, now=current, force=True, tally=t)
        with transaction(conn):
            outbox.record_success(conn, now=current)
    except HubUnavailable:
        error = "unavailable"
        _queue_summary(conn, current, summary_every)  # offline: it goes with the next round
        with transaction(conn):
            outbox.record_failure(conn, error, now=current)
    except HubRejected as exc:
        raise_if_unauthorised(exc)
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


# -- handoff through the hub -------------------------------------------------------------------


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
    current = round_time(now)
    record = client.public_key(receiver)
    pin_colleague(conn, receiver, record.public_key)  # a changed key is refused, not trusted
    envelope_id = queue_handoff(
        conn,
        receiver,
        notes,
        shift_note,
        vma=vma or vma_handle(conn),
        now=current,
        on_change=make_change_hook(conn),
    )
    config = enrolment.hub_config(conn)
    with contextlib.suppress(HubUnavailable):  # queued; the next sync sends it
        send_outbox(conn, client, me=config.handle if config else "", now=current)
    return envelope_id


def pending_messages(conn: Connection) -> int:
    """How many outbox messages wait."""
    return outbox.pending_count(conn)
