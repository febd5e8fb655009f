"""Ownership moves around a claim: handoff offers, unattended work, reassignment, notices.

- A handoff's sender *offers* its claims to the receiver; the claims stay the sender's until the
  receiver acknowledges an item (``accept_offer`` on its claim, :mod:`vmadesk.hub.routes.claims`).
- A claim whose lease lapsed is *unattended*: listed for supervisors, who may reassign it to
  another VMA with a reason (recorded; both VMAs learn it from their moves).
- ``GET /v1/claims/moves`` tells a VMA the takeovers, reassignments and handoffs that concern it,
  so its console drops (or gains) the item with a note.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select, update

from vmadesk import wire
from vmadesk.hub.db import claim_events, claims, item_events, to_dt, users
from vmadesk.hub.endpoint import (
    LIMIT_QUERY,
    Ctx,
    Endpoint,
    QueryParam,
    conflict,
    limit_of,
    not_found,
)
from vmadesk.hub.routes.claims import (
    ACTIVE,
    ANY_RECEIVER,
    DONE,
    locked_claim,
    move_claim,
    record_event,
)
from vmadesk.wire import ConflictKind, Lane, Role

#: Lease a reassigned claim starts with: the new holder's console refreshes it on its next round.
REASSIGN_LEASE_MS = 900_000
AFTER_QUERY = QueryParam("after", r"^[0-9]{1,10}$", "only moves with a larger id")
#: Largest id an ``Integer`` primary key holds on PostgreSQL (a larger ``after`` matches nothing).
_MAX_ID = 2**31 - 1
_MOVE_KINDS = (ConflictKind.TAKEOVER.value, ConflictKind.REASSIGN.value, ConflictKind.HANDOFF.value)


def _active_vma(ctx: Ctx, handle: str) -> bool:
    row = ctx.conn.execute(
        select(users.c.role).where(users.c.name == handle, users.c.revoked_at.is_(None))
    ).first()
    return row is not None and row.role == Role.VMA.value


def post_offer(ctx: Ctx) -> wire.ClaimOfferResult:
    """Offer the caller's claims to a handoff's receiver; they stay the caller's until accepted."""
    body: wire.ClaimOffer = ctx.body
    to = body.to if body.to is not None and _active_vma(ctx, body.to) else ANY_RECEIVER
    offered, not_held = [], []
    for pseudonym in sorted(set(body.pseudonyms)):
        result = ctx.conn.execute(
            update(claims)
            .where(
                claims.c.pseudonym == pseudonym,
                claims.c.holder == ctx.account.name,
                claims.c.state == ACTIVE,
            )
            .values(offered_to=to)
        )
        (offered if result.rowcount == 1 else not_held).append(pseudonym)
    return wire.ClaimOfferResult(offered=offered, not_held=not_held)


def post_lookup(ctx: Ctx) -> wire.ClaimResults:
    """The current holder of each claimed pseudonym (unclaimed ones are left out)."""
    body: wire.ClaimLookup = ctx.body
    rows = {
        row.pseudonym: row
        for row in ctx.conn.execute(
            select(claims).where(claims.c.pseudonym.in_(sorted(set(body.pseudonyms))))
        )
    }
    results = []
    for pseudonym in dict.fromkeys(body.pseudonyms):
        row = rows.get(pseudonym)
        if row is None:
            continue
        if row.holder == ctx.account.name:
            status = wire.ClaimStatus.GRANTED
        else:
            status = wire.ClaimStatus.DONE if row.state == DONE else wire.ClaimStatus.HELD
        results.append(
            wire.ClaimResult(
                pseudonym=pseudonym,
                status=status,
                held_by=row.holder,
                since=to_dt(row.since),
                lease_expires_at=to_dt(row.lease_expires_at),
            )
        )
    return wire.ClaimResults(results=results)


def get_unattended(ctx: Ctx) -> wire.UnattendedList:
    """Active claims whose lease lapsed, longest lapsed first (with their lane when known)."""
    now = ctx.now_ms()
    rows = ctx.conn.execute(
        select(claims)
        .where(claims.c.state == ACTIVE, claims.c.lease_expires_at < now)
        .order_by(claims.c.lease_expires_at, claims.c.pseudonym)
        .limit(limit_of(ctx))
    ).all()
    lanes: dict[str, str] = {}
    codes = [row.pseudonym for row in rows]
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        for code, lane in ctx.conn.execute(
            select(item_events.c.pseudonym, item_events.c.lane).where(
                item_events.c.pseudonym.in_(chunk)
            )
        ):
            lanes[code] = lane
    return wire.UnattendedList(
        claims=[
            wire.UnattendedClaim(
                pseudonym=row.pseudonym,
                holder=row.holder,
                since=to_dt(row.since),
                lease_expired_at=to_dt(row.lease_expires_at),
                lane=Lane(lanes[row.pseudonym]) if row.pseudonym in lanes else None,
            )
            for row in rows
        ]
    )


