from dataclasses import replace
from datetime import date, timedelta

import pytest

from vmadesk.domain.capacity import (
    CapacityThresholds,
    DayStats,
    Recommendation,
    SignalCode,
    evaluate_capacity,
    recommend_for_vma,
)
from vmadesk.domain.vocabulary import Lane

# Wednesday of ISO week 2025-W43; the last complete week is W42 (Mon 13 – Sun 19 Oct).
TODAY = date(2025, 10, 22)
W42 = date(2025, 10, 13)
D = timedelta(days=1)
WEEK = timedelta(weeks=1)


def healthy_day(day: date) -> DayStats:
    return DayStats(
        day=day,
        opened=20,
        completed_on_time=19,
        completed_late=1,
        overdue_open=0,
        carried_over=2,
        carried_over_time_sensitive=0,
        dropped=0,
        first_attempt_minutes_median=30.0,
        sla_minutes=60.0,
    )


def history(weeks: int = 8) -> dict[date, DayStats]:
    """Weekdays from `weeks` weeks before W43's Monday up to TODAY."""
    start = W42 + WEEK - weeks * WEEK
    days = (start + i * D for i in range((TODAY - start).days + 1))
    return {d: healthy_day(d) for d in days if d.weekday() < 5}


def patch(rows: dict[date, DayStats], days: list[date], **changes: object) -> None:
    for d in days:
        rows[d] = replace(rows[d], **changes)


def weekdays(monday: date) -> list[date]:
    return [monday + i * D for i in range(5)]


def assess(rows: dict[date, DayStats], changed: date | None = None, **limits: object):
    thresholds = CapacityThresholds(**limits) if limits else None  # type: ignore[arg-type]
    return evaluate_capacity(
        list(rows.values()), staffing_changed_on=changed, today=TODAY, thresholds=thresholds
    )


def test_healthy_history_fires_nothing() -> None:
    result = assess(history())
    assert [s.code for s in result.signals] == list(SignalCode)
    assert result.firing == frozenset()
    assert all(s.since is None for s in result.signals)
    assert not result.overloaded
    assert result.recommendation is Recommendation.NONE


def test_empty_history_fires_nothing() -> None:
    result = evaluate_capacity([], staffing_changed_on=None, today=TODAY)
    assert result.firing == frozenset()
    assert "not enough complete weeks" in result.signal(SignalCode.VOLUME_GROWN).evidence


# -- LATE_RISING ---------------------------------------------------------------------------


def rising(rows: dict[date, DayStats], lates: list[int]) -> None:
    """Set late-per-day for the last len(lates) complete weeks, oldest first."""
    for offset, late in enumerate(reversed(lates)):
        patch(rows, weekdays(W42 - offset * WEEK), completed_on_time=20 - late, completed_late=late)


def test_late_rising_two_weeks_fires() -> None:
    rows = history()
    rising(rows, [1, 2, 3])  # 5 % -> 10 % -> 15 %
    signal = assess(rows).signal(SignalCode.LATE_RISING)
    assert signal.firing
    assert signal.since == W42 - WEEK
    assert "2025-W40 5%, 2025-W41 10%, 2025-W42 15%" in signal.evidence


def test_late_rising_counts_overdue_open_too() -> None:
    rows = history()
    patch(rows, weekdays(W42 - WEEK), overdue_open=1)
    patch(rows, weekdays(W42), overdue_open=3)
    assert assess(rows).signal(SignalCode.LATE_RISING).firing


def test_late_rising_one_week_only_is_off() -> None:
    rows = history()
    rising(rows, [1, 1, 3])
    signal = assess(rows).signal(SignalCode.LATE_RISING)
    assert not signal.firing
    assert signal.since is None
    assert "rising 1 week(s)" in signal.evidence


def test_late_rising_broken_run_is_off() -> None:
    rows = history()
    rising(rows, [1, 3, 2, 3])  # up, down, up
    assert not assess(rows).signal(SignalCode.LATE_RISING).firing


def test_late_rising_below_min_step_is_off() -> None:
    rows = history()
    rising(rows, [1, 2, 3])
    assert not assess(rows, late_rise_min_step=0.06).signal(SignalCode.LATE_RISING).firing


def test_late_rising_ignores_the_week_in_progress() -> None:
    rows = history()
    rising(rows, [1, 2])
    patch(rows, [TODAY - 2 * D, TODAY - D, TODAY], completed_on_time=10, completed_late=10)
    assert not assess(rows).signal(SignalCode.LATE_RISING).firing


# -- CARRY_OVER ----------------------------------------------------------------------------


def test_carry_over_three_days_fires() -> None:
    rows = history()
    days = [TODAY - 13 * D, TODAY - 6 * D, TODAY]  # Thu 9 Oct (day 1 of 14), Thu 16, Wed 22
    patch(rows, days, carried_over_time_sensitive=1)
    signal = assess(rows).signal(SignalCode.CARRY_OVER)
    assert signal.firing
    assert signal.since == TODAY - 13 * D
    assert signal.evidence == "time-sensitive work carried over on 3 of the last 14 days"


