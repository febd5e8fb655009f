"""Lane horizons: how far ahead of the date of service an appointment lane's item is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.sla import LanePolicy, beyond_horizon
from vmadesk.domain.vocabulary import Lane

HOURS = BusinessHours.default("America/New_York")
#: 23:30 on 2 January in New York (already 3 January in UTC).
NOW = datetime(2027, 1, 3, 4, 30, tzinfo=UTC)


def test_default_horizons() -> None:
    assert LanePolicy.default(Lane.ELIGIBILITY).horizon_days == 30
    assert LanePolicy.default(Lane.CONFIRMATION).horizon_days is None
    assert LanePolicy.default(Lane.CALLBACK).horizon_days is None


@pytest.mark.parametrize(
    ("start", "beyond"),
    [
        ("2027-02-01T23:59:00-05:00", False),  # 30 days after 2 January, where it is
        ("2027-02-02T00:00:00-05:00", True),
        ("2027-02-02T04:59:00+00:00", False),  # still 1 February in New York
    ],
)
def test_horizon_counts_whole_days_in_the_practice_zone(start: str, beyond: bool) -> None:
    policy = LanePolicy.default(Lane.ELIGIBILITY)
    at = datetime.fromisoformat(start)
    assert beyond_horizon(policy, HOURS, appointment_start=at, now=NOW) is beyond


def test_no_horizon_is_no_limit() -> None:
    policy = LanePolicy.default(Lane.CONFIRMATION)
    far = NOW + timedelta(days=3650)
    assert not beyond_horizon(policy, HOURS, appointment_start=far, now=NOW)


def test_stored_policies_keep_or_default_their_horizon() -> None:
    policy = LanePolicy(Lane.ELIGIBILITY, timedelta(hours=48), timedelta(hours=8), horizon_days=7)
    assert LanePolicy.from_dict(policy.to_dict()) == policy
    stored_before_horizons = {k: v for k, v in policy.to_dict().items() if k != "horizon_days"}
    assert LanePolicy.from_dict(stored_before_horizons).horizon_days == 30
    no_limit = {**policy.to_dict(), "horizon_days": None}
    assert LanePolicy.from_dict(no_limit).horizon_days is None


@pytest.mark.parametrize(
    ("lane", "horizon", "message"),
    [(Lane.ELIGIBILITY, -1, "horizon_days"), (Lane.CALLBACK, 5, "no appointment")],
)
def test_bad_horizon_is_refused(lane: Lane, horizon: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LanePolicy(lane, timedelta(hours=2), timedelta(0), horizon_days=horizon)
