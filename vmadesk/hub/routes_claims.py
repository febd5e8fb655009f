"""Ownership claims: first claim wins, leases with heartbeat, release, takeover, conflicts.

Safe under concurrency in the database itself: a claim is ``INSERT … ON CONFLICT DO NOTHING`` on
the pseudonym's primary key; refreshing or taking an expired lease is a conditional ``UPDATE``
whose ``WHERE`` is re-checked under the row lock (PostgreSQL) or the write lock (SQLite).
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from vmadesk.hub.app import LIMIT_QUERY, Ctx, Endpoint, conflict, limit_of
from vmadesk.hub.db import claim_events, claims, insert_ignore, now_ms, to_dt
from vmadesk.sync import wire
from vmadesk.sync.wire import ClaimStatus, ConflictKind, Role


def _result(pseudonym: str, status: ClaimStatus, holder: str, since: int, expires: int):  # type: ignore[no-untyped-def]
    return wire.ClaimResult(
        pseudonym=pseudonym,
        status=status,
        held_by=holder,
        since=to_dt(since),
        lease_expires_at=to_dt(expires),
    )


def claim_one(ctx: Ctx, pseudonym: str, lease_seconds: int, now: int) -> wire.ClaimResult:
    """Claim one pseudonym for the caller."""
    me = ctx.account.name
    expires = now + lease_seconds * 1000
    if insert_ignore(
        ctx.conn,
        claims,
        {"pseudonym": pseudonym, "holder": me, "since": now, "lease_expires_at": expires},
        ["pseudonym"],
    ):
        return _result(pseudonym, ClaimStatus.GRANTED, me, now, expires)
    # Already mine: refresh the lease (keep "since").
    refreshed = ctx.conn.execute(
        update(claims)
        .where(claims.c.pseudonym == pseudonym, claims.c.holder == me)
        .values(lease_expires_at=expires)
        .returning(claims.c.since)
    ).first()
    if refreshed is not None:
        return _result(pseudonym, ClaimStatus.GRANTED, me, refreshed.since, expires)
    # Someone else's, but the lease ran out: take it.
    taken = ctx.conn.execute(
        update(claims)
        .where(claims.c.pseudonym == pseudonym, claims.c.lease_expires_at < now)
        .values(holder=me, since=now, lease_expires_at=expires)
        .returning(claims.c.pseudonym)
    ).first()
    if taken is not None:
        return _result(pseudonym, ClaimStatus.GRANTED, me, now, expires)
    row = ctx.conn.execute(select(claims).where(claims.c.pseudonym == pseudonym)).first()
    if row is None:  # released between our statements: try once more from the top
        return claim_one(ctx, pseudonym, lease_seconds, now)
    ctx.conn.execute(
        claim_events.insert().values(
            kind=ConflictKind.CONFLICT.value,
            pseudonym=pseudonym,
            claimant=me,
            holder=row.holder,
            reason=None,
            at=now,
        )
    )
    return _result(pseudonym, ClaimStatus.HELD, row.holder, row.since, row.lease_expires_at)


def post_claims(ctx: Ctx) -> wire.ClaimResults:
    """Claim pseudonyms: granted, or held by someone since a time."""
    body: wire.Claim = ctx.body
    now = now_ms()
    # Sorted: concurrent batches lock rows in one order, so they cannot deadlock.
    seen = {p: claim_one(ctx, p, body.lease_seconds, now) for p in sorted(set(body.pseudonyms))}
    return wire.ClaimResults(results=[seen[p] for p in body.pseudonyms])


def post_heartbeat(ctx: Ctx) -> wire.HeartbeatResult:
    """Extend the caller's leases; report the ones it no longer holds."""
    body: wire.Heartbeat = ctx.body
    now = now_ms()
    refreshed, lost = [], []
    for pseudonym in sorted(set(body.pseudonyms)):
        row = ctx.conn.execute(
            update(claims)
            .where(claims.c.pseudonym == pseudonym, claims.c.holder == ctx.account.name)
            .values(lease_expires_at=now + body.lease_seconds * 1000)
            .returning(claims.c.pseudonym)
        ).first()
        (refreshed if row is not None else lost).append(pseudonym)
    return wire.HeartbeatResult(refreshed=refreshed, lost=lost)