def test_carry_over_two_days_is_off() -> None:
    rows = history()
    patch(rows, [TODAY - 6 * D, TODAY], carried_over_time_sensitive=2)
    assert not assess(rows).signal(SignalCode.CARRY_OVER).firing


def test_carry_over_outside_the_window_does_not_count() -> None:
    rows = history()
    patch(rows, [TODAY - 14 * D, TODAY - 6 * D, TODAY], carried_over_time_sensitive=1)
    assert not assess(rows).signal(SignalCode.CARRY_OVER).firing


def test_plain_carry_over_is_not_the_signal() -> None:
    rows = history()
    patch(rows, list(rows)[-10:], carried_over=9, carried_over_time_sensitive=0)
    assert not assess(rows).signal(SignalCode.CARRY_OVER).firing


# -- ATTEMPTS_DROPPED ----------------------------------------------------------------------

LAST_7 = [TODAY - i * D for i in range(7)]  # Thu 16 – Wed 22 Oct: five weekdays


def test_dropped_five_percent_fires() -> None:
    rows = history()
    # 5 weekdays x 20 closed = 100 closed; 5 dropped = 5 %.
    patch(rows, [TODAY - D], completed_on_time=14, dropped=5)
    signal = assess(rows).signal(SignalCode.ATTEMPTS_DROPPED)
    assert signal.firing
    assert signal.since == TODAY - D
    assert signal.evidence.startswith("5 of 100 closed items dropped")


def test_dropped_below_five_percent_is_off() -> None:
    rows = history()
    patch(rows, [TODAY - D], completed_on_time=15, dropped=4)
    assert not assess(rows).signal(SignalCode.ATTEMPTS_DROPPED).firing


def test_dropped_before_the_window_is_off() -> None:
    rows = history()
    patch(rows, [TODAY - 7 * D], completed_on_time=0, dropped=20)
    assert not assess(rows).signal(SignalCode.ATTEMPTS_DROPPED).firing


# -- RESPONSE_STRETCHING -------------------------------------------------------------------


def test_response_over_sla_most_days_fires() -> None:
    rows = history()
    over = [d for d in LAST_7 if d in rows][:3]
    patch(rows, over, first_attempt_minutes_median=75.0)
    signal = assess(rows).signal(SignalCode.RESPONSE_STRETCHING)
    assert signal.firing
    assert signal.since == min(over)
    assert "3 of 5 days" in signal.evidence


def test_response_over_sla_on_a_minority_is_off() -> None:
    rows = history()
    patch(rows, [d for d in LAST_7 if d in rows][:2], first_attempt_minutes_median=75.0)
    assert not assess(rows).signal(SignalCode.RESPONSE_STRETCHING).firing


def test_response_at_sla_is_not_over() -> None:
    rows = history()
    patch(rows, [d for d in LAST_7 if d in rows], first_attempt_minutes_median=60.0)
    assert not assess(rows).signal(SignalCode.RESPONSE_STRETCHING).firing


def test_response_needs_enough_days_with_attempts() -> None:
    rows = history()
    in_week = [d for d in LAST_7 if d in rows]
    patch(rows, in_week[:2], first_attempt_minutes_median=90.0)
    patch(rows, in_week[2:], first_attempt_minutes_median=None)
    assert not assess(rows).signal(SignalCode.RESPONSE_STRETCHING).firing
    patch(rows, [in_week[2]], first_attempt_minutes_median=61.0)
    assert assess(rows).signal(SignalCode.RESPONSE_STRETCHING).firing


# -- VOLUME_GROWN --------------------------------------------------------------------------


def test_volume_up_twenty_percent_vs_four_weeks_ago_fires() -> None:
    rows = history()
    patch(rows, weekdays(W42 - WEEK), opened=24)
    patch(rows, weekdays(W42), opened=24)  # 120 vs 100
    signal = assess(rows).signal(SignalCode.VOLUME_GROWN)
    assert signal.firing
    assert signal.since == W42 - WEEK
    assert signal.evidence == "opened 120 in 2025-W42 vs 100 in 2025-W38 (4 weeks before)"


def test_volume_up_less_than_twenty_percent_is_off() -> None:
    rows = history()
    patch(rows, weekdays(W42)[:4], opened=24)
    patch(rows, weekdays(W42)[4:], opened=23)  # 119 vs 100
    assert not assess(rows).signal(SignalCode.VOLUME_GROWN).firing


