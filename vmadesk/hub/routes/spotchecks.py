"""Spot checks: weekly stratified samples and rubric scores (evidence requests: ``evidence``).

Candidates for a week's draw are the VMA's items with a ``completed`` event the hub *received*
in that ISO week (the hub never learns when anything happened to a patient).
"""

from __future__ import annotations

import json
import secrets
import uuid

from sqlalchemy import select, update

from vmadesk import wire
from vmadesk.hub.db import (
    insert_ignore,
    item_events,
    sample_items,
    samples,
    scores,
    to_dt,
    to_ms,
    users,
)
from vmadesk.hub.endpoint import (
    LIMIT_QUERY,
    UUID_PARAM,
    Ctx,
    Endpoint,
    QueryParam,
    limit_of,
    not_found,
)
from vmadesk.hub.routes.messages import VMA_QUERY
from vmadesk.hub.sampling import Candidate, draw, week_bounds
from vmadesk.wire import ItemEventKind, Role

SUPERVISOR = frozenset({Role.SUPERVISOR})
WEEK_QUERY = QueryParam("week", wire.ISO_WEEK_PATTERN, "ISO week, e.g. 2025-W07")


def candidates(ctx: Ctx, vma: str, week: str) -> list[Candidate]:
    """The VMA's items completed (as received by the hub) in ``week``, one per pseudonym."""
    start, end = week_bounds(week)
    rows = ctx.conn.execute(
        select(item_events.c.pseudonym, item_events.c.lane, item_events.c.outcome)
        .where(
            item_events.c.vma == vma,
            item_events.c.event == ItemEventKind.COMPLETED.value,
            item_events.c.received_at >= to_ms(start),
            item_events.c.received_at < to_ms(end),
        )
        .order_by(item_events.c.id)
    ).all()
    latest: dict[str, Candidate] = {}
    for row in rows:  # the last completion of an item decides its stratum
        latest[row.pseudonym] = Candidate(row.pseudonym, row.lane, row.outcome)
    return list(latest.values())


def load_sample(ctx: Ctx, sample_id: str) -> wire.Sample:
    """A recorded sample, or 404."""
    row = ctx.conn.execute(select(samples).where(samples.c.id == sample_id)).first()
    if row is None:
        raise not_found()
    items = ctx.conn.execute(
        select(sample_items)
        .where(sample_items.c.sample_id == sample_id)
        .order_by(sample_items.c.position)
    ).all()
    return wire.Sample(
        sample_id=row.id,
        vma=row.vma,
        week=row.week,
        seed=row.seed,
        per_stratum=row.per_stratum,
        drawn_by=row.drawn_by,
        drawn_at=to_dt(row.drawn_at),
        strata=[wire.Stratum.model_validate_json(json.dumps(s)) for s in json.loads(row.strata)],
        items=[
            wire.SampleItem(
                pseudonym=item.pseudonym,
                lane=wire.Lane(item.lane),
                outcome=wire.Outcome(item.outcome) if item.outcome else None,
            )
            for item in items
        ],
    )


def post_sample(ctx: Ctx) -> wire.Sample:
    """Draw and record a sample."""
    body: wire.SampleRequest = ctx.body
    account = ctx.conn.execute(select(users.c.role).where(users.c.name == body.vma)).first()
    if account is None:
        raise not_found()
    seed = body.seed if body.seed is not None else secrets.randbits(63)
    strata = draw(candidates(ctx, body.vma, body.week), seed, body.per_stratum)
    sample_id = str(uuid.uuid4())
    ctx.conn.execute(
        samples.insert().values(
            id=sample_id,
            vma=body.vma,
            week=body.week,
            seed=seed,
            per_stratum=body.per_stratum,
            drawn_by=ctx.account.name,
            drawn_at=ctx.now_ms(),
            strata=json.dumps(
                [
                    {
                        "lane": s.lane,
                        "outcome": s.outcome,
                        "population": s.population,
                        "drawn": len(s.drawn),
                    }
                    for s in strata
                ]
            ),
        )
    )
    position = 0
    for stratum in strata:
        for item in stratum.drawn:
            ctx.conn.execute(
                sample_items.insert().values(
                    sample_id=sample_id,
                    pseudonym=item.pseudonym,
                    lane=item.lane,
                    outcome=item.outcome,
                    position=position,
                )
            )
            position += 1
    return load_sample(ctx, sample_id)


def list_samples(ctx: Ctx) -> wire.SampleList:
    """Recorded samples, newest first."""
    stmt = select(samples.c.id)
    if "vma" in ctx.query:
        stmt = stmt.where(samples.c.vma == ctx.query["vma"])
    if "week" in ctx.query:
        stmt = stmt.where(samples.c.week == ctx.query["week"])
    stmt = stmt.order_by(samples.c.drawn_at.desc(), samples.c.id).limit(limit_of(ctx, 100))
    return wire.SampleList(
        samples=[load_sample(ctx, row.id) for row in ctx.conn.execute(stmt).all()]
    )


