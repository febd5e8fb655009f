"""The supervisor's team board and daily trends, computed from what the hub holds.

Everything here is aggregated from PHI-free rows: summaries, item events, escalations, handoff
envelopes (their counts, never their ciphertext) and message receipt times.

Summaries may be sent per interval (disjoint) or as "so far" snapshots that grow (same start,
later end). :func:`effective_summaries` keeps a summary unless another one's interval contains
it, so both styles count each completion once.

Days are UTC calendar days of the hub's bookkeeping: a summary belongs to the day of its
``interval_end``, an item event or escalation to the day the hub received it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, func, select

from vmadesk import wire
from vmadesk.hub.db import (
    audit_heads,
    escalations,
    handoffs,
    item_events,
    messages,
    summaries,
    to_dt,
    users,
)
from vmadesk.hub.db import now_ms as db_now_ms
from vmadesk.hub.endpoint import Ctx, Endpoint, QueryParam
from vmadesk.hub.routes.messages import VMA_QUERY
from vmadesk.wire import (
    CloseReason,
    DueState,
    EscalationState,
    HandoffState,
    ItemEventKind,
    Lane,
    Role,
)

BOARD_WINDOW_DAYS = wire.BOARD_WINDOW_DAYS
DEFAULT_TREND_DAYS = 28
DAYS_QUERY = QueryParam("days", r"^(?:[1-9]|[1-9][0-9]|[1-3][0-9][0-9])$", "1-399, default 28")
SUPERVISOR = frozenset({Role.SUPERVISOR})

#: Close reasons that belong to the patient or the practice, not to a lack of time.
PATIENT_REASONS = frozenset(
    {
        CloseReason.PATIENT_DECLINED.value,
        CloseReason.DUPLICATE.value,
        CloseReason.APPOINTMENT_CANCELLED.value,
        CloseReason.APPOINTMENT_NOSHOW.value,
        CloseReason.ENTERED_IN_ERROR.value,
    }
)
_DROPPED_EVENTS = (ItemEventKind.FAILED.value, ItemEventKind.CANCELLED.value)


@dataclass(frozen=True, slots=True)
class StoredSummary:
    """A summary row, parsed."""

    vma: str
    interval_start: int
    interval_end: int
    summary: wire.Summary


def effective_summaries(rows: list[StoredSummary]) -> list[StoredSummary]:
    """Drop every summary whose interval lies inside another's (per VMA); oldest first."""
    out: list[StoredSummary] = []
    by_vma: dict[str, list[StoredSummary]] = defaultdict(list)
    for row in rows:
        by_vma[row.vma].append(row)
    for items in by_vma.values():
        # widest first among equal starts, so a "so far" snapshot hides its predecessors
        items.sort(key=lambda r: (r.interval_start, -r.interval_end))
        kept: list[StoredSummary] = []
        for row in items:
            if any(
                k.interval_start <= row.interval_start and row.interval_end <= k.interval_end
                for k in kept
            ):
                continue
            kept.append(row)
        out.extend(kept)
    out.sort(key=lambda r: (r.vma, r.interval_end))
    return out


def _day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def _start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _load_summaries(conn: Connection, since_ms: int, vma: str | None) -> list[StoredSummary]:
    stmt = select(
        summaries.c.vma, summaries.c.interval_start, summaries.c.interval_end, summaries.c.body
    ).where(summaries.c.interval_end >= since_ms)
    if vma is not None:
        stmt = stmt.where(summaries.c.vma == vma)
    return [
        StoredSummary(
            row.vma,
            row.interval_start,
            row.interval_end,
            wire.Summary.model_validate_json(row.body),
        )
        for row in conn.execute(stmt)
    ]


def _open_count(lane: wire.LaneSummary) -> int:
    return sum(lane.by_due_state.values())


def _active_vmas(conn: Connection) -> list[str]:
    rows = conn.execute(
        select(users.c.name)
        .where(users.c.role == Role.VMA.value, users.c.revoked_at.is_(None))
        .order_by(users.c.name)
    )
    return [row.name for row in rows]


# --------------------------------------------------------------------------------------------
# Board
# --------------------------------------------------------------------------------------------


