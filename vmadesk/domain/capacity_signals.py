"""The five capacity signals and the data they read (see :mod:`vmadesk.domain.capacity`).

Each signal is a small function of a VMA's daily history in one lane. They report a verdict
with evidence in numbers, so a supervisor can check the board against what they see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise


class SignalCode(StrEnum):
    """The capacity signals."""

    LATE_RISING = "late_rising"
    CARRY_OVER = "carry_over"
    ATTEMPTS_DROPPED = "attempts_dropped"
    RESPONSE_STRETCHING = "response_stretching"
    VOLUME_GROWN = "volume_grown"


@dataclass(frozen=True)
class DayStats:
    """One VMA's day in one lane.

    Attributes:
        day: The practice-local date.
        opened: Items that arrived in the lane that day.
        completed_on_time: Items completed by their due time.
        completed_late: Items completed after their due time.
        overdue_open: Open items overdue at the end of the day.
        carried_over: Open items left for the next shift.
        carried_over_time_sensitive: Of those, items due before the next shift's end.
        dropped: Items failed or cancelled for lack of time (not for a patient's reason).
        first_attempt_minutes_median: Median minutes from arrival to first contact attempt,
            None on a day without attempts.
        sla_minutes: The lane's target for that first attempt, in minutes.

    Raises:
        ValueError: On a negative count or median, or a non-positive SLA.
    """

    day: date
    opened: int
    completed_on_time: int
    completed_late: int
    overdue_open: int
    carried_over: int
    carried_over_time_sensitive: int
    dropped: int
    first_attempt_minutes_median: float | None
    sla_minutes: float

    def __post_init__(self) -> None:
        for name in (
            "opened",
            "completed_on_time",
            "completed_late",
            "overdue_open",
            "carried_over",
            "carried_over_time_sensitive",
            "dropped",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{self.day}: {name} must be a count >= 0, got {value!r}")
        if self.carried_over_time_sensitive > self.carried_over:
            raise ValueError(f"{self.day}: more time-sensitive carry-over than carry-over")
        median = self.first_attempt_minutes_median
        if median is not None and median < 0:
            raise ValueError(f"{self.day}: first_attempt_minutes_median must be >= 0")
        if not self.sla_minutes > 0:
            raise ValueError(f"{self.day}: sla_minutes must be positive, got {self.sla_minutes}")

    @property
    def closed(self) -> int:
        """Items closed that day, on time, late or dropped."""
        return self.completed_on_time + self.completed_late + self.dropped


@dataclass(frozen=True)
class CapacityThresholds:
    """Every number the capacity signals use.

    Attributes:
        late_rising_weeks: Consecutive ISO weeks the late share must rise.
        late_rise_min_step: Minimum rise per week, as a share (0.01 = one point), so noise
            around a flat share does not count as a trend.
        carry_over_days: Days with time-sensitive carry-over that fire the signal…
        carry_over_window_days: …within this many last days.
        dropped_share: Share of closed items dropped in the last week that fires the signal.
        recent_window_days: Length of "the last week" for dropped work and response time.
        response_min_days: Days with a first-attempt median needed before "most days" means
            anything.
        volume_growth: Weekly volume growth that fires the signal (0.20 = +20 %).
        volume_lookback_weeks: Baseline distance when no staffing change is known.
        overloaded_min_signals: Firing signals that make a lane overloaded.
    """

    late_rising_weeks: int = 2
    late_rise_min_step: float = 0.01
    carry_over_days: int = 3
    carry_over_window_days: int = 14
    dropped_share: float = 0.05
    recent_window_days: int = 7
    response_min_days: int = 3
    volume_growth: float = 0.20
    volume_lookback_weeks: int = 4
    overloaded_min_signals: int = 2


@dataclass(frozen=True)
class Signal:
    """One capacity signal's verdict.

    Attributes:
        code: Which signal.
        firing: Whether it fires.
        since: First day of the condition that makes it fire; None when not firing.
        evidence: Short text with the numbers behind the verdict (counts only, no PHI).
    """

    code: SignalCode
    firing: bool
    since: date | None
    evidence: str


def compute_signals(
    by_day: Mapping[date, DayStats],
    staffing_changed_on: date | None,
    today: date,
    limits: CapacityThresholds,
) -> tuple[Signal, ...]:
    """Evaluate every signal, in :class:`SignalCode` order.

    Args:
        by_day: History keyed by day, already cut at ``today``.
        staffing_changed_on: Last staffing change of the lane, if known.
        today: Last day of every window.
        limits: Thresholds.
    """
    return (
        late_rising(by_day, today, limits),
        carry_over(by_day, today, limits),
        attempts_dropped(by_day, today, limits),
        response_stretching(by_day, today, limits),
        volume_grown(by_day, staffing_changed_on, today, limits),
    )


def late_rising(by_day: Mapping[date, DayStats], today: date, limits: CapacityThresholds) -> Signal:
    """Late share rose, by at least the minimum step, in each of the last N complete weeks.

    A week's late share is (completed late + overdue open) / (completed + overdue open),
    summed over its days. Overdue items are end-of-day snapshots, so one item overdue three
    days counts three times; it does so in every week alike, which keeps the trend honest.
    """
    weeks: list[tuple[date, float | None]] = []
    monday = _monday(today) - _WEEK
    while True:
        days = _week_rows(by_day, monday)
        if not days:
            break
        late = sum(d.completed_late + d.overdue_open for d in days)
        total = sum(d.completed_on_time + d.completed_late + d.overdue_open for d in days)
        weeks.append((monday, late / total if total else None))
        monday -= _WEEK
    weeks.reverse()
    rising_since: date | None = None
    run = 0
    for (_, before), (week, after) in pairwise(weeks):
        if before is not None and after is not None and after - before >= limits.late_rise_min_step:
            run += 1
            rising_since = rising_since if run > 1 else week
        else:
            run, rising_since = 0, None
    shares = ", ".join(
        f"{_iso_week(w)} {_pct(x)}" for w, x in weeks[-(limits.late_rising_weeks + 1) :]
    )
    firing = run >= limits.late_rising_weeks
    return Signal(
        SignalCode.LATE_RISING,
        firing,
        rising_since if firing else None,
        f"late share by week: {shares or 'no complete week'}; rising {run} week(s) in a row",
    )


def carry_over(by_day: Mapping[date, DayStats], today: date, limits: CapacityThresholds) -> Signal:
    """Time-sensitive work was carried over on enough days of the recent window."""
    rows = _window(by_day, today, limits.carry_over_window_days)
    hit = [d.day for d in rows if d.carried_over_time_sensitive > 0]
    firing = len(hit) >= limits.carry_over_days
    return Signal(
        SignalCode.CARRY_OVER,
        firing,
        hit[0] if firing else None,
        f"time-sensitive work carried over on {len(hit)} of the last "
        f"{limits.carry_over_window_days} days",
    )


def attempts_dropped(
    by_day: Mapping[date, DayStats], today: date, limits: CapacityThresholds
) -> Signal:
    """At least the threshold share of items closed last week was dropped for lack of time."""
    rows = _window(by_day, today, limits.recent_window_days)
    dropped = sum(d.dropped for d in rows)
    closed = sum(d.closed for d in rows)
    firing = closed > 0 and dropped / closed >= limits.dropped_share
    first = next((d.day for d in rows if d.dropped), None)
    share = _pct(dropped / closed) if closed else "n/a"
    return Signal(
        SignalCode.ATTEMPTS_DROPPED,
        firing,
        first if firing else None,
        f"{dropped} of {closed} closed items dropped in the last "
        f"{limits.recent_window_days} days ({share})",
    )


def response_stretching(
    by_day: Mapping[date, DayStats], today: date, limits: CapacityThresholds
) -> Signal:
    """Median time to first attempt was above the lane SLA on most days of last week."""
    rows = [
        d
        for d in _window(by_day, today, limits.recent_window_days)
        if d.first_attempt_minutes_median is not None
    ]
    over = [d.day for d in rows if (d.first_attempt_minutes_median or 0.0) > d.sla_minutes]
    firing = len(rows) >= limits.response_min_days and 2 * len(over) > len(rows)
    return Signal(
        SignalCode.RESPONSE_STRETCHING,
        firing,
        over[0] if firing else None,
        f"first attempt slower than SLA on {len(over)} of {len(rows)} days with attempts "
        f"in the last {limits.recent_window_days} days",
    )


def volume_grown(
    by_day: Mapping[date, DayStats],
    staffing_changed_on: date | None,
    today: date,
    limits: CapacityThresholds,
) -> Signal:
    """Last complete week's volume is up by the threshold against a baseline week.

    The baseline is the first full ISO week after the staffing change, which is the volume
    the staffing was sized for; without a known change (or with one too recent to have a full
    week before last week) it is the week ``volume_lookback_weeks`` before last week.
    """
    last = _monday(today) - _WEEK
    base: date | None = None
    label = ""
    if staffing_changed_on is not None:
        after_change = _monday(staffing_changed_on)
        if after_change < staffing_changed_on:
            after_change += _WEEK
        if after_change < last and _week_rows(by_day, after_change):
            base, label = after_change, "the staffing change"
    if base is None:
        lookback = last - limits.volume_lookback_weeks * _WEEK
        if _week_rows(by_day, lookback):
            base, label = lookback, f"{limits.volume_lookback_weeks} weeks before"
    last_rows = _week_rows(by_day, last)
    if base is None or not last_rows:
        return Signal(SignalCode.VOLUME_GROWN, False, None, "not enough complete weeks to compare")
    base_opened = _opened(by_day, base)
    target = base_opened * (1 + limits.volume_growth)
    last_opened = _opened(by_day, last)
    firing = base_opened > 0 and last_opened >= target
    since: date | None = None
    if firing:
        # The growth holds from the earliest week after which every week stayed at target.
        since = last
        week = last - _WEEK
        while week > base and _week_rows(by_day, week) and _opened(by_day, week) >= target:
            since = week
            week -= _WEEK
    return Signal(
        SignalCode.VOLUME_GROWN,
        firing,
        since,
        f"opened {last_opened} in {_iso_week(last)} vs {base_opened} in {_iso_week(base)} "
        f"({label})",
    )


_WEEK = timedelta(weeks=1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_rows(by_day: Mapping[date, DayStats], monday: date) -> list[DayStats]:
    days = (monday + timedelta(days=offset) for offset in range(7))
    return [by_day[d] for d in days if d in by_day]


def _opened(by_day: Mapping[date, DayStats], monday: date) -> int:
    return sum(d.opened for d in _week_rows(by_day, monday))


def _window(by_day: Mapping[date, DayStats], today: date, days: int) -> list[DayStats]:
    """Rows of the ``days`` days ending at ``today`` inclusive, oldest first."""
    first = today - timedelta(days=days - 1)
    return [by_day[d] for d in sorted(by_day) if first <= d <= today]


def _iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"
