"""Sealed handoff envelopes: the hub keeps ciphertext until the receiver sends its receipt."""

from __future__ import annotations

from sqlalchemy import or_, select, update

from vmadesk import wire
from vmadesk.hub.db import handoffs, insert_ignore, to_dt, users
from vmadesk.hub.endpoint import (
    LIMIT_QUERY,
    UUID_PARAM,
    Ctx,
    Endpoint,
    QueryParam,
    conflict,
    limit_of,
    not_found,
    validation_error,
)
from vmadesk.wire import HandoffState

BOX_QUERY = QueryParam("box", r"^(inbox|outbox)$", "inbox (default): envelopes to the caller")


def record(row, *, with_sealed: bool) -> wire.HandoffRecord:  # type: ignore[no-untyped-def]
    """A stored handoff -> wire record (ciphertext only for its receiver)."""
    return wire.HandoffRecord(
        envelope_id=row.id,
        sender=row.sender,
        receiver=row.receiver,
        item_count=row.item_count,
        state=HandoffState(row.state),
        posted_at=to_dt(row.posted_at),
        sealed=row.sealed if with_sealed else None,
        acknowledged=row.acknowledged,
        declined=row.declined,
        receipted_at=to_dt(row.receipted_at),
    )


def post_handoff(ctx: Ctx) -> wire.HandoffRecord:
    """Store a sealed envelope for its receiver (idempotent on ``envelope_id``)."""
    body: wire.HandoffEnvelope = ctx.body
    receiver = ctx.conn.execute(
        select(users.c.name).where(users.c.name == body.receiver, users.c.revoked_at.is_(None))
    ).first()
    if receiver is None:
        raise not_found()
    insert_ignore(
        ctx.conn,
        handoffs,
        {
            "id": body.envelope_id,
            "sender": ctx.account.name,
            "receiver": body.receiver,
            "item_count": body.item_count,
            "state": HandoffState.WAITING.value,
            "sealed": body.sealed,
            "posted_at": ctx.now_ms(),
        },
        ["id"],
    )
    row = ctx.conn.execute(select(handoffs).where(handoffs.c.id == body.envelope_id)).one()
    if row.sender != ctx.account.name or row.receiver != body.receiver:
        raise conflict("envelope_id")
    return record(row, with_sealed=False)


def list_handoffs(ctx: Ctx) -> wire.HandoffList:
    """Inbox: envelopes to the caller not yet receipted (with ciphertext). Outbox: sent ones."""
    me = ctx.account.name
    if ctx.query.get("box", "inbox") == "inbox":
        stmt = select(handoffs).where(
            handoffs.c.receiver == me, handoffs.c.state != HandoffState.RECEIPTED.value
        )
        inbox = True
    else:
        stmt = select(handoffs).where(handoffs.c.sender == me)
        inbox = False
    rows = ctx.conn.execute(
        stmt.order_by(handoffs.c.posted_at, handoffs.c.id).limit(limit_of(ctx))
    ).all()
    if inbox and rows:
        ctx.conn.execute(
            update(handoffs)
            .where(
                handoffs.c.id.in_([row.id for row in rows]),
                handoffs.c.state == HandoffState.WAITING.value,
            )
            .values(state=HandoffState.FETCHED.value, fetched_at=ctx.now_ms())
        )
        rows = ctx.conn.execute(
            select(handoffs)
            .where(handoffs.c.id.in_([row.id for row in rows]))
            .order_by(handoffs.c.posted_at, handoffs.c.id)
        ).all()
    return wire.HandoffList(handoffs=[record(row, with_sealed=inbox) for row in rows])


def get_handoff(ctx: Ctx) -> wire.HandoffRecord:
    """One envelope: ciphertext for its receiver, receipt for both ends."""
    row = ctx.conn.execute(
        select(handoffs).where(
            handoffs.c.id == ctx.path["envelope_id"],
            or_(handoffs.c.receiver == ctx.account.name, handoffs.c.sender == ctx.account.name),
        )
    ).first()
    if row is None:
        raise not_found()
    return record(row, with_sealed=row.receiver == ctx.account.name)


def post_receipt(ctx: Ctx) -> wire.HandoffRecord:
    """The receiver's counts; the hub then drops the ciphertext."""
    body: wire.HandoffReceipt = ctx.body
    key = ctx.path["envelope_id"]
    row = ctx.conn.execute(
        select(handoffs).where(handoffs.c.id == key, handoffs.c.receiver == ctx.account.name)
    ).first()
    if row is None:
        raise not_found()
    if body.acknowledged + body.declined > row.item_count:
        raise conflict("acknowledged_plus_declined_exceeds_item_count")
    if body.acknowledged + body.declined == 0 and row.item_count > 0:
        # An envelope of items is answered item by item; only a relayed sealed receipt (no
        # items) is receipted with nothing in it.
        raise validation_error(["body.empty_receipt"])
    if row.state == HandoffState.RECEIPTED.value:
        if (row.acknowledged, row.declined) != (body.acknowledged, body.declined):
            raise conflict("already_receipted")
        return record(row, with_sealed=False)
    ctx.conn.execute(
        update(handoffs)
        .where(handoffs.c.id == key)
        .values(
            state=HandoffState.RECEIPTED.value,
            acknowledged=body.acknowledged,
            declined=body.declined,
            receipted_at=ctx.now_ms(),
            sealed=None,
        )
    )
    return record(
        ctx.conn.execute(select(handoffs).where(handoffs.c.id == key)).one(), with_sealed=False
    )


ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/handoffs",
        post_handoff,
        "Post a sealed handoff envelope for a receiver",
        request=wire.HandoffEnvelope,
        response=wire.HandoffRecord,
        status=201,
    ),
    Endpoint(
        "GET",
        "/v1/handoffs",
        list_handoffs,
        "The caller's inbox (with ciphertext) or outbox (receipts)",
        response=wire.HandoffList,
        query=(BOX_QUERY, LIMIT_QUERY),
    ),
    Endpoint(
        "GET",
        "/v1/handoffs/{envelope_id}",
        get_handoff,
        "One handoff envelope",
        response=wire.HandoffRecord,
        path_params={"envelope_id": UUID_PARAM},
    ),
    Endpoint(
        "POST",
        "/v1/handoffs/{envelope_id}/receipt",
        post_receipt,
        "Receiver's PHI-free receipt (acknowledged/declined counts); drops the ciphertext",
        request=wire.HandoffReceipt,
        response=wire.HandoffRecord,
        path_params={"envelope_id": UUID_PARAM},
    ),
]