def test_volume_measured_from_the_staffing_change() -> None:
    rows = history()
    change = date(2025, 9, 24)  # Wednesday of W39: first full week after is W40
    patch(rows, weekdays(W42 - 2 * WEEK), opened=15)  # W40: 75
    # W42 at 100 is +33 % on the post-change week, though flat against W38.
    signal = assess(rows, changed=change).signal(SignalCode.VOLUME_GROWN)
    assert signal.firing
    assert "vs 75 in 2025-W40 (the staffing change)" in signal.evidence
    assert signal.since == W42 - WEEK
    assert not assess(rows).signal(SignalCode.VOLUME_GROWN).firing


def test_volume_staffing_change_on_a_monday_uses_that_week() -> None:
    rows = history()
    patch(rows, weekdays(W42 - WEEK), opened=10)  # W41 at 50
    signal = assess(rows, changed=W42 - WEEK).signal(SignalCode.VOLUME_GROWN)
    assert signal.firing
    assert "vs 50 in 2025-W41" in signal.evidence


def test_volume_recent_change_falls_back_to_lookback() -> None:
    rows = history()
    patch(rows, weekdays(W42), opened=24)
    signal = assess(rows, changed=W42 + D).signal(SignalCode.VOLUME_GROWN)
    assert signal.firing
    assert "(4 weeks before)" in signal.evidence


def test_volume_without_a_baseline_week_is_off() -> None:
    rows = {d: r for d, r in history().items() if d >= W42 - 2 * WEEK}
    signal = assess(rows).signal(SignalCode.VOLUME_GROWN)
    assert not signal.firing
    assert signal.evidence == "not enough complete weeks to compare"


def test_volume_ignores_the_week_in_progress_and_future_rows() -> None:
    rows = history()
    patch(rows, [TODAY - 2 * D, TODAY - D, TODAY], opened=500)
    rows[TODAY + D] = replace(healthy_day(TODAY + D), opened=900)
    assert not assess(rows).signal(SignalCode.VOLUME_GROWN).firing


# -- combined ------------------------------------------------------------------------------


def test_one_signal_is_not_overloaded() -> None:
    rows = history()
    patch(rows, [TODAY - D], completed_on_time=10, dropped=9)
    result = assess(rows)
    assert result.firing == {SignalCode.ATTEMPTS_DROPPED}
    assert not result.overloaded
    assert result.recommendation is Recommendation.NONE


def mild_rows() -> dict[date, DayStats]:
    rows = history()
    in_week = [d for d in LAST_7 if d in rows]
    patch(rows, in_week, carried_over_time_sensitive=1, first_attempt_minutes_median=80.0)
    return rows


def test_mild_signals_together_ask_for_more_hours() -> None:
    result = assess(mild_rows())
    assert result.firing == {SignalCode.CARRY_OVER, SignalCode.RESPONSE_STRETCHING}
    assert result.overloaded
    assert result.recommendation is Recommendation.MORE_HOURS


def test_serious_signals_ask_for_a_specialist() -> None:
    rows = mild_rows()
    patch(rows, weekdays(W42), opened=30)
    result = assess(rows)
    assert result.firing == {
        SignalCode.CARRY_OVER,
        SignalCode.RESPONSE_STRETCHING,
        SignalCode.VOLUME_GROWN,
    }
    assert result.recommendation is Recommendation.SPECIALIST_FOR_LANE


def test_all_five_fire() -> None:
    rows = mild_rows()
    rising(rows, [1, 2, 3])
    patch(rows, weekdays(W42), opened=30, completed_on_time=10, completed_late=5, dropped=5)
    result = assess(rows)
    assert result.firing == set(SignalCode)
    assert all(s.since is not None for s in result.signals)


def test_overload_threshold_is_configurable() -> None:
    rows = history()
    patch(rows, [TODAY - D], completed_on_time=10, dropped=9)
    assert (
        assess(rows, overloaded_min_signals=1).recommendation is Recommendation.SPECIALIST_FOR_LANE
    )


def test_duplicate_day_is_refused() -> None:
    row = healthy_day(TODAY)
    with pytest.raises(ValueError, match="two rows"):
        evaluate_capacity([row, row], staffing_changed_on=None, today=TODAY)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"opened": -1}, "opened"),
        ({"carried_over": 0, "carried_over_time_sensitive": 1}, "time-sensitive"),
        ({"sla_minutes": 0}, "sla_minutes"),
        ({"first_attempt_minutes_median": -1.0}, "median"),
    ],
)
def test_bad_day_stats_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(healthy_day(TODAY), **changes)


# -- recommend_for_vma on real assessments (rule table: test_capacity_recommendation.py) ----


def test_recommend_for_vma_on_real_assessments() -> None:
    serious = mild_rows()
    patch(serious, [TODAY - D], completed_on_time=10, dropped=9)
    per_lane = {Lane.CALLBACK: assess(history()), Lane.ELIGIBILITY: assess(serious)}
    assert recommend_for_vma(per_lane) is Recommendation.SPECIALIST_FOR_LANE
