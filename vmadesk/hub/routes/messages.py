"""``POST /v1/messages`` (the console's outbox), ``GET /v1/summaries``, ``GET /v1/events``.

Idempotency keys are scoped per sender: the hub stores a UUIDv5 of (sender, key), so one VMA's
key can never make another VMA's message look like a duplicate and be dropped.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, func, select, update

from vmadesk import wire
from vmadesk.hub.db import (
    audit_heads,
    claims,
    escalations,
    insert_ignore,
    item_events,
    messages,
    summaries,
    to_dt,
    to_ms,
)
from vmadesk.hub.endpoint import (
    LIMIT_QUERY,
    Ctx,
    Endpoint,
    HubError,
    QueryParam,
    conflict,
    forbidden,
    limit_of,
    validation_error,
)
from vmadesk.hub.routes.claims import ACTIVE
from vmadesk.wire import EscalationState, Role

VMA_QUERY = QueryParam("vma", wire.HANDLE_PATTERN, "only this VMA (supervisors)")
PSEUDONYM_QUERY = QueryParam("pseudonym", wire.HEX64_PATTERN, "only this item")


def scope_vma(ctx: Ctx) -> str | None:
    """The VMA whose data the caller may read: a VMA reads only their own."""
    wanted = ctx.query.get("vma")
    if ctx.account.is_supervisor:
        return wanted
    if wanted is not None and wanted != ctx.account.name:
        raise forbidden("vma")
    return ctx.account.name


#: Namespace of the stored, sender-scoped idempotency keys.
_KEY_NAMESPACE = uuid.UUID("5b0f1c4e-7d1a-4f3e-9a57-3c9e2b6d8f10")


def scoped_key(sender: str, key: str) -> str:
    """The stored idempotency key: unique per (sender, key)."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"{sender}\n{key}"))


def _seen_before(ctx: Ctx, sender: str, key: str) -> bool:
    # Rows stored before keys were scoped hold the key as sent.
    return (
        ctx.conn.execute(
            select(messages.c.id).where(
                messages.c.idempotency_key == key, messages.c.sender == sender
            )
        ).first()
        is not None
    )


def post_messages(ctx: Ctx) -> wire.BatchResult:
    """Store each new envelope once; report the keys already counted as duplicates.

    Item events and escalations are a VMA's work: a supervisor's token may not post them.
    """
    batch: wire.Batch = ctx.body
    now = ctx.now_ms()
    sender = ctx.account.name
    accepted: list[str] = []
    duplicates: list[str] = []
    for index, envelope in enumerate(batch.envelopes):
        message = envelope.message
        if ctx.account.is_supervisor and not isinstance(message, wire.Summary):
            raise forbidden("role")
        row = None
        if not _seen_before(ctx, sender, envelope.idempotency_key):
            row = insert_ignore(
                ctx.conn,
                messages,
                {
                    "idempotency_key": scoped_key(sender, envelope.idempotency_key),
                    "sender": sender,
                    "kind": message.kind,
                    "received_at": now,
                },
                ["idempotency_key"],
            )
        if row is None:
            duplicates.append(envelope.idempotency_key)
            continue
        accepted.append(envelope.idempotency_key)
        message_id = row[0]
        if isinstance(message, wire.Summary):
            _check_summary(ctx, message, index, now)
            ctx.conn.execute(
                summaries.insert().values(
                    message_id=message_id,
                    vma=sender,
                    interval_start=to_ms(message.interval_start),
                    interval_end=to_ms(message.interval_end),
                    received_at=now,
                    body=message.model_dump_json(),
                )
            )
        elif isinstance(message, wire.ItemEvent):
            ctx.conn.execute(
                item_events.insert().values(
                    message_id=message_id,
                    vma=sender,
                    pseudonym=message.pseudonym,
                    lane=message.lane.value,
                    event=message.event.value,
                    outcome=message.outcome.value if message.outcome else None,
                    close_reason=message.close_reason.value if message.close_reason else None,
                    hold_reason=message.hold_reason.value if message.hold_reason else None,
                    seconds_from_due=message.seconds_from_due,
                    attempt_count=message.attempt_count,
                    received_at=now,
                )
            )
        else:
            _store_escalation(ctx, message, message_id, now)
    return wire.BatchResult(accepted=accepted, duplicates=duplicates)


