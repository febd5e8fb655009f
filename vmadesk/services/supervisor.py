"""The supervisor's use cases: team board, trends, capacity signals, escalation desk, spot checks.

Everything comes from the hub and is PHI-free. The assembly functions are pure (wire models in,
plain dataclasses out) so they are tested without a network; :class:`SupervisorService` does the
hub calls and is meant for a worker thread (one short-lived :class:`HubClient` per call).

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

import os
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

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
from vmadesk.services.conflict_groups import ConflictGroup, group_conflicts
from vmadesk.services.lane_work_words import work_text, work_tooltip
from vmadesk.sync import wire
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable

TOKEN_ENV = "VMADESK_HUB_TOKEN"
TOKEN_SECRET = "hub_token"

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


def supervisor_token(session) -> str | None:  # type: ignore[no-untyped-def]
    """The hub token: ``VMADESK_HUB_TOKEN``, else the profile's stored ``hub_token`` secret."""
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env
    if session is None:
        return None
    from vmadesk.store import secrets_store

    value = secrets_store.get(session.conn, TOKEN_SECRET)
    return value.decode("ascii") if value else None


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


# --------------------------------------------------------------------------------------------
# Hub calls (worker threads)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardSnapshot:
    """What the board tab shows, fetched in one go."""

    rows: list[BoardRow]
    trends: wire.Trends
    fetched_at: datetime


