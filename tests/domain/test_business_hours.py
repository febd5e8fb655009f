import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmadesk.domain.business_hours import BusinessHours

NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def hours() -> BusinessHours:
    return BusinessHours.default("America/New_York")


# -- construction and serialisation ------------------------------------------------------


def test_default_is_weekdays_eight_to_five(hours: BusinessHours) -> None:
    assert set(hours.weekly) == {0, 1, 2, 3, 4}
    assert hours.weekly[2] == ((time(8), time(17)),)
    assert hours.holidays == frozenset()


def test_round_trip_through_json() -> None:
    original = BusinessHours(
        tz="Europe/Berlin",
        weekly={0: ((time(13), time(17)), (time(8), time(12))), 5: ((time(9), time(12, 30)),)},
        holidays=frozenset({date(2025, 12, 25), date(2025, 12, 26)}),
    )
    data = json.loads(json.dumps(original.to_dict()))
    assert data["weekly"]["0"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert data["holidays"] == ["2025-12-25", "2025-12-26"]
    assert BusinessHours.from_dict(data) == original


def test_closed_days_are_dropped_so_equal_schedules_compare_equal() -> None:
    a = BusinessHours("UTC", {0: ((time(8), time(9)),), 6: ()})
    b = BusinessHours("UTC", {0: ((time(8), time(9)),)})
    assert a == b
    assert hash(a) == hash(b)


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ({}, "at least one open interval"),
        ({7: ((time(8), time(9)),)}, "weekday"),
        ({0: ((time(9), time(8)),)}, "open before it closes"),
        ({0: ((time(9), time(9)),)}, "open before it closes"),
        ({0: ((time(8), time(12)), (time(11), time(13)))}, "overlap"),
        ({0: ((time(8, 0, 30), time(12)),)}, "whole minutes"),
    ],
)
def test_bad_schedules_are_refused(weekly: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours("UTC", weekly)


def test_unknown_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessHours.default("Mars/Olympus_Mons")


def test_from_dict_missing_key_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="malformed"):
        BusinessHours.from_dict({"tz": "UTC"})


# -- is_open / next_open / previous_close --------------------------------------------------


def test_is_open_boundaries_are_closed_open(hours: BusinessHours) -> None:
    assert not hours.is_open(ny(2025, 10, 14, 7, 59))
    assert hours.is_open(ny(2025, 10, 14, 8, 0))
    assert hours.is_open(ny(2025, 10, 14, 16, 59))
    assert not hours.is_open(ny(2025, 10, 14, 17, 0))
    assert not hours.is_open(ny(2025, 10, 18, 10, 0))  # Saturday