def post_release(ctx: Ctx) -> wire.ReleaseResult:
    """Drop the caller's claims."""
    body: wire.Release = ctx.body
    released, not_held = [], []
    for pseudonym in sorted(set(body.pseudonyms)):
        result = ctx.conn.execute(
            delete(claims).where(
                claims.c.pseudonym == pseudonym, claims.c.holder == ctx.account.name
            )
        )
        (released if result.rowcount == 1 else not_held).append(pseudonym)
    return wire.ReleaseResult(released=released, not_held=not_held)


def post_takeover(ctx: Ctx) -> wire.TakeoverResult:
    """Take an item whoever holds it, recording the reason."""
    body: wire.Takeover = ctx.body
    me = ctx.account.name
    now = now_ms()
    expires = now + body.lease_seconds * 1000
    # Lock the row (PostgreSQL; SQLite holds the write lock already) to read the holder we
    # replace, then replace it. Nobody holds an unclaimed item, so there is nothing to take over
    # (a plain claim gets it): refused rather than recorded as a takeover from no one.
    stmt = select(claims.c.holder).where(claims.c.pseudonym == body.pseudonym)
    if ctx.conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = ctx.conn.execute(stmt).first()
    if row is None:
        raise conflict("pseudonym.not_claimed")
    previous = row.holder
    ctx.conn.execute(
        update(claims)
        .where(claims.c.pseudonym == body.pseudonym)
        .values(holder=me, since=now, lease_expires_at=expires)
    )
    ctx.conn.execute(
        claim_events.insert().values(
            kind=ConflictKind.TAKEOVER.value,
            pseudonym=body.pseudonym,
            claimant=me,
            holder=previous,
            reason=body.reason.value,
            at=now,
        )
    )
    return wire.TakeoverResult(
        claim=_result(body.pseudonym, ClaimStatus.GRANTED, me, now, expires),
        previous_holder=previous,
    )


def get_conflicts(ctx: Ctx) -> wire.ConflictList:
    """Refused claims and takeovers, newest first."""
    stmt = (
        select(claim_events)
        .order_by(claim_events.c.at.desc(), claim_events.c.id.desc())
        .limit(limit_of(ctx))
    )
    return wire.ConflictList(
        conflicts=[
            wire.ConflictRecord(
                kind=ConflictKind(row.kind),
                pseudonym=row.pseudonym,
                claimant=row.claimant,
                holder=row.holder,
                reason=wire.TakeoverReason(row.reason) if row.reason else None,
                at=to_dt(row.at),
            )
            for row in ctx.conn.execute(stmt)
        ]
    )


#: Claims are held by VMAs, who work items; a supervisor's token holds none.
VMA_ONLY = frozenset({Role.VMA})

ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/claims",
        post_claims,
        "Claim pseudonyms (first claim wins; an expired lease can be taken)",
        roles=VMA_ONLY,
        request=wire.Claim,
        response=wire.ClaimResults,
    ),
    Endpoint(
        "POST",
        "/v1/claims/heartbeat",
        post_heartbeat,
        "Refresh the caller's leases",
        roles=VMA_ONLY,
        request=wire.Heartbeat,
        response=wire.HeartbeatResult,
    ),
    Endpoint(
        "POST",
        "/v1/claims/release",
        post_release,
        "Release the caller's claims",
        roles=VMA_ONLY,
        request=wire.Release,
        response=wire.ReleaseResult,
    ),
    Endpoint(
        "POST",
        "/v1/claims/takeover",
        post_takeover,
        "Take over an item with a reason code (recorded)",
        roles=VMA_ONLY,
        request=wire.Takeover,
        response=wire.TakeoverResult,
    ),
    Endpoint(
        "GET",
        "/v1/conflicts",
        get_conflicts,
        "Ownership conflicts and takeovers (supervisor)",
        roles=frozenset({Role.SUPERVISOR}),
        response=wire.ConflictList,
        query=(LIMIT_QUERY,),
    ),
]