class SupervisorService:
    """The supervisor's hub calls; safe to call from any thread (one client per call)."""

    def __init__(
        self,
        hub_url: str,
        token: str,
        *,
        client_factory: Callable[[str, str], HubClient] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.hub_url = hub_url
        self._token = token
        self._factory = client_factory or (lambda url, tok: HubClient(url, tok, 10.0))
        self.clock = clock

    def client(self) -> HubClient:
        """A fresh client (close it: use ``with``)."""
        return self._factory(self.hub_url, self._token)

    def snapshot(self, days: int = 28) -> BoardSnapshot:
        """Board rows with capacity signals, and the trends they were computed from."""
        with self.client() as hub:
            board = hub.board()
            trends = hub.trends(days=days)
        today = date.fromisoformat(trends.end)
        rows = build_board(board, assess_capacity(trends, today))
        return BoardSnapshot(rows, trends, self.clock())

    def access_problem(self) -> str | None:
        """Why this token cannot drive the board (None: it is a supervisor's, hub reachable).

        Checked before the window opens: a VMA's token would otherwise open an empty board
        that only fails (403) on the first refresh, and an unreachable hub would look the same.
        """
        try:
            with self.client() as hub:
                who = hub.whoami()
        except HubUnavailable:
            return (
                f"The hub at {self.hub_url} cannot be reached. Check the address and that the "
                "hub is running, then start the supervisor board again."
            )
        except HubRejected as error:
            return (
                f"The hub at {self.hub_url} refused the token ({error.status} {error.code}): it "
                "is wrong or revoked. Enrol again with your supervisor token."
            )
        if who.role is not wire.Role.SUPERVISOR:
            return (
                f"The token belongs to {who.handle} ({who.role.value}), not to a supervisor. "
                "The supervisor board needs a supervisor's token: enrol a supervisor profile "
                "(vmadesk enroll) or set VMADESK_HUB_TOKEN to a supervisor's token."
            )
        return None

    def conflicts(self) -> list[ConflictGroup]:
        """Ownership conflicts and takeovers, grouped per claimant and holder with counts."""
        with self.client() as hub:
            return group_conflicts(hub.conflicts(limit=5000).conflicts)

    def wait_escalations(self, after: int | None, wait: int) -> wire.EscalationChanges:
        """Escalations changed after the cursor ``after`` (None: from now).

        Blocks up to ``wait`` seconds; the hub answers as soon as one changes (a long poll).
        """
        with self.client() as hub:
            if after is None:
                after = hub.escalation_changes(None, 0).cursor
            return hub.escalation_changes(after, wait)

    def unattended(self) -> list[wire.UnattendedClaim]:
        """Work whose holder's lease lapsed (their console is away), longest lapsed first."""
        with self.client() as hub:
            return hub.unattended().claims

    def reassign(self, pseudonym: str, to: str, reason: wire.TakeoverReason) -> wire.TakeoverResult:
        """Give an item to another VMA with a reason (recorded; both VMAs are told)."""
        with self.client() as hub:
            return hub.reassign(pseudonym, to, reason)

    def open_escalations(self) -> list[wire.EscalationRecord]:
        """Open escalations team-wide, most urgent first."""
        with self.client() as hub:
            return hub.escalations(state="open").escalations

    def desk_escalations(self, include_resolved: bool = False) -> list[wire.EscalationRecord]:
        """The escalation desk's list: open ones, most urgent first (resolved ones too if asked)."""
        with self.client() as hub:
            return hub.escalations(state="all" if include_resolved else "open").escalations

    def acknowledge(self, escalation_id: str) -> wire.EscalationRecord:
        """Acknowledge one escalation."""
        with self.client() as hub:
            return hub.acknowledge_escalation(escalation_id)

    def resolve(self, escalation_id: str, code: wire.ResolutionCode) -> wire.EscalationRecord:
        """Resolve one escalation with a resolution code."""
        with self.client() as hub:
            return hub.resolve_escalation(escalation_id, code)

    def draw_sample(
        self, vma: str, week: str, per_stratum: int = 2, seed: int | None = None
    ) -> wire.Sample:
        """Draw and record a week's sample (the hub picks and records the seed if None)."""
        request = wire.SampleRequest(vma=vma, week=week, per_stratum=per_stratum, seed=seed)
        with self.client() as hub:
            return hub.draw_sample(request)

    def samples(self, week: str | None = None) -> list[wire.Sample]:
        """Recorded samples, newest first."""
        with self.client() as hub:
            return hub.samples(week=week).samples

    def timeline(self, vma: str, pseudonym: str) -> list[wire.ItemEventRecord]:
        """The PHI-free timeline of one item."""
        with self.client() as hub:
            return hub.events(vma=vma, pseudonym=pseudonym).events

    def item_escalations(self, vma: str, pseudonym: str) -> list[wire.EscalationRecord]:
        """Escalations (any state) of one item."""
        with self.client() as hub:
            found = hub.escalations(state="all", vma=vma).escalations
        return [e for e in found if e.pseudonym == pseudonym]

    def score(self, sample_id: str, score: wire.SpotCheckScore) -> wire.ScoreRecord:
        """Record the rubric of one sampled item."""
        with self.client() as hub:
            return hub.score(sample_id, score)

    def scores(self, sample_id: str) -> list[wire.ScoreRecord]:
        """Scores of one sample."""
        with self.client() as hub:
            return hub.scores(sample_id).scores

    def request_evidence(
        self, public_key_b64: str, sample_id: str, pseudonym: str
    ) -> wire.EvidenceRecord:
        """Register this profile's public key, then ask the VMA for sealed evidence."""
        request = wire.EvidenceRequest(
            request_id=str(uuid.uuid4()), sample_id=sample_id, pseudonym=pseudonym
        )
        with self.client() as hub:
            hub.register_public_key(public_key_b64)
            return hub.request_evidence(request)

    def evidence_for(self, sample_id: str, pseudonym: str) -> list[wire.EvidenceRecord]:
        """My evidence requests for one sampled item, answered ones (with ciphertext) first."""
        with self.client() as hub:
            found = hub.evidence_requests().requests
        mine = [r for r in found if r.sample_id == sample_id and r.pseudonym == pseudonym]
        return sorted(mine, key=lambda r: r.state is not wire.EvidenceState.ANSWERED)

    def week_report(self) -> tuple[list[wire.Sample], dict[str, list[wire.ScoreRecord]]]:
        """Recorded samples (newest first, up to 100) and their scores, for the report."""
        with self.client() as hub:
            samples = hub.samples().samples
            scores = {s.sample_id: hub.scores(s.sample_id).scores for s in samples}
        return samples, scores
