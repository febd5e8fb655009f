"""Escalations: consoles raise them through ``/v1/messages``; supervisors acknowledge and resolve.

A VMA reads the state of their own escalations; supervisors list the team's, open ones most
urgent first, then oldest first. The SBAR text reaches supervisors sealed on the VMA's console
to each supervisor's public key (``PUT /v1/escalations/{id}/details``): the hub stores and
relays ciphertext only, and hands each supervisor the box sealed to them.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update

from vmadesk import wire
from vmadesk.hub.db import (
    escalation_details,
    escalations,
    insert_ignore,
    public_keys,
    to_dt,
    users,
)
from vmadesk.hub.endpoint import (
    LIMIT_QUERY,
    UUID_PARAM,
    WAIT_QUERY,
    Ctx,
    Endpoint,
    QueryParam,
    conflict,
    limit_of,
    not_found,
    validation_error,
)
from vmadesk.hub.routes.messages import VMA_QUERY, escalation_raiser, scope_vma
from vmadesk.wire import EscalationState, Role

STATE_QUERY = QueryParam(
    "state", r"^(open|all|raised|acknowledged|resolved)$", "open (default) = raised or acknowledged"
)


def records(ctx: Ctx, rows: list) -> list[wire.EscalationRecord]:  # type: ignore[type-arg]
    """Stored escalations -> wire records, with their sealed details for the caller."""
    boxes: dict[str, dict[str, str]] = {}
    if rows:
        for detail in ctx.conn.execute(
            select(escalation_details).where(
                escalation_details.c.escalation_id.in_([row.id for row in rows])
            )
        ):
            boxes.setdefault(detail.escalation_id, {})[detail.recipient] = detail.sealed
    return [record(row, boxes.get(row.id, {}), ctx.account.name) for row in rows]


def record(row, boxes: dict[str, str] | None = None, caller: str = "") -> wire.EscalationRecord:  # type: ignore[no-untyped-def]
    """A stored escalation -> wire record (``boxes``: recipient -> sealed details)."""
    boxes = boxes or {}
    return wire.EscalationRecord(
        details_for=sorted(boxes),
        sealed_details=boxes.get(caller),
        escalation_id=row.id,
        vma=row.vma,
        category=wire.EscalationCategory(row.category),
        urgency=wire.Urgency(row.urgency),
        lane=wire.Lane(row.lane),
        pseudonym=row.pseudonym,
        age_seconds=row.age_seconds,
        raised_at=to_dt(row.raised_at),
        state=EscalationState(row.state),
        resolution=wire.ResolutionCode(row.resolution) if row.resolution else None,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=to_dt(row.acknowledged_at),
        resolved_by=row.resolved_by,
        resolved_at=to_dt(row.resolved_at),
    )


def list_escalations(ctx: Ctx) -> wire.EscalationList:
    """Escalations, most urgent first, then oldest first."""
    stmt = select(escalations)
    vma = scope_vma(ctx)
    if vma is not None:
        stmt = stmt.where(escalations.c.vma == vma)
    state = ctx.query.get("state", "open")
    if state == "open":
        stmt = stmt.where(escalations.c.state != EscalationState.RESOLVED.value)
    elif state != "all":
        stmt = stmt.where(escalations.c.state == state)
    stmt = stmt.order_by(
        escalations.c.urgency_rank.desc(),
        (escalations.c.raised_at - escalations.c.age_seconds * 1000).asc(),
        escalations.c.id,
    ).limit(limit_of(ctx))
    return wire.EscalationList(escalations=records(ctx, ctx.conn.execute(stmt).all()))


AFTER_QUERY = QueryParam("after", r"^[0-9]{1,15}$", "hub milliseconds (the last cursor)")


def escalation_changes(ctx: Ctx) -> wire.EscalationChanges:
    """Escalations raised, acknowledged, resolved or moved with their item after ``after``.

    Absent ``after``: from now.

    With ``wait`` (and ``after``) the hub holds the request until there is one (or the wait
    ends): the desk learns of an immediate escalation as soon as it arrives, without polling.
    Without ``after`` the answer is at once: its cursor is where to wait from.
    """
    if "after" not in ctx.query and ctx.query.get("wait", "0") != "0":
        # "from now" moves on each time a long poll looks again: wait from a cursor.
        raise validation_error(["query.after"])
    now = ctx.now_ms()
    after = int(ctx.query.get("after", now))
    stmt = select(escalations).where(
        or_(
            escalations.c.raised_at > after,
            escalations.c.acknowledged_at > after,
            escalations.c.resolved_at > after,
            escalations.c.moved_at > after,
        )
    )
    vma = scope_vma(ctx)
    if vma is not None:
        stmt = stmt.where(escalations.c.vma == vma)
    rows = ctx.conn.execute(
        stmt.order_by(escalations.c.raised_at, escalations.c.id).limit(limit_of(ctx))
    ).all()
    times = [
        t
        for row in rows
        for t in (row.raised_at, row.acknowledged_at, row.resolved_at, row.moved_at)
        if t
    ]
    return wire.EscalationChanges(escalations=records(ctx, rows), cursor=max([after, *times]))


def get_escalation(ctx: Ctx) -> wire.EscalationRecord:
    """One escalation: its raiser or any supervisor."""
    row = ctx.conn.execute(
        select(escalations).where(escalations.c.id == ctx.path["escalation_id"])
    ).first()
    if row is None or (not ctx.account.is_supervisor and row.vma != ctx.account.name):
        raise not_found()
    return records(ctx, [row])[0]


def update_escalation(ctx: Ctx) -> wire.EscalationRecord:
    """Acknowledge or resolve (supervisor). Resolving an unacknowledged one acknowledges it too."""
    body: wire.EscalationUpdate = ctx.body
    key = ctx.path["escalation_id"]
    stmt = select(escalations).where(escalations.c.id == key)
    if ctx.conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = ctx.conn.execute(stmt).first()
    if row is None:
        raise not_found()
    current = EscalationState(row.state)
    now = ctx.now_ms()
    me = ctx.account.name
    if current is EscalationState.RESOLVED:
        raise conflict("state.already_resolved")
    values: dict[str, object] = {}
    if current is EscalationState.RAISED:
        values.update(
            state=EscalationState.ACKNOWLEDGED.value, acknowledged_by=me, acknowledged_at=now
        )
    elif body.state is EscalationState.ACKNOWLEDGED:
        return records(ctx, [row])[0]  # acknowledging twice changes nothing
    if body.state is EscalationState.RESOLVED:
        values.update(
            state=EscalationState.RESOLVED.value,
            resolution=body.resolution.value if body.resolution else None,
            resolved_by=me,
            resolved_at=now,
        )
    ctx.conn.execute(update(escalations).where(escalations.c.id == key).values(**values))
    updated = ctx.conn.execute(select(escalations).where(escalations.c.id == key)).one()
    return records(ctx, [updated])[0]


def put_details(ctx: Ctx) -> wire.EscalationRecord:
    """The SBAR text sealed to those who may read it (ciphertext only).

    The raising (or holding) VMA seals it to each active supervisor. A supervisor forwards it
    to the VMA holding the escalation now (it followed the item to a VMA who cannot read it):
    a supervisor's box may only be for that holder. A box for a recipient already served is
    replaced (the console seals again after a supervisor's key changed).
    """
    body: wire.EscalationDetails = ctx.body
    key = ctx.path["escalation_id"]
    row = ctx.conn.execute(select(escalations).where(escalations.c.id == key)).first()
    if row is None:
        raise not_found()
    if ctx.account.role is Role.SUPERVISOR:
        if any(d.recipient != row.vma for d in body.details):
            raise validation_error(["details.recipient.not_the_holder"])
    else:
        # Its holder (it follows the item), or the raiser whose console has the text.
        if ctx.account.name not in (row.vma, escalation_raiser(ctx.conn, key)):
            raise not_found()
        supervisors = {
            r.name
            for r in ctx.conn.execute(
                select(users.c.name).where(
                    users.c.role == Role.SUPERVISOR.value, users.c.revoked_at.is_(None)
                )
            )
        }
        if any(d.recipient not in supervisors for d in body.details):
            raise validation_error(["details.recipient.not_a_supervisor"])
    now = ctx.now_ms()
    for detail in body.details:
        values = {"sealed": detail.sealed, "posted_at": now}
        if not insert_ignore(
            ctx.conn,
            escalation_details,
            {"escalation_id": key, "recipient": detail.recipient, **values},
            ["escalation_id", "recipient"],
        ):
            ctx.conn.execute(
                update(escalation_details)
                .where(
                    escalation_details.c.escalation_id == key,
                    escalation_details.c.recipient == detail.recipient,
                )
                .values(**values)
            )
    return records(ctx, [row])[0]


def get_recipients(ctx: Ctx) -> wire.EscalationRecipients:
    """Active supervisors with a registered public key: whom to seal details to."""
    rows = ctx.conn.execute(
        select(public_keys)
        .join(users, users.c.name == public_keys.c.handle)
        .where(users.c.role == Role.SUPERVISOR.value, users.c.revoked_at.is_(None))
        .order_by(public_keys.c.handle)
    )
    return wire.EscalationRecipients(
        keys=[
            wire.PublicKeyRecord(
                handle=row.handle,
                role=Role.SUPERVISOR,
                public_key=row.public_key,
                registered_at=to_dt(row.registered_at),
            )
            for row in rows
        ]
    )


ENDPOINTS = [
    Endpoint(
        "GET",
        "/v1/escalations",
        list_escalations,
        "Escalations (supervisor: team; VMA: own), most urgent first",
        response=wire.EscalationList,
        query=(VMA_QUERY, STATE_QUERY, LIMIT_QUERY),
    ),
    Endpoint(
        "GET",
        "/v1/escalations/changes",
        escalation_changes,
        "Escalations changed after a cursor; waits up to `wait` seconds for one (long poll)",
        response=wire.EscalationChanges,
        query=(AFTER_QUERY, WAIT_QUERY, VMA_QUERY, LIMIT_QUERY),
        keep_waiting=lambda changes: not changes.escalations,
    ),
    Endpoint(
        "GET",
        "/v1/escalations/recipients",
        get_recipients,
        "The supervisors' public keys, to seal escalation details to",
        response=wire.EscalationRecipients,
    ),
    Endpoint(
        "GET",
        "/v1/escalations/{escalation_id}",
        get_escalation,
        "One escalation's state",
        response=wire.EscalationRecord,
        path_params={"escalation_id": UUID_PARAM},
    ),
    Endpoint(
        "POST",
        "/v1/escalations/{escalation_id}/state",
        update_escalation,
        "Acknowledge or resolve an escalation (supervisor)",
        roles=frozenset({Role.SUPERVISOR}),
        request=wire.EscalationUpdate,
        response=wire.EscalationRecord,
        path_params={"escalation_id": UUID_PARAM},
        notifies=True,
    ),
    Endpoint(
        "PUT",
        "/v1/escalations/{escalation_id}/details",
        put_details,
        "The SBAR text sealed to each supervisor by the VMA, or to its holder by a supervisor",
        roles=frozenset({Role.VMA, Role.SUPERVISOR}),
        request=wire.EscalationDetails,
        response=wire.EscalationRecord,
        path_params={"escalation_id": UUID_PARAM},
        notifies=True,
    ),
]