#: How far ahead of the hub's clock a console's time may be (clocks drift; minutes, not hours).
MAX_CLOCK_AHEAD_MS = 10 * 60 * 1000


def _check_summary(ctx: Ctx, message: wire.Summary, index: int, now: int) -> None:
    """Refuse (422) a summary whose times cannot be a console's round.

    The board shows each VMA's latest summary and drops summaries inside another's interval, so
    a summary dated in the future, or starting inside an interval already reported (other than
    a growing "so far" snapshot from the same start), would wipe figures that are true.
    """
    at = f"envelopes.{index}.message"
    start, end = to_ms(message.interval_start), to_ms(message.interval_end)
    bad = [
        f"{at}.{name}.clock_skew"
        for name, value in (
            ("interval_end", end),
            ("shift_start", message.shift_start and to_ms(message.shift_start)),
            ("shift_end", message.shift_end and to_ms(message.shift_end)),
        )
        if value and value > now + MAX_CLOCK_AHEAD_MS
    ]
    if not bad:
        sender = ctx.account.name
        latest = ctx.conn.execute(
            select(func.max(summaries.c.interval_end)).where(summaries.c.vma == sender)
        ).scalar_one()
        if latest is not None and start < latest:
            same_start = ctx.conn.execute(
                select(summaries.c.id)
                .where(summaries.c.vma == sender, summaries.c.interval_start == start)
                .limit(1)
            ).first()
            if same_start is None or end < latest:
                bad.append(f"{at}.interval_start.overlaps_reported")
    if bad:
        raise validation_error(bad)
    _advance_audit_head(ctx, message.audit_head, f"{at}.audit_head", now)


def _advance_audit_head(ctx: Ctx, head: wire.AuditHead, at: str, now: int) -> None:
    """Keep the console's highest audit head; refuse (422) a head that went backwards.

    A console's audit chain only grows. A lower counter, or the same counter with another
    hash, means the database was restored from an older copy or the chain was cut short or
    rewritten: the summary is refused, and the refusal is kept (in its own transaction, the
    request's is rolled back) for the supervisor's board.
    """
    sender = ctx.account.name
    row = ctx.conn.execute(
        select(audit_heads.c.seq, audit_heads.c.hash).where(audit_heads.c.vma == sender)
    ).first()
    if row is None:
        values = {"vma": sender, "seq": head.seq, "hash": head.hash, "at": now}
        if insert_ignore(ctx.conn, audit_heads, values, ["vma"]):
            return
        row = ctx.conn.execute(
            select(audit_heads.c.seq, audit_heads.c.hash).where(audit_heads.c.vma == sender)
        ).first()
    if head.seq < row.seq or (head.seq == row.seq and head.hash != row.hash):

        def record(conn: Connection) -> None:
            conn.execute(
                update(audit_heads)
                .where(audit_heads.c.vma == sender)
                .values(went_back_at=now, went_back_seq=head.seq)
            )

        raise HubError(
            422, wire.ErrorCode.VALIDATION_FAILED, [f"{at}.went_backwards"], record=record
        )
    if head.seq > row.seq:
        ctx.conn.execute(
            update(audit_heads)
            .where(audit_heads.c.vma == sender)
            .values(seq=head.seq, hash=head.hash, at=now)
        )


def escalation_raiser(conn: Connection, escalation_id: str) -> str | None:
    """Who raised an escalation (the sender of its message; its holder may have changed)."""
    return conn.execute(
        select(messages.c.sender)
        .join(escalations, escalations.c.message_id == messages.c.id)
        .where(escalations.c.id == escalation_id)
    ).scalar_one_or_none()


