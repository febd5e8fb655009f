"""The team board's view models, assembled from the hub's PHI-free wire models.

The assembly functions are pure (wire models in, plain dataclasses out) so they are tested
without a network; :class:`~vmadesk.services.supervisor.SupervisorService` fetches what they
read.

Capacity: each (VMA, lane) history from ``GET /v1/trends`` becomes :class:`DayStats` rows and
goes through :func:`evaluate_capacity`; a VMA's lanes combine with :func:`recommend_for_vma`.
Mappings the hub's data forces:

* ``carried_over_time_sensitive`` — carried-over items that were due soon or overdue at the end
  of the day (``min(carried_over, due_soon + overdue)``): work due before the next shift ends;
* ``sla_minutes`` — the lane definition's ``first_attempt_minutes`` (the hub holds no policies);
* days are the hub's UTC days; no staffing change is known, so volume growth compares with
  four weeks before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from vmadesk import wire
from vmadesk.domain.capacity import (
    CapacityAssessment,
    CapacityThresholds,
    DayStats,
    Recommendation,
    SignalCode,
    evaluate_capacity,
    recommend_for_vma,
)
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.lane_work_words import work_text, work_tooltip

SIGNAL_LABELS: dict[SignalCode, str] = {
    SignalCode.LATE_RISING: "Late work rising",
    SignalCode.CARRY_OVER: "Time-sensitive carry-over",
    SignalCode.ATTEMPTS_DROPPED: "Work dropped",
    SignalCode.RESPONSE_STRETCHING: "Response beyond SLA",
    SignalCode.VOLUME_GROWN: "Volume grown",
}

RECOMMENDATION_LABELS: dict[Recommendation, str] = {
    Recommendation.NONE: "",
    Recommendation.MORE_HOURS: "More hours",
    Recommendation.GENERALIST_VMA: "Another generalist VMA",
    Recommendation.SPECIALIST_FOR_LANE: "Specialised role for this lane",
}


# --------------------------------------------------------------------------------------------
# Capacity
# --------------------------------------------------------------------------------------------


def day_stats(lane: Lane, points: list[wire.TrendPoint]) -> list[DayStats]:
    """DayStats rows of one VMA's lane from its trend points."""
    sla = lane_definition(lane).first_attempt_minutes
    rows = []
    for p in points:
        median = p.first_attempt_median_s
        rows.append(
            DayStats(
                day=date.fromisoformat(p.day),
                opened=p.opened,
                completed_on_time=p.completed_on_time,
                completed_late=p.completed_late,
                overdue_open=p.overdue,
                carried_over=p.carried_over,
                carried_over_time_sensitive=min(p.carried_over, p.due_soon + p.overdue),
                dropped=p.dropped,
                first_attempt_minutes_median=None if median is None else median / 60,
                sla_minutes=sla,
            )
        )
    return rows


def assess_capacity(
    trends: wire.Trends, today: date, thresholds: CapacityThresholds | None = None
) -> dict[tuple[str, Lane], CapacityAssessment]:
    """Per (VMA, lane): the five signals and what they add up to."""
    return {
        (s.vma, s.lane): evaluate_capacity(
            day_stats(s.lane, s.points),
            staffing_changed_on=None,
            today=today,
            thresholds=thresholds,
        )
        for s in trends.series
    }


# --------------------------------------------------------------------------------------------
# Board
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalView:
    """A firing signal as the board shows it."""

    code: SignalCode
    since: date | None
    evidence: str

    @property
    def label(self) -> str:
        """Human name of the signal."""
        return SIGNAL_LABELS[self.code]


@dataclass(frozen=True)
class BoardRow:
    """One row of the team board: a VMA's lane, or (``lane`` None) the VMA's total."""

    vma: str
    lane: Lane | None
    open: int
    due_soon: int
    overdue: int
    completed_on_time: int
    completed_late: int
    first_attempt_median_min: float | None
    carried_over: int
    escalations_open: int
    handoffs_awaiting_ack: int
    last_sync_at: datetime | None
    signals: tuple[SignalView, ...] = ()
    recommendation: Recommendation = Recommendation.NONE
    #: When this VMA's console sent an audit-chain head lower than before (on the total row).
    audit_went_back_at: datetime | None = None
    #: Prior-authorization and referral lanes: states and lateness in words, and the details.
    work: str = ""
    work_details: str = ""

    @property
    def on_time_rate(self) -> float | None:
        """Share of completions on time, None without completions."""
        done = self.completed_on_time + self.completed_late
        return self.completed_on_time / done if done else None

    @property
    def signals_text(self) -> str:
        """The firing signals, e.g. "Late work rising since 2025-02-03" (codes, dates only)."""
        parts = [
            f"{s.label} since {s.since.isoformat()}" if s.since else s.label for s in self.signals
        ]
        return "; ".join(parts)


