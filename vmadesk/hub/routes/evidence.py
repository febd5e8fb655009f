"""Evidence requests: a supervisor asks a VMA to seal a sampled item's details to them.

The hub relays ciphertext only: the request names a sample and a pseudonym, the VMA's console
answers with an envelope sealed to the supervisor's key, or declines with a reason code.
"""

from __future__ import annotations

from sqlalchemy import select, update

from vmadesk import wire
from vmadesk.hub.db import evidence_requests, insert_ignore, to_dt
from vmadesk.hub.endpoint import (
    LIMIT_QUERY,
    UUID_PARAM,
    Ctx,
    Endpoint,
    QueryParam,
    conflict,
    forbidden,
    limit_of,
    not_found,
)
from vmadesk.hub.routes.spotchecks import SUPERVISOR, in_sample, load_sample
from vmadesk.wire import EvidenceState, Role

EVIDENCE_STATE_QUERY = QueryParam("state", r"^(requested|answered|declined|all)$", "default: all")
REQUEST_PARAM = {"request_id": UUID_PARAM}


def _evidence(row, *, with_sealed: bool) -> wire.EvidenceRecord:  # type: ignore[no-untyped-def]
    return wire.EvidenceRecord(
        request_id=row.id,
        sample_id=row.sample_id,
        pseudonym=row.pseudonym,
        vma=row.vma,
        requested_by=row.requested_by,
        requested_at=to_dt(row.requested_at),
        state=EvidenceState(row.state),
        sealed=row.sealed if with_sealed else None,
        answered_at=to_dt(row.answered_at),
        decline_reason=(
            wire.EvidenceDeclineReason(row.decline_reason) if row.decline_reason else None
        ),
    )


def post_evidence_request(ctx: Ctx) -> wire.EvidenceRecord:
    """A supervisor asks for the details of a sampled item (idempotent on ``request_id``)."""
    body: wire.EvidenceRequest = ctx.body
    sample = load_sample(ctx, body.sample_id)
    in_sample(ctx, sample.sample_id, body.pseudonym)
    insert_ignore(
        ctx.conn,
        evidence_requests,
        {
            "id": body.request_id,
            "sample_id": sample.sample_id,
            "pseudonym": body.pseudonym,
            "vma": sample.vma,
            "requested_by": ctx.account.name,
            "requested_at": ctx.now_ms(),
            "state": EvidenceState.REQUESTED.value,
        },
        ["id"],
    )
    row = ctx.conn.execute(
        select(evidence_requests).where(evidence_requests.c.id == body.request_id)
    ).one()
    if (row.sample_id, row.pseudonym, row.requested_by) != (
        sample.sample_id,
        body.pseudonym,
        ctx.account.name,
    ):
        raise conflict("request_id")
    return _evidence(row, with_sealed=False)


def list_evidence(ctx: Ctx) -> wire.EvidenceList:
    """A VMA: requests addressed to them. A supervisor: the requests they made."""
    column = (
        evidence_requests.c.requested_by if ctx.account.is_supervisor else evidence_requests.c.vma
    )
    stmt = select(evidence_requests).where(column == ctx.account.name)
    state = ctx.query.get("state", "all")
    if state != "all":
        stmt = stmt.where(evidence_requests.c.state == state)
    stmt = stmt.order_by(evidence_requests.c.requested_at, evidence_requests.c.id).limit(
        limit_of(ctx)
    )
    return wire.EvidenceList(
        requests=[
            _evidence(row, with_sealed=ctx.account.is_supervisor) for row in ctx.conn.execute(stmt)
        ]
    )


def _visible_request(ctx: Ctx):  # type: ignore[no-untyped-def]
    row = ctx.conn.execute(
        select(evidence_requests).where(evidence_requests.c.id == ctx.path["request_id"])
    ).first()
    if row is None or ctx.account.name not in (row.vma, row.requested_by):
        raise not_found()
    return row


def get_evidence(ctx: Ctx) -> wire.EvidenceRecord:
    """One request; the sealed answer only for the supervisor who asked."""
    row = _visible_request(ctx)
    return _evidence(row, with_sealed=row.requested_by == ctx.account.name)


def post_evidence_envelope(ctx: Ctx) -> wire.EvidenceRecord:
    """The VMA answers with an envelope sealed to the requesting supervisor's key."""
    body: wire.EvidenceEnvelope = ctx.body
    row = _visible_request(ctx)
    if row.vma != ctx.account.name:
        raise forbidden("vma")
    if row.state == EvidenceState.ANSWERED.value:
        if row.sealed != body.sealed:
            raise conflict("already_answered")
        return _evidence(row, with_sealed=False)
    if row.state == EvidenceState.DECLINED.value:  # the VMA said no: it stays no
        raise conflict("already_declined")
    ctx.conn.execute(
        update(evidence_requests)
        .where(evidence_requests.c.id == row.id)
        .values(state=EvidenceState.ANSWERED.value, sealed=body.sealed, answered_at=ctx.now_ms())
    )
    row = ctx.conn.execute(select(evidence_requests).where(evidence_requests.c.id == row.id)).one()
    return _evidence(row, with_sealed=False)


def post_evidence_decline(ctx: Ctx) -> wire.EvidenceRecord:
    """The VMA declines to send evidence (a reason code; the supervisor sees the state)."""
    body: wire.EvidenceDecline = ctx.body
    row = _visible_request(ctx)
    if row.vma != ctx.account.name:
        raise forbidden("vma")
    if row.state != EvidenceState.REQUESTED.value:
        if row.state == EvidenceState.DECLINED.value and row.decline_reason == body.reason.value:
            return _evidence(row, with_sealed=False)
        raise conflict(f"already_{row.state}")
    ctx.conn.execute(
        update(evidence_requests)
        .where(evidence_requests.c.id == row.id)
        .values(
            state=EvidenceState.DECLINED.value,
            decline_reason=body.reason.value,
            answered_at=ctx.now_ms(),
        )
    )
    row = ctx.conn.execute(select(evidence_requests).where(evidence_requests.c.id == row.id)).one()
    return _evidence(row, with_sealed=False)


ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/evidence-requests",
        post_evidence_request,
        "Request sealed evidence for a sampled item (supervisor)",
        roles=SUPERVISOR,
        request=wire.EvidenceRequest,
        response=wire.EvidenceRecord,
        status=201,
    ),
    Endpoint(
        "GET",
        "/v1/evidence-requests",
        list_evidence,
        "Evidence requests to the caller (VMA) or by the caller (supervisor)",
        response=wire.EvidenceList,
        query=(EVIDENCE_STATE_QUERY, LIMIT_QUERY),
    ),
    Endpoint(
        "GET",
        "/v1/evidence-requests/{request_id}",
        get_evidence,
        "One evidence request (ciphertext for the requesting supervisor only)",
        response=wire.EvidenceRecord,
        path_params=REQUEST_PARAM,
    ),
    Endpoint(
        "POST",
        "/v1/evidence-requests/{request_id}/envelope",
        post_evidence_envelope,
        "The VMA's sealed answer to an evidence request",
        roles=frozenset({Role.VMA}),
        request=wire.EvidenceEnvelope,
        response=wire.EvidenceRecord,
        path_params=REQUEST_PARAM,
    ),
    Endpoint(
        "POST",
        "/v1/evidence-requests/{request_id}/decline",
        post_evidence_decline,
        "The VMA declines an evidence request (reason code only)",
        roles=frozenset({Role.VMA}),
        request=wire.EvidenceDecline,
        response=wire.EvidenceRecord,
        path_params=REQUEST_PARAM,
    ),
]