def post_reassign(ctx: Ctx) -> wire.TakeoverResult:
    """A supervisor gives an item to another VMA, with a reason (recorded, seen by both VMAs)."""
    body: wire.Reassign = ctx.body
    if not _active_vma(ctx, body.to):
        raise conflict("to")
    row = locked_claim(ctx.conn, body.pseudonym)
    if row is None:
        raise not_found()
    if row.state == DONE:
        raise conflict("done")
    now = ctx.now_ms()
    expires = now + REASSIGN_LEASE_MS
    move_claim(ctx.conn, body.pseudonym, body.to, now, expires)
    record_event(
        ctx.conn,
        ConflictKind.REASSIGN,
        body.pseudonym,
        body.to,
        row.holder,
        now,
        reason=body.reason,
        actor=ctx.account.name,
        practice=row.practice,
    )
    return wire.TakeoverResult(
        claim=wire.ClaimResult(
            pseudonym=body.pseudonym,
            status=wire.ClaimStatus.GRANTED,
            held_by=body.to,
            since=to_dt(now),
            lease_expires_at=to_dt(expires),
        ),
        previous_holder=row.holder,
    )


def get_moves(ctx: Ctx) -> wire.ClaimMoveList:
    """Takeovers, reassignments and handoffs to or from the caller, oldest first."""
    me = ctx.account.name
    after = min(int(ctx.query.get("after", "0")), _MAX_ID)
    stmt = (
        select(claim_events)
        .where(
            claim_events.c.id > after,
            claim_events.c.kind.in_(_MOVE_KINDS),
            or_(claim_events.c.holder == me, claim_events.c.claimant == me),
            # a takeover by the caller is known to it already
            ~and_(
                claim_events.c.kind == ConflictKind.TAKEOVER.value, claim_events.c.claimant == me
            ),
        )
        .order_by(claim_events.c.id)
        .limit(limit_of(ctx))
    )
    return wire.ClaimMoveList(
        moves=[
            wire.ClaimMove(
                id=row.id,
                kind=ConflictKind(row.kind),
                pseudonym=row.pseudonym,
                from_holder=row.holder,
                to_holder=row.claimant,
                reason=wire.TakeoverReason(row.reason) if row.reason else None,
                by=row.actor,
                at=to_dt(row.at),
            )
            for row in ctx.conn.execute(stmt)
        ]
    )


ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/claims/offer",
        post_offer,
        "Offer the caller's claims to a handoff's receiver (they move on acknowledgement)",
        roles=frozenset({Role.VMA}),
        request=wire.ClaimOffer,
        response=wire.ClaimOfferResult,
    ),
    Endpoint(
        "POST",
        "/v1/claims/lookup",
        post_lookup,
        "Who holds these items now (nothing is claimed or recorded)",
        roles=frozenset({Role.VMA}),
        request=wire.ClaimLookup,
        response=wire.ClaimResults,
    ),
    Endpoint(
        "GET",
        "/v1/claims/moves",
        get_moves,
        "Takeovers, reassignments and handoffs that concern the caller",
        roles=frozenset({Role.VMA}),
        response=wire.ClaimMoveList,
        query=(AFTER_QUERY, LIMIT_QUERY),
    ),
    Endpoint(
        "GET",
        "/v1/claims/unattended",
        get_unattended,
        "Work whose holder's lease lapsed (supervisor)",
        roles=frozenset({Role.SUPERVISOR}),
        response=wire.UnattendedList,
        query=(LIMIT_QUERY,),
    ),
    Endpoint(
        "POST",
        "/v1/claims/reassign",
        post_reassign,
        "Reassign an item to another VMA with a reason (supervisor)",
        roles=frozenset({Role.SUPERVISOR}),
        request=wire.Reassign,
        response=wire.TakeoverResult,
        notifies=True,  # an escalation may have moved with the item
    ),
]
