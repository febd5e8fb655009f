from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmadesk.domain.time_display import format_dual, format_due_in

NY = "America/New_York"
MANILA = "Asia/Manila"
# 2025-10-14 is a Tuesday; 14:30 EDT = 18:30 UTC = 02:30 Wednesday in Manila (UTC+8).
AT = datetime(2025, 10, 14, 18, 30, tzinfo=UTC)


def test_dual_same_day_in_both_zones() -> None:
    # Chicago is one hour behind New York and shares the date.
    now = datetime(2025, 10, 14, 15, 0, tzinfo=UTC)
    assert format_dual(AT, NY, "America/Chicago", now=now) == "14:30 practice · 13:30 local"


def test_dual_adds_the_date_only_where_it_is_not_today() -> None:
    # Now = 2025-10-14 16:00 UTC: Tuesday in New York, Wednesday 00:00 in Manila.
    now = datetime(2025, 10, 14, 16, 0, tzinfo=UTC)
    assert format_dual(AT, NY, MANILA, now=now) == "14:30 practice · 02:30 local"
    # Earlier the same UTC day it is still Tuesday in Manila, so the local side needs a date.
    morning = datetime(2025, 10, 14, 12, 0, tzinfo=UTC)
    assert format_dual(AT, NY, MANILA, now=morning) == "14:30 practice · Wed 15 Oct 02:30 local"


def test_dual_both_sides_dated_when_neither_is_today() -> None:
    now = datetime(2025, 10, 10, 12, 0, tzinfo=UTC)
    assert (
        format_dual(AT, NY, MANILA, now=now) == "Tue 14 Oct 14:30 practice · Wed 15 Oct 02:30 local"
    )


def test_dual_twelve_then_thirteen_hours_apart() -> None:
    # Manila (UTC+8, no DST) is 12 h ahead of New York in summer time, 13 h in winter.
    summer = datetime(2025, 10, 14, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert format_dual(summer, NY, MANILA, now=summer) == "09:00 practice · 21:00 local"
    winter = datetime(2025, 11, 4, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert format_dual(winter, NY, MANILA, now=winter) == "09:00 practice · 22:00 local"


def test_dual_collapses_when_offsets_match() -> None:
    now = datetime(2025, 10, 14, 12, 0, tzinfo=UTC)
    assert format_dual(AT, NY, "America/Toronto", now=now) == "14:30"
    assert format_dual(AT, NY, NY, now=now) == "14:30"
    assert format_dual(AT, NY, NY, now=now - timedelta(days=1)) == "Tue 14 Oct 14:30"


def test_dual_collapse_depends_on_the_instant() -> None:
    # Arizona has no DST: same offset as Denver in winter, different in summer.
    winter = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 18, 0, tzinfo=UTC)
    assert format_dual(winter, "America/Phoenix", "America/Denver", now=winter) == "11:00"
    assert (
        format_dual(summer, "America/Phoenix", "America/Denver", now=summer)
        == "11:00 practice · 12:00 local"
    )


def test_dual_refuses_naive_and_unknown_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_dual(datetime(2025, 10, 14, 9), NY, MANILA, now=AT)
    with pytest.raises(ValueError, match="unknown time zone"):
        format_dual(AT, NY, "Nowhere/Special", now=AT)


NOW = datetime(2025, 10, 14, 12, 0, tzinfo=ZoneInfo(NY))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=12), "due in 12 min"),
        (timedelta(minutes=12, seconds=59), "due in 12 min"),
        (timedelta(hours=1, minutes=5), "due in 1 h 05 min"),
        (timedelta(hours=1), "due in 1 h 00 min"),
        (timedelta(days=2, hours=4, minutes=59), "due in 2 d 4 h"),
        (timedelta(days=1), "due in 1 d 0 h"),
        (timedelta(seconds=20), "due in < 1 min"),
        (timedelta(0), "due now"),
        (-timedelta(seconds=20), "overdue < 1 min"),
        (-timedelta(hours=3, minutes=10), "overdue 3 h 10 min"),
        (-timedelta(minutes=59), "overdue 59 min"),
        (-timedelta(days=3, hours=1), "overdue 3 d 1 h"),
    ],
)
def test_due_in(delta: timedelta, text: str) -> None:
    assert format_due_in(NOW, NOW + delta) == text


def test_due_in_counts_elapsed_time_over_dst() -> None:
    before = datetime(2024, 3, 9, 12, 0, tzinfo=ZoneInfo(NY))
    after = datetime(2024, 3, 10, 12, 0, tzinfo=ZoneInfo(NY))
    assert format_due_in(before, after) == "due in 23 h 00 min"


@given(st.integers(min_value=-(10**7), max_value=10**7))
def test_due_in_sign_matches(seconds: int) -> None:
    text = format_due_in(NOW, NOW + timedelta(seconds=seconds))
    if seconds > 0:
        assert text.startswith("due in ")
    elif seconds < 0:
        assert text.startswith("overdue ")
    else:
        assert text == "due now"
