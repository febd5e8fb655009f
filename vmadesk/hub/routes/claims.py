"""Ownership claims: first claim wins, and a claim lives as long as the item.

A claim is never dropped: completing, failing or cancelling an item marks it ``done`` (a later
claim by another VMA is told who did it); a lapsed lease makes it *unattended* for the supervisor
(another VMA's claim is refused, never granted); a handoff moves it only when the receiver
acknowledges an item its holder offered (``accept_offer``); a takeover or a supervisor's
reassignment moves it with a recorded reason.

Safe under concurrency in the database itself: a claim is ``INSERT … ON CONFLICT DO NOTHING`` on
the pseudonym's primary key; an existing row is read under its row lock (PostgreSQL ``FOR
UPDATE``; SQLite holds the write lock for the whole transaction) before it is changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from vmadesk import wire
from vmadesk.hub.db import (
    claim_events,
    claims,
    escalations,
    insert_ignore,
    practice_aliases,
    to_dt,
)
from vmadesk.hub.endpoint import LIMIT_QUERY, Ctx, Endpoint, conflict, limit_of, validation_error
from vmadesk.wire import ClaimStatus, ConflictKind, EscalationState, Role

ACTIVE = "active"
DONE = "done"
#: Release reasons that end the work: the claim stays, as done work.
DONE_REASONS = frozenset(
    {wire.ReleaseReason.COMPLETED, wire.ReleaseReason.FAILED, wire.ReleaseReason.CANCELLED}
)
#: ``offered_to`` of a claim offered to whoever acknowledges the handoff.
ANY_RECEIVER = "*"


def _result(pseudonym: str, status: ClaimStatus, holder: str, since: int, expires: int):  # type: ignore[no-untyped-def]
    return wire.ClaimResult(
        pseudonym=pseudonym,
        status=status,
        held_by=holder,
        since=to_dt(since),
        lease_expires_at=to_dt(expires),
    )


def locked_claim(conn: Connection, pseudonym: str) -> Any:
    """The claim row of ``pseudonym`` under its row lock, or ``None``."""
    stmt = select(claims).where(claims.c.pseudonym == pseudonym)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def record_event(
    conn: Connection,
    kind: ConflictKind,
    pseudonym: str,
    claimant: str,
    holder: str | None,
    at: int,
    reason: wire.TakeoverReason | None = None,
    actor: str | None = None,
    practice: str | None = None,
) -> None:
    """Append one ownership event (what the supervisor and the VMAs concerned see)."""
    conn.execute(
        claim_events.insert().values(
            kind=kind.value,
            pseudonym=pseudonym,
            claimant=claimant,
            holder=holder,
            reason=reason.value if reason else None,
            at=at,
            actor=actor,
            practice=practice,
        )
    )


def move_claim(conn: Connection, pseudonym: str, holder: str, now: int, expires: int) -> None:
    """Give the (locked) claim to ``holder``: active, a new lease, no offer pending.

    The item's open escalations go with it (handoff, takeover, reassignment): the supervisor's
    acknowledgement and resolution must reach the VMA who holds the item now, and the desk
    shows that VMA. Resolved ones stay with whoever held the item then.
    """
    conn.execute(
        update(claims)
        .where(claims.c.pseudonym == pseudonym)
        .values(holder=holder, since=now, lease_expires_at=expires, state=ACTIVE, offered_to=None)
    )
    conn.execute(
        update(escalations)
        .where(
            escalations.c.pseudonym == pseudonym,
            escalations.c.state != EscalationState.RESOLVED.value,
        )
        .values(vma=holder, moved_at=now)
    )


def claim_one(
    ctx: Ctx,
    pseudonym: str,
    lease_seconds: int,
    now: int,
    accept_offer: bool = False,
    practice: str | None = None,
) -> wire.ClaimResult:
    """Claim one pseudonym for the caller (``practice``: its team practice id, if named)."""
    me = ctx.account.name
    expires = now + lease_seconds * 1000
    values = {
        "pseudonym": pseudonym,
        "holder": me,
        "since": now,
        "lease_expires_at": expires,
        "practice": practice,
    }
    if insert_ignore(ctx.conn, claims, values, ["pseudonym"]):
        return _result(pseudonym, ClaimStatus.GRANTED, me, now, expires)
    row = locked_claim(ctx.conn, pseudonym)
    if row is None:  # dropped (rekeyed) between the two statements: claim it afresh
        return claim_one(ctx, pseudonym, lease_seconds, now, accept_offer, practice)
    practice = practice or row.practice
    if row.holder == me:
        # Mine: refresh the lease and keep "since". A claim on done work reopens it; a claim by
        # the holder withdraws an offer the receiver declined.
        ctx.conn.execute(
            update(claims)
            .where(claims.c.pseudonym == pseudonym)
            .values(lease_expires_at=expires, state=ACTIVE, offered_to=None, practice=practice)
        )
        return _result(pseudonym, ClaimStatus.GRANTED, me, row.since, expires)
    if accept_offer and row.state == ACTIVE and row.offered_to in (me, ANY_RECEIVER):
        move_claim(ctx.conn, pseudonym, me, now, expires)
        record_event(
            ctx.conn, ConflictKind.HANDOFF, pseudonym, me, row.holder, now, practice=practice
        )
        return _result(pseudonym, ClaimStatus.GRANTED, me, now, expires)
    # Someone else's, working, unattended (a lapsed lease) or done: never granted.
    if not accept_offer:  # an acknowledgement waiting for the sender's offer is no conflict
        record_event(
            ctx.conn, ConflictKind.CONFLICT, pseudonym, me, row.holder, now, practice=practice
        )
    status = ClaimStatus.DONE if row.state == DONE else ClaimStatus.HELD
    return _result(pseudonym, status, row.holder, row.since, row.lease_expires_at)


def post_claims(ctx: Ctx) -> wire.ClaimResults:
    """Claim pseudonyms: granted, or held (or done) by someone since a time."""
    body: wire.Claim = ctx.body
    named = set(body.practices.values())
    if named:
        known = set(
            ctx.conn.execute(
                select(practice_aliases.c.practice).where(practice_aliases.c.practice.in_(named))
            ).scalars()
        )
        if named - known:
            raise validation_error(["practices.not_registered"])
    now = ctx.now_ms()
    # Sorted: concurrent batches lock rows in one order, so they cannot deadlock.
    seen = {
        p: claim_one(ctx, p, body.lease_seconds, now, body.accept_offer, body.practices.get(p))
        for p in sorted(set(body.pseudonyms))
    }
    return wire.ClaimResults(results=[seen[p] for p in body.pseudonyms])


def post_heartbeat(ctx: Ctx) -> wire.HeartbeatResult:
    """Extend the caller's leases; report the ones it no longer holds."""
    body: wire.Heartbeat = ctx.body
    now = ctx.now_ms()
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
    """End the caller's work on items: done work stays owned; nothing else lets a claim go."""
    body: wire.Release = ctx.body
    released, not_held, kept = [], [], []
    for pseudonym in sorted(set(body.pseudonyms)):
        if body.reason is wire.ReleaseReason.REKEYED:
            # The console claimed the item under its new pseudonym first: this one goes.
            gone = ctx.conn.execute(
                delete(claims).where(
                    claims.c.pseudonym == pseudonym, claims.c.holder == ctx.account.name
                )
            )
            (released if gone.rowcount == 1 else not_held).append(pseudonym)
            continue
        if body.reason not in DONE_REASONS:
            # Handing off moves a claim only on acknowledgement; an ended shift lets the lease
            # lapse (unattended for the supervisor). Neither leaves an item without an owner.
            kept.append(pseudonym)
            continue
        result = ctx.conn.execute(
            update(claims)
            .where(claims.c.pseudonym == pseudonym, claims.c.holder == ctx.account.name)
            .values(state=DONE, offered_to=None)
        )
        (released if result.rowcount == 1 else not_held).append(pseudonym)
    return wire.ReleaseResult(released=released, not_held=not_held, kept=kept)