def _board_vma(conn: Connection, vma: str, since_ms: int) -> wire.BoardVma:
    latest = conn.execute(
        select(summaries.c.interval_end, summaries.c.body)
        .where(summaries.c.vma == vma)
        .order_by(summaries.c.interval_end.desc(), summaries.c.id.desc())
        .limit(1)
    ).first()
    window = effective_summaries(_load_summaries(conn, since_ms, vma))
    on_time: dict[Lane, int] = defaultdict(int)
    late: dict[Lane, int] = defaultdict(int)
    for row in window:
        for lane in row.summary.lanes:
            # a completion reopened later leaves "done" again
            on_time[lane.lane] += lane.completed_on_time - lane.reopened_on_time
            late[lane.lane] += lane.completed_late - lane.reopened_late
    for counts in (on_time, late):
        for key, n in counts.items():
            counts[key] = max(n, 0)
    esc_rows = conn.execute(
        select(escalations.c.lane, func.count())
        .where(escalations.c.vma == vma, escalations.c.state != EscalationState.RESOLVED.value)
        .group_by(escalations.c.lane)
    ).all()
    esc_open = {Lane(row[0]): int(row[1]) for row in esc_rows}
    snapshot: dict[Lane, wire.LaneSummary] = {}
    summary_at = None
    if latest is not None:
        snapshot = {lane.lane: lane for lane in wire.Summary.model_validate_json(latest.body).lanes}
        summary_at = to_dt(latest.interval_end)
    lanes = []
    for lane in Lane:
        snap = snapshot.get(lane)
        if snap is None and not (on_time[lane] or late[lane] or esc_open.get(lane)):
            continue
        lanes.append(
            wire.BoardLane(
                lane=lane,
                open=_open_count(snap) if snap else 0,
                due_soon=snap.by_due_state.get(DueState.DUE_SOON, 0) if snap else 0,
                overdue=snap.by_due_state.get(DueState.OVERDUE, 0) if snap else 0,
                completed_on_time=on_time[lane],
                completed_late=late[lane],
                first_attempt_median_s=snap.first_attempt_median_s if snap else None,
                carried_over=snap.carried_over if snap else 0,
                escalations_open=esc_open.get(lane, 0),
                summary_at=summary_at if snap else None,
                work=snap.work if snap else None,
            )
        )
    awaiting = conn.execute(
        select(func.coalesce(func.sum(handoffs.c.item_count), 0)).where(
            handoffs.c.sender == vma, handoffs.c.state != HandoffState.RECEIPTED.value
        )
    ).scalar_one()
    last_sync = conn.execute(
        select(func.max(messages.c.received_at)).where(messages.c.sender == vma)
    ).scalar_one()
    went_back = conn.execute(
        select(audit_heads.c.went_back_at).where(audit_heads.c.vma == vma)
    ).scalar_one_or_none()
    return wire.BoardVma(
        vma=vma,
        lanes=lanes,
        escalations_open=sum(esc_open.values()),
        handoffs_awaiting_ack=int(awaiting),
        last_sync_at=to_dt(last_sync),
        audit_went_back_at=to_dt(went_back),
    )


def board_from(conn: Connection, vma: str | None = None, now_ms: int | None = None) -> wire.Board:
    """The board as the hub's database holds it at ``now_ms`` (default: the wall clock).

    The API passes the hub's clock; ``vmadesk hub board`` the wall clock.
    """
    now = to_dt(now_ms if now_ms is not None else db_now_ms())
    since_ms = int((now - timedelta(days=BOARD_WINDOW_DAYS)).timestamp() * 1000)
    vmas = [v for v in _active_vmas(conn) if vma is None or v == vma]
    return wire.Board(
        generated_at=now,
        window_days=BOARD_WINDOW_DAYS,
        vmas=[_board_vma(conn, who, since_ms) for who in vmas],
    )


def get_board(ctx: Ctx) -> wire.Board:
    """Per VMA and lane: open, due soon, overdue, a week's completions, escalations, handoffs."""
    return board_from(ctx.conn, ctx.query.get("vma"), ctx.now_ms())


# --------------------------------------------------------------------------------------------
# Trends
# --------------------------------------------------------------------------------------------


@dataclass
class _Acc:
    """One (vma, lane, day) while it is being summed."""

    opened: int = 0
    on_time: int = 0
    late: int = 0
    snapshot_end: int = -1
    snapshot: wire.LaneSummary | None = None
    dropped: int = 0
    escalations: int = 0


