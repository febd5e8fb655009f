"""Capacity signals for the supervisor's board: is one VMA still enough for a lane?

The input is one VMA's daily history in one lane (:class:`DayStats`). Five signals look at it
from different sides — lateness trend, carry-over, dropped work, response time, volume — and a
lane counts as overloaded when at least two fire, because any one of them alone has innocent
explanations (a payer outage, a bank holiday backlog). The signal rules live in
:mod:`vmadesk.domain.capacity_signals`; the thresholds all sit in :class:`CapacityThresholds`.

Recommendation rules, per lane (:func:`evaluate_capacity`):

* not overloaded → ``NONE``;
* only the mild signals fire (carry-over, response stretching: the work gets done, a bit late)
  → ``MORE_HOURS``;
* anything else (lateness rising, work dropped, volume grown) → ``SPECIALIST_FOR_LANE``: this
  lane alone needs more than the VMA can give it.

Across a VMA's lanes (:func:`recommend_for_vma`):

* no lane overloaded → ``NONE``;
* a specialised lane overloaded (prior authorization: payer rules take long to learn) →
  ``SPECIALIST_FOR_LANE``, whatever its signals and the other lanes;
* every overloaded lane is only mildly so → ``MORE_HOURS``;
* exactly one lane overloaded (others fine) → ``SPECIALIST_FOR_LANE``: a person who owns that
  lane fixes it without disturbing the lanes that work;
* two or more lanes overloaded and volume grown in at least one → ``GENERALIST_VMA``: demand
  has grown across the board and another VMA who can take any lane spreads it;
* two or more lanes overloaded without volume growth → ``MORE_HOURS``: demand is what the
  staffing was sized for, so the first remedy is time, not a hire.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from vmadesk.domain.capacity_signals import (
    CapacityThresholds,
    DayStats,
    Signal,
    SignalCode,
    compute_signals,
)
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.vocabulary import Lane

__all__ = [
    "MILD_SIGNALS",
    "CapacityAssessment",
    "CapacityThresholds",
    "DayStats",
    "Recommendation",
    "Signal",
    "SignalCode",
    "evaluate_capacity",
    "recommend_for_vma",
    "slipping_lanes",
]


#: Signals that say the work is getting done, only later than it should.
MILD_SIGNALS = frozenset({SignalCode.CARRY_OVER, SignalCode.RESPONSE_STRETCHING})


class Recommendation(StrEnum):
    """What the supervisor is advised to do about a VMA's load."""

    NONE = "none"
    MORE_HOURS = "more_hours"
    GENERALIST_VMA = "generalist_vma"
    SPECIALIST_FOR_LANE = "specialist_for_lane"


@dataclass(frozen=True)
class CapacityAssessment:
    """The five signals for one VMA in one lane, and what they add up to.

    Attributes:
        signals: One :class:`Signal` per :class:`SignalCode`, in enum order.
        overloaded: Whether enough signals fire (see :class:`CapacityThresholds`).
        recommendation: The lane-level advice (see the module docstring).
    """

    signals: tuple[Signal, ...]
    overloaded: bool
    recommendation: Recommendation

    @property
    def firing(self) -> frozenset[SignalCode]:
        """Codes of the signals that fire."""
        return frozenset(s.code for s in self.signals if s.firing)

    def signal(self, code: SignalCode) -> Signal:
        """Return the signal with ``code``."""
        for candidate in self.signals:
            if candidate.code is code:
                return candidate
        raise KeyError(code)


def evaluate_capacity(
    history: Sequence[DayStats],
    *,
    staffing_changed_on: date | None,
    today: date,
    thresholds: CapacityThresholds | None = None,
) -> CapacityAssessment:
    """Assess one VMA's load in one lane from its daily history.

    Windows end at ``today`` inclusive; rows after ``today`` are ignored. Weekly comparisons
    use complete ISO weeks only (those before the week of ``today``), since a week in
    progress would always look like falling volume.

    Args:
        history: Daily stats of one VMA in one lane, any order, one row per day.
        staffing_changed_on: When the lane's staffing last changed, if known; volume growth
            is then measured against the first full week after it.
        today: The practice-local date of the assessment.
        thresholds: Signal thresholds; defaults to :class:`CapacityThresholds()`.

    Raises:
        ValueError: If two rows share a day.
    """
    limits = thresholds or CapacityThresholds()
    by_day: dict[date, DayStats] = {}
    for row in history:
        if row.day in by_day:
            raise ValueError(f"history has two rows for {row.day}")
        if row.day <= today:
            by_day[row.day] = row
    signals = compute_signals(by_day, staffing_changed_on, today, limits)
    firing = frozenset(s.code for s in signals if s.firing)
    overloaded = len(firing) >= limits.overloaded_min_signals
    if not overloaded:
        recommendation = Recommendation.NONE
    elif firing <= MILD_SIGNALS:
        recommendation = Recommendation.MORE_HOURS
    else:
        recommendation = Recommendation.SPECIALIST_FOR_LANE
    return CapacityAssessment(signals, overloaded, recommendation)


def slipping_lanes(per_lane: Mapping[Lane, CapacityAssessment]) -> tuple[Lane, ...]:
    """Lanes whose assessment is overloaded, in lane order."""
    return tuple(lane for lane in Lane if lane in per_lane and per_lane[lane].overloaded)


def recommend_for_vma(per_lane: Mapping[Lane, CapacityAssessment]) -> Recommendation:
    """Combine one VMA's per-lane assessments into one piece of advice.

    See the module docstring for the rules.
    """
    lanes = slipping_lanes(per_lane)
    slipping = [per_lane[lane] for lane in lanes]
    if not slipping:
        return Recommendation.NONE
    if any(lane_definition(lane).specialised for lane in lanes):
        return Recommendation.SPECIALIST_FOR_LANE
    if all(a.firing <= MILD_SIGNALS for a in slipping):
        return Recommendation.MORE_HOURS
    if len(slipping) == 1:
        return Recommendation.SPECIALIST_FOR_LANE
    if any(SignalCode.VOLUME_GROWN in a.firing for a in slipping):
        return Recommendation.GENERALIST_VMA
    return Recommendation.MORE_HOURS