def post_takeover(ctx: Ctx) -> wire.TakeoverResult:
    """Take an item whoever holds it, recording the reason (done work is reopened, not taken)."""
    body: wire.Takeover = ctx.body
    me = ctx.account.name
    now = ctx.now_ms()
    expires = now + body.lease_seconds * 1000
    # Nobody holds an unclaimed item, so there is nothing to take over (a plain claim gets
    # it): refused rather than recorded as a takeover from no one.
    row = locked_claim(ctx.conn, body.pseudonym)
    if row is None:
        raise conflict("pseudonym.not_claimed")
    if row.state == DONE and row.holder != me:
        raise conflict("done")
    previous = row.holder
    move_claim(ctx.conn, body.pseudonym, me, now, expires)
    record_event(
        ctx.conn,
        ConflictKind.TAKEOVER,
        body.pseudonym,
        me,
        previous,
        now,
        reason=body.reason,
        practice=row.practice,
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
                by=row.actor,
                practice=row.practice,
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
        "Claim pseudonyms (first claim wins; done and unattended work is never granted)",
        roles=VMA_ONLY,
        request=wire.Claim,
        response=wire.ClaimResults,
        notifies=True,  # an escalation may have moved with the item
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
        "End the caller's work on items (done work stays owned by the caller)",
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
        notifies=True,  # an escalation may have moved with the item
    ),
    Endpoint(
        "GET",
        "/v1/conflicts",
        get_conflicts,
        "Ownership conflicts, takeovers, handoffs and reassignments (supervisor)",
        roles=frozenset({Role.SUPERVISOR}),
        response=wire.ConflictList,
        query=(LIMIT_QUERY,),
    ),
]