def _point(day: date, acc: _Acc) -> wire.TrendPoint:
    snap = acc.snapshot
    return wire.TrendPoint(
        day=day.isoformat(),
        opened=acc.opened,
        completed_on_time=max(acc.on_time, 0),
        completed_late=max(acc.late, 0),
        open=_open_count(snap) if snap else 0,
        due_soon=snap.by_due_state.get(DueState.DUE_SOON, 0) if snap else 0,
        overdue=snap.by_due_state.get(DueState.OVERDUE, 0) if snap else 0,
        carried_over=snap.carried_over if snap else 0,
        dropped=acc.dropped,
        escalations=acc.escalations,
        first_attempt_median_s=snap.first_attempt_median_s if snap else None,
    )


def get_trends(ctx: Ctx) -> wire.Trends:
    """Daily series per VMA and lane for the last ``days`` days (today included)."""
    days = int(ctx.query.get("days", DEFAULT_TREND_DAYS))
    vma = ctx.query.get("vma")
    end = to_dt(ctx.now_ms()).date()
    start = end - timedelta(days=days - 1)
    since = _start_ms(start)
    acc: dict[tuple[str, Lane, date], _Acc] = defaultdict(_Acc)
    for row in effective_summaries(_load_summaries(ctx.conn, since, vma)):
        day = _day(row.interval_end)
        for lane in row.summary.lanes:
            cell = acc[(row.vma, lane.lane, day)]
            cell.on_time += lane.completed_on_time - lane.reopened_on_time
            cell.late += lane.completed_late - lane.reopened_late
            if row.interval_end >= cell.snapshot_end:
                cell.snapshot_end, cell.snapshot = row.interval_end, lane
    stmt = select(
        item_events.c.vma,
        item_events.c.lane,
        item_events.c.event,
        item_events.c.close_reason,
        item_events.c.seconds_from_due,
        item_events.c.received_at,
    ).where(
        item_events.c.received_at >= since,
        item_events.c.event.in_((ItemEventKind.IMPORTED.value, *_DROPPED_EVENTS)),
    )
    if vma is not None:
        stmt = stmt.where(item_events.c.vma == vma)
    # An appointment imported by several VMAs opened once: its first import counts.
    first_imports = (
        select(func.min(item_events.c.id))
        .where(item_events.c.event == ItemEventKind.IMPORTED.value)
        .group_by(item_events.c.pseudonym, item_events.c.lane)
    )
    stmt = stmt.where(
        (item_events.c.event != ItemEventKind.IMPORTED.value) | item_events.c.id.in_(first_imports)
    )
    for row in ctx.conn.execute(stmt):
        cell = acc[(row.vma, Lane(row.lane), _day(row.received_at))]
        if row.event == ItemEventKind.IMPORTED.value:
            cell.opened += 1
        elif row.seconds_from_due > 0 and row.close_reason not in PATIENT_REASONS:
            cell.dropped += 1
    esc = select(escalations.c.vma, escalations.c.lane, escalations.c.raised_at).where(
        escalations.c.raised_at >= since
    )
    if vma is not None:
        esc = esc.where(escalations.c.vma == vma)
    for row in ctx.conn.execute(esc):
        acc[(row.vma, Lane(row.lane), _day(row.raised_at))].escalations += 1
    series: dict[tuple[str, Lane], list[wire.TrendPoint]] = defaultdict(list)
    for (who, lane, day), cell in sorted(acc.items()):
        if start <= day <= end:
            series[(who, lane)].append(_point(day, cell))
    return wire.Trends(
        days=days,
        start=start.isoformat(),
        end=end.isoformat(),
        series=[
            wire.TrendSeries(vma=who, lane=lane, points=points)
            for (who, lane), points in sorted(series.items())
        ],
    )


ENDPOINTS = [
    Endpoint(
        "GET",
        "/v1/board",
        get_board,
        "Team board: per VMA and lane, latest snapshot and a week's completions (supervisor)",
        roles=SUPERVISOR,
        response=wire.Board,
        query=(VMA_QUERY,),
    ),
    Endpoint(
        "GET",
        "/v1/trends",
        get_trends,
        "Daily series per VMA and lane: completions, backlog, carry-over, escalations (supervisor)",
        roles=SUPERVISOR,
        response=wire.Trends,
        query=(DAYS_QUERY, VMA_QUERY),
    ),
]