def test_is_open_uses_the_practice_zone_not_the_callers(hours: BusinessHours) -> None:
    # 09:00 in Manila on Wednesday is 21:00 Tuesday in New York (EDT): closed.
    manila = datetime(2025, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Manila"))
    assert not hours.is_open(manila)
    # 21:00 in Manila is 09:00 in New York: open.
    assert hours.is_open(manila.replace(hour=21))


def test_naive_datetime_is_refused(hours: BusinessHours) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        hours.is_open(datetime(2025, 10, 14, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        hours.add_business_time(datetime(2025, 10, 14, 9), H)


def test_next_open_returns_at_itself_when_open(hours: BusinessHours) -> None:
    at = ny(2025, 10, 14, 10, 15)
    assert hours.next_open(at) == at
    assert hours.next_open(at).tzinfo is UTC


def test_next_open_skips_weekend_and_holiday() -> None:
    hours = BusinessHours(
        "America/New_York",
        BusinessHours.default("UTC").weekly,
        holidays=frozenset({date(2025, 12, 29)}),  # Monday
    )
    assert hours.next_open(ny(2025, 12, 26, 17, 0)) == ny(2025, 12, 30, 8, 0)


def test_lunch_break_is_skipped() -> None:
    hours = BusinessHours("UTC", {0: ((time(8), time(12)), (time(13), time(17)))})
    monday = datetime(2025, 10, 13, 12, 30, tzinfo=UTC)
    assert not hours.is_open(monday)
    assert hours.next_open(monday) == monday.replace(hour=13, minute=0)
    eleven = monday.replace(hour=11, minute=0)
    assert hours.add_business_time(eleven, 2 * H) == monday.replace(hour=14, minute=0)


def test_previous_close(hours: BusinessHours) -> None:
    assert hours.previous_close(ny(2025, 10, 19, 10, 0)) == ny(2025, 10, 17, 17, 0)
    assert hours.previous_close(ny(2025, 10, 14, 17, 0)) == ny(2025, 10, 14, 17, 0)
    assert hours.previous_close(ny(2025, 10, 14, 12, 0)) == ny(2025, 10, 13, 17, 0)


# -- add_business_time ---------------------------------------------------------------------


def test_add_within_one_day(hours: BusinessHours) -> None:
    assert hours.add_business_time(ny(2025, 10, 14, 9), 2 * H) == ny(2025, 10, 14, 11)


def test_add_that_uses_up_the_day_ends_at_close(hours: BusinessHours) -> None:
    assert hours.add_business_time(ny(2025, 10, 14, 15), 2 * H) == ny(2025, 10, 14, 17)


def test_add_rolls_over_the_weekend(hours: BusinessHours) -> None:
    assert hours.add_business_time(ny(2025, 10, 17, 16), 2 * H) == ny(2025, 10, 20, 9)


def test_add_from_outside_hours_starts_at_opening(hours: BusinessHours) -> None:
    assert hours.add_business_time(ny(2025, 10, 14, 22), 2 * H) == ny(2025, 10, 15, 10)
    assert hours.add_business_time(ny(2025, 10, 14, 22), timedelta(0)) == ny(2025, 10, 15, 8)


def test_add_negative_is_refused(hours: BusinessHours) -> None:
    with pytest.raises(ValueError, match="negative"):
        hours.add_business_time(ny(2025, 10, 14, 9), -H)


def test_add_across_spring_forward_weekend(hours: BusinessHours) -> None:
    # DST starts Sunday 2024-03-10 in New York: Friday is EST (UTC-5), Monday EDT (UTC-4).
    result = hours.add_business_time(ny(2024, 3, 8, 16), 2 * H)
    assert result == datetime(2024, 3, 11, 13, tzinfo=UTC)  # 09:00 EDT
    assert result.astimezone(NY).hour == 9


def test_add_across_fall_back_weekend(hours: BusinessHours) -> None:
    # DST ends Sunday 2024-11-03: Friday is EDT (UTC-4), Monday EST (UTC-5).
    result = hours.add_business_time(ny(2024, 11, 1, 16), 2 * H)
    assert result == datetime(2024, 11, 4, 14, tzinfo=UTC)  # 09:00 EST


def test_dst_day_counts_the_hours_it_really_has() -> None:
    around_the_clock = BusinessHours("America/New_York", {6: ((time(0), time(12)),)})
    spring = ny(2024, 3, 10, 0)
    assert around_the_clock.business_time_between(spring, ny(2024, 3, 10, 13)) == 11 * H
    assert around_the_clock.add_business_time(spring, 11 * H) == ny(2024, 3, 10, 12)
    fall = ny(2024, 11, 3, 0)
    assert around_the_clock.business_time_between(fall, ny(2024, 11, 3, 13)) == 13 * H
    assert around_the_clock.add_business_time(fall, 13 * H) == ny(2024, 11, 3, 12)


def test_holiday_is_skipped_when_adding() -> None:
    hours = BusinessHours(
        "America/New_York",
        BusinessHours.default("UTC").weekly,
        holidays=frozenset({date(2025, 11, 27)}),  # Thanksgiving, a Thursday
    )
    assert hours.add_business_time(ny(2025, 11, 26, 16), 2 * H) == ny(2025, 11, 28, 9)


def test_many_weeks_of_business_time(hours: BusinessHours) -> None:
    # 90 business hours = 10 business days = two calendar weeks from a Monday morning.
    start = ny(2025, 10, 6, 8)
    assert hours.add_business_time(start, 90 * H) == ny(2025, 10, 17, 17)


# -- business_time_between -----------------------------------------------------------------


def test_between_over_a_weekend(hours: BusinessHours) -> None:
    assert hours.business_time_between(ny(2025, 10, 17, 16), ny(2025, 10, 20, 9)) == 2 * H


def test_between_is_antisymmetric(hours: BusinessHours) -> None:
    a, b = ny(2025, 10, 14, 9), ny(2025, 10, 15, 9)
    assert hours.business_time_between(a, b) == 9 * H
    assert hours.business_time_between(b, a) == -9 * H


def test_between_outside_hours_is_zero(hours: BusinessHours) -> None:
    assert hours.business_time_between(ny(2025, 10, 18, 1), ny(2025, 10, 19, 23)) == timedelta(0)


# -- properties ----------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda m: timedelta(minutes=m))
zones = st.sampled_from(["America/New_York", "Europe/London", "Asia/Manila", "Australia/Sydney"])


@settings(max_examples=200, deadline=None)
@given(start=instants, delta=durations, tz=zones)
def test_adding_then_measuring_gives_the_delta_back(
    start: datetime, delta: timedelta, tz: str
) -> None:
    hours = BusinessHours.default(tz)
    end = hours.add_business_time(start, delta)
    assert end >= start
    assert hours.business_time_between(start, end) == delta
    # The result is in hours, or exactly at a close.
    assert hours.is_open(end) or hours.previous_close(end) == end


@settings(max_examples=200, deadline=None)
@given(at=instants, tz=zones)
def test_next_open_is_open_and_nothing_open_before_it(at: datetime, tz: str) -> None:
    hours = BusinessHours.default(tz)
    nxt = hours.next_open(at)
    assert nxt >= at
    assert hours.is_open(nxt)
    assert hours.business_time_between(at, nxt) == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(a=instants, b=instants, c=instants)
def test_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    hours = BusinessHours.default("America/New_York")
    a, b, c = sorted((a, b, c))
    assert hours.business_time_between(a, c) == hours.business_time_between(
        a, b
    ) + hours.business_time_between(b, c)