def _signals(assessment: CapacityAssessment | None) -> tuple[SignalView, ...]:
    if assessment is None:
        return ()
    return tuple(SignalView(s.code, s.since, s.evidence) for s in assessment.signals if s.firing)


def build_board(
    board: wire.Board, capacity: dict[tuple[str, Lane], CapacityAssessment]
) -> list[BoardRow]:
    """Board rows: per VMA a total row, then one row per lane."""
    rows: list[BoardRow] = []
    for vma in board.vmas:
        per_lane = {lane: a for (who, lane), a in capacity.items() if who == vma.vma}
        lane_rows = []
        for lane in vma.lanes:
            assessment = per_lane.get(lane.lane)
            median = lane.first_attempt_median_s
            lane_rows.append(
                BoardRow(
                    vma=vma.vma,
                    lane=lane.lane,
                    open=lane.open,
                    due_soon=lane.due_soon,
                    overdue=lane.overdue,
                    completed_on_time=lane.completed_on_time,
                    completed_late=lane.completed_late,
                    first_attempt_median_min=None if median is None else median / 60,
                    carried_over=lane.carried_over,
                    escalations_open=lane.escalations_open,
                    handoffs_awaiting_ack=0,
                    last_sync_at=lane.summary_at,
                    signals=_signals(assessment),
                    recommendation=assessment.recommendation if assessment else Recommendation.NONE,
                    work=work_text(lane.lane, lane.work),
                    work_details=work_tooltip(lane.work),
                )
            )
        # None is "no first attempts in the interval"; 0 is a figure (attempted at once).
        medians = [
            r.first_attempt_median_min for r in lane_rows if r.first_attempt_median_min is not None
        ]
        total = BoardRow(
            vma=vma.vma,
            lane=None,
            open=sum(r.open for r in lane_rows),
            due_soon=sum(r.due_soon for r in lane_rows),
            overdue=sum(r.overdue for r in lane_rows),
            completed_on_time=sum(r.completed_on_time for r in lane_rows),
            completed_late=sum(r.completed_late for r in lane_rows),
            first_attempt_median_min=max(medians) if medians else None,
            carried_over=sum(r.carried_over for r in lane_rows),
            escalations_open=vma.escalations_open,
            handoffs_awaiting_ack=vma.handoffs_awaiting_ack,
            last_sync_at=vma.last_sync_at,
            audit_went_back_at=vma.audit_went_back_at,
            signals=tuple(s for r in lane_rows for s in r.signals),
            recommendation=recommend_for_vma(per_lane) if per_lane else Recommendation.NONE,
        )
        rows.append(total)
        rows.extend(lane_rows)
    return rows


# --------------------------------------------------------------------------------------------
# Trends for the charts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendData:
    """Day-by-day values for the charts (every day of the range; None = no data that day)."""

    days: tuple[date, ...]
    on_time_rate: tuple[float | None, ...]
    backlog: tuple[int | None, ...]
    carried_over: tuple[int | None, ...]
    escalations: tuple[int | None, ...]


def trend_data(trends: wire.Trends, vma: str | None = None, lane: Lane | None = None) -> TrendData:
    """Sum the series of ``vma`` (None: the team) in ``lane`` (None: every lane) per day."""
    start, end = date.fromisoformat(trends.start), date.fromisoformat(trends.end)
    days = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    on_time: dict[date, int] = defaultdict(int)
    done: dict[date, int] = defaultdict(int)
    backlog: dict[date, int] = defaultdict(int)
    carried: dict[date, int] = defaultdict(int)
    escalated: dict[date, int] = defaultdict(int)
    # A day without any point has no data (the hub leaves such days out), which is not 0:
    # counting it as 0 would drag averages down and claim data for every day of the range.
    seen: set[date] = set()
    for series in trends.series:
        if (vma is not None and series.vma != vma) or (lane is not None and series.lane != lane):
            continue
        for p in series.points:
            day = date.fromisoformat(p.day)
            seen.add(day)
            on_time[day] += p.completed_on_time
            done[day] += p.completed_on_time + p.completed_late
            backlog[day] += p.open
            carried[day] += p.carried_over
            escalated[day] += p.escalations
    return TrendData(
        days=days,
        on_time_rate=tuple(on_time[d] / done[d] if done[d] else None for d in days),
        backlog=tuple(backlog[d] if d in seen else None for d in days),
        carried_over=tuple(carried[d] if d in seen else None for d in days),
        escalations=tuple(escalated[d] if d in seen else None for d in days),
    )