def get_sample(ctx: Ctx) -> wire.Sample:
    """One recorded sample."""
    return load_sample(ctx, ctx.path["sample_id"])


def in_sample(ctx: Ctx, sample_id: str, pseudonym: str) -> None:
    """Refuse (404) a pseudonym that is not in the sample (scores and evidence name only those)."""
    row = ctx.conn.execute(
        select(sample_items.c.pseudonym).where(
            sample_items.c.sample_id == sample_id, sample_items.c.pseudonym == pseudonym
        )
    ).first()
    if row is None:
        raise not_found()


def _score_record(row, vma: str) -> wire.ScoreRecord:  # type: ignore[no-untyped-def]
    return wire.ScoreRecord(
        sample_id=row.sample_id,
        vma=vma,
        scored_by=row.scored_by,
        scored_at=to_dt(row.scored_at),
        score=wire.SpotCheckScore(
            pseudonym=row.pseudonym,
            on_time=bool(row.on_time),
            outcome_consistent=bool(row.outcome_consistent),
            documentation_complete=bool(row.documentation_complete),
            escalation_warranted=None
            if row.escalation_warranted is None
            else bool(row.escalation_warranted),
            comment=wire.CommentCode(row.comment),
        ),
    )


def post_score(ctx: Ctx) -> wire.ScoreRecord:
    """Score (or re-score) one sampled item."""
    body: wire.SpotCheckScore = ctx.body
    sample = load_sample(ctx, ctx.path["sample_id"])
    in_sample(ctx, sample.sample_id, body.pseudonym)
    values = {
        "scored_by": ctx.account.name,
        "scored_at": ctx.now_ms(),
        "on_time": body.on_time,
        "outcome_consistent": body.outcome_consistent,
        "documentation_complete": body.documentation_complete,
        "escalation_warranted": body.escalation_warranted,
        "comment": body.comment.value,
    }
    key = {"sample_id": sample.sample_id, "pseudonym": body.pseudonym}
    if not insert_ignore(ctx.conn, scores, {**key, **values}, ["sample_id", "pseudonym"]):
        ctx.conn.execute(
            update(scores)
            .where(scores.c.sample_id == sample.sample_id, scores.c.pseudonym == body.pseudonym)
            .values(**values)
        )
    row = ctx.conn.execute(
        select(scores).where(
            scores.c.sample_id == sample.sample_id, scores.c.pseudonym == body.pseudonym
        )
    ).one()
    return _score_record(row, sample.vma)


def list_scores(ctx: Ctx) -> wire.ScoreList:
    """Scores of one sample."""
    sample = load_sample(ctx, ctx.path["sample_id"])
    rows = ctx.conn.execute(
        select(scores).where(scores.c.sample_id == sample.sample_id).order_by(scores.c.pseudonym)
    ).all()
    return wire.ScoreList(scores=[_score_record(row, sample.vma) for row in rows])


SAMPLE_PARAM = {"sample_id": UUID_PARAM}

ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/spotchecks",
        post_sample,
        "Draw a seeded, stratified sample of a VMA's completed items for a week (supervisor)",
        roles=SUPERVISOR,
        request=wire.SampleRequest,
        response=wire.Sample,
        status=201,
    ),
    Endpoint(
        "GET",
        "/v1/spotchecks",
        list_samples,
        "Recorded samples (supervisor)",
        roles=SUPERVISOR,
        response=wire.SampleList,
        query=(VMA_QUERY, WEEK_QUERY, LIMIT_QUERY),
    ),
    Endpoint(
        "GET",
        "/v1/spotchecks/{sample_id}",
        get_sample,
        "One recorded sample with its seed (supervisor)",
        roles=SUPERVISOR,
        response=wire.Sample,
        path_params=SAMPLE_PARAM,
    ),
    Endpoint(
        "POST",
        "/v1/spotchecks/{sample_id}/scores",
        post_score,
        "Score the rubric for one sampled item (supervisor)",
        roles=SUPERVISOR,
        request=wire.SpotCheckScore,
        response=wire.ScoreRecord,
        path_params=SAMPLE_PARAM,
    ),
    Endpoint(
        "GET",
        "/v1/spotchecks/{sample_id}/scores",
        list_scores,
        "Scores of one sample (supervisor)",
        roles=SUPERVISOR,
        response=wire.ScoreList,
        path_params=SAMPLE_PARAM,
    ),
]
