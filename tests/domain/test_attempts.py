from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmadesk.domain.attempts import attempts_exhausted, next_attempt_at, proposal_after_attempt
from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.sla import LanePolicy
from vmadesk.domain.vocabulary import Lane

NY = ZoneInfo("America/New_York")
POLICY = LanePolicy.default(Lane.CALLBACK)
HOURS = BusinessHours.default("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_next_attempt_is_gap_later_when_still_open() -> None:
    assert next_attempt_at(POLICY, HOURS, ny(2025, 10, 14, 9, 15)) == ny(2025, 10, 14, 11, 15)


def test_next_attempt_after_close_moves_to_next_opening() -> None:
    assert next_attempt_at(POLICY, HOURS, ny(2025, 10, 14, 16)) == ny(2025, 10, 15, 8)
    assert next_attempt_at(POLICY, HOURS, ny(2025, 10, 17, 15, 30)) == ny(2025, 10, 20, 8)


def test_next_attempt_gap_ending_exactly_at_close_moves_on() -> None:
    # 15:00 + 2 h = 17:00, which is closed (intervals are closed-open).
    assert next_attempt_at(POLICY, HOURS, ny(2025, 10, 14, 15)) == ny(2025, 10, 15, 8)


def test_next_attempt_across_spring_forward() -> None:
    result = next_attempt_at(POLICY, HOURS, ny(2024, 3, 8, 16))
    assert result == datetime(2024, 3, 11, 12, tzinfo=UTC)  # Monday 08:00 EDT


def test_next_attempt_refuses_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_attempt_at(POLICY, HOURS, datetime(2025, 10, 14, 9))


@pytest.mark.parametrize(
    ("count", "exhausted", "proposal"),
    [
        (0, False, "retry"),
        (2, False, "retry"),
        (3, True, "fail_or_escalate"),
        (7, True, "fail_or_escalate"),
    ],
)
def test_attempt_allowance(count: int, exhausted: bool, proposal: str) -> None:
    assert attempts_exhausted(POLICY, count) is exhausted
    assert proposal_after_attempt(POLICY, count) == proposal


def test_custom_allowance() -> None:
    one_try = LanePolicy(Lane.ELIGIBILITY, timedelta(hours=48), timedelta(hours=8), max_attempts=1)
    assert proposal_after_attempt(one_try, 0) == "retry"
    assert proposal_after_attempt(one_try, 1) == "fail_or_escalate"


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="unsuccessful_count"):
        attempts_exhausted(POLICY, -1)


@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    )
)
def test_next_attempt_is_open_and_respects_the_gap(last: datetime) -> None:
    nxt = next_attempt_at(POLICY, HOURS, last)
    assert HOURS.is_open(nxt)
    assert nxt - last >= POLICY.attempt_gap