def _store_escalation(ctx: Ctx, message: wire.EscalationRaised, message_id: int, now: int) -> None:
    """Store an escalation once; another VMA's escalation id is refused (409), not dropped.

    It is filed under whoever holds the item: the raiser, or the VMA the item moved to before
    the raiser's console could send it (a handoff, takeover or reassignment while offline).
    """
    sender = ctx.account.name
    holder = ctx.conn.execute(
        select(claims.c.holder).where(
            claims.c.pseudonym == message.pseudonym, claims.c.state == ACTIVE
        )
    ).scalar_one_or_none()
    if (
        not insert_ignore(
            ctx.conn,
            escalations,
            {
                "id": message.escalation_id,
                "message_id": message_id,
                "vma": holder or sender,
                "category": message.category.value,
                "urgency": message.urgency.value,
                "urgency_rank": message.urgency.rank,
                "lane": message.lane.value,
                "pseudonym": message.pseudonym,
                "age_seconds": message.age_seconds,
                "raised_at": now,
                "state": EscalationState.RAISED.value,
            },
            ["id"],
        )
        and escalation_raiser(ctx.conn, message.escalation_id) != sender
    ):
        raise conflict("escalation_id")


def get_summaries(ctx: Ctx) -> wire.SummaryList:
    """Summaries, newest first: the team for supervisors, one's own for a VMA."""
    stmt = select(summaries.c.vma, summaries.c.received_at, summaries.c.body)
    vma = scope_vma(ctx)
    if vma is not None:
        stmt = stmt.where(summaries.c.vma == vma)
    stmt = stmt.order_by(summaries.c.received_at.desc(), summaries.c.id.desc()).limit(limit_of(ctx))
    return wire.SummaryList(
        summaries=[
            wire.SummaryRecord(
                vma=row.vma,
                received_at=to_dt(row.received_at),
                summary=wire.Summary.model_validate_json(row.body),
            )
            for row in ctx.conn.execute(stmt)
        ]
    )


def event_record(row) -> wire.ItemEventRecord:  # type: ignore[no-untyped-def]
    """A stored item event row -> wire record."""
    return wire.ItemEventRecord(
        vma=row.vma,
        received_at=to_dt(row.received_at),
        event=wire.ItemEvent(
            pseudonym=row.pseudonym,
            lane=wire.Lane(row.lane),
            event=wire.ItemEventKind(row.event),
            outcome=wire.Outcome(row.outcome) if row.outcome else None,
            close_reason=wire.CloseReason(row.close_reason) if row.close_reason else None,
            hold_reason=wire.HoldReason(row.hold_reason) if row.hold_reason else None,
            seconds_from_due=row.seconds_from_due,
            attempt_count=row.attempt_count,
        ),
    )


def get_events(ctx: Ctx) -> wire.ItemEventList:
    """Item events, oldest first (a PHI-free timeline when filtered by pseudonym)."""
    stmt = select(item_events)
    vma = scope_vma(ctx)
    if vma is not None:
        stmt = stmt.where(item_events.c.vma == vma)
    if "pseudonym" in ctx.query:
        stmt = stmt.where(item_events.c.pseudonym == ctx.query["pseudonym"])
    stmt = stmt.order_by(item_events.c.id).limit(limit_of(ctx, 5000))
    return wire.ItemEventList(events=[event_record(row) for row in ctx.conn.execute(stmt)])


ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/messages",
        post_messages,
        "Send a batch of outbox envelopes (idempotent per idempotency_key)",
        roles=frozenset({Role.VMA, Role.SUPERVISOR}),
        request=wire.Batch,
        response=wire.BatchResult,
        notifies=True,
    ),
    Endpoint(
        "GET",
        "/v1/summaries",
        get_summaries,
        "Summaries: the team (supervisor) or one's own (VMA)",
        response=wire.SummaryList,
        query=(VMA_QUERY, LIMIT_QUERY),
    ),
    Endpoint(
        "GET",
        "/v1/events",
        get_events,
        "Item events: the team (supervisor) or one's own (VMA), oldest first",
        response=wire.ItemEventList,
        query=(VMA_QUERY, PSEUDONYM_QUERY, QueryParam("limit", r"^[1-9][0-9]{0,4}$")),
    ),
]
