import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.lanes import DueAnchor
from vmadesk.domain.sla import (
    LanePolicy,
    compute_due,
    due_state,
    effective_due,
    held_duration,
    urgency_key,
)
from vmadesk.domain.vocabulary import DueState, Lane

NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def hours() -> BusinessHours:
    return BusinessHours.default("America/New_York")


# -- policies ------------------------------------------------------------------------------


def test_default_policies() -> None:
    callback = LanePolicy.default(Lane.CALLBACK)
    assert (callback.due_offset, callback.due_soon) == (2 * H, 30 * MIN)
    assert callback.anchor is DueAnchor.REQUEST
    confirmation = LanePolicy.default(Lane.CONFIRMATION)
    assert (confirmation.due_offset, confirmation.due_soon) == (24 * H, 4 * H)
    assert confirmation.anchor is DueAnchor.APPOINTMENT
    eligibility = LanePolicy.default(Lane.ELIGIBILITY)
    assert (eligibility.due_offset, eligibility.due_soon) == (48 * H, 8 * H)
    assert (eligibility.max_attempts, eligibility.attempt_gap) == (3, 2 * H)


@pytest.mark.parametrize("lane", list(Lane))
def test_policy_round_trip(lane: Lane) -> None:
    policy = LanePolicy(lane, 3 * H, 45 * MIN, max_attempts=5, attempt_gap=90 * MIN)
    data = json.loads(json.dumps(policy.to_dict()))
    assert data["due_offset_seconds"] == 3 * 3600
    assert LanePolicy.from_dict(data) == policy


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"due_offset": -H}, "due_offset"),
        ({"due_soon": -H}, "due_soon"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"attempt_gap": timedelta(0)}, "attempt_gap"),
    ],
)
def test_bad_policy_is_refused(kwargs: dict, message: str) -> None:
    base = {"lane": Lane.CALLBACK, "due_offset": H, "due_soon": MIN}
    with pytest.raises(ValueError, match=message):
        LanePolicy(**(base | kwargs))


def test_policy_from_dict_missing_key() -> None:
    with pytest.raises(ValueError, match="malformed"):
        LanePolicy.from_dict({"lane": "callback"})


# -- compute_due ---------------------------------------------------------------------------


def test_callback_due_two_business_hours_after_request(hours: BusinessHours) -> None:
    policy = LanePolicy.default(Lane.CALLBACK)
    assert compute_due(policy, hours, requested_at=ny(2025, 10, 14, 9, 10)) == ny(
        2025, 10, 14, 11, 10
    )
    # Left on Friday at 16:30: half an hour Friday, 90 minutes Monday.
    assert compute_due(policy, hours, requested_at=ny(2025, 10, 17, 16, 30)) == ny(
        2025, 10, 20, 9, 30
    )


def test_callback_left_overnight_starts_at_opening(hours: BusinessHours) -> None:
    policy = LanePolicy.default(Lane.CALLBACK)
    due = compute_due(policy, hours, requested_at=ny(2025, 10, 14, 23, 0))
    assert due == ny(2025, 10, 15, 10, 0)
    assert due.tzinfo is UTC


def test_callback_needs_requested_at(hours: BusinessHours) -> None:
    with pytest.raises(ValueError, match="requested_at"):
        compute_due(LanePolicy.default(Lane.CALLBACK), hours, appointment_start=ny(2025, 1, 2, 9))


def test_confirmation_due_a_day_before_in_hours(hours: BusinessHours) -> None:
    policy = LanePolicy.default(Lane.CONFIRMATION)
    assert compute_due(policy, hours, appointment_start=ny(2025, 10, 15, 10)) == ny(
        2025, 10, 14, 10
    )


def test_confirmation_for_monday_moves_earlier_to_friday_close(hours: BusinessHours) -> None:
    policy = LanePolicy.default(Lane.CONFIRMATION)
    # 24 h before Monday 10:00 is Sunday 10:00: closed, so Friday 17:00.
    assert compute_due(policy, hours, appointment_start=ny(2025, 10, 20, 10)) == ny(
        2025, 10, 17, 17
    )


def test_confirmation_for_early_appointment_moves_to_previous_close(hours: BusinessHours) -> None:
    policy = LanePolicy.default(Lane.CONFIRMATION)
    # 24 h before Wednesday 07:30 is Tuesday 07:30, before opening: Monday 17:00.
    assert compute_due(policy, hours, appointment_start=ny(2025, 10, 15, 7, 30)) == ny(
        2025, 10, 13, 17
    )


def test_eligibility_skips_a_holiday_backwards() -> None:
    hours = BusinessHours(
        "America/New_York",
        BusinessHours.default("UTC").weekly,
        holidays=frozenset({date(2025, 11, 27)}),
    )
    policy = LanePolicy.default(Lane.ELIGIBILITY)
    # 48 h before Saturday 29th 10:00 is Thanksgiving 10:00: holiday, so Wednesday 17:00.
    assert compute_due(policy, hours, appointment_start=ny(2025, 11, 29, 10)) == ny(
        2025, 11, 26, 17
    )


def test_wall_time_offset_across_spring_forward(hours: BusinessHours) -> None:
    policy = LanePolicy(Lane.CONFIRMATION, due_offset=72 * H, due_soon=H)
    # Appointment Tuesday 2024-03-12 10:00 EDT; 72 wall hours earlier is Saturday 10:00 EST,
    # closed, so Friday 17:00 EST, which is 22:00 UTC (not 21:00: Friday is still EST).
    due = compute_due(policy, hours, appointment_start=ny(2024, 3, 12, 10))
    assert due == datetime(2024, 3, 8, 22, tzinfo=UTC)


def test_wall_time_offset_across_fall_back(hours: BusinessHours) -> None:
    policy = LanePolicy(Lane.CONFIRMATION, due_offset=24 * H, due_soon=H)
    # Monday 2024-11-04 09:00 EST; 24 wall hours earlier is Sunday, closed -> Friday 17:00 EDT.
    due = compute_due(policy, hours, appointment_start=ny(2024, 11, 4, 9))
    assert due == datetime(2024, 11, 1, 21, tzinfo=UTC)
    # A weekday pair across no DST: Wednesday 10:00 -> Tuesday 10:00 exactly 24 h before.
    appt = ny(2024, 3, 13, 10)
    assert compute_due(policy, hours, appointment_start=appt) == appt - 24 * H


def test_dst_wall_time_keeps_the_clock_reading() -> None:
    # Open every day, so the wall-time result is visible: 24 h before Sunday 2024-03-10
    # 10:00 EDT is Saturday 10:00 EST, 23 elapsed hours, since the night lost one.
    weekly = {d: BusinessHours.default("UTC").weekly[0] for d in range(7)}
    every_day = BusinessHours("America/New_York", weekly)
    policy = LanePolicy(Lane.CONFIRMATION, due_offset=24 * H, due_soon=H)
    appt = ny(2024, 3, 10, 10)
    due = compute_due(policy, every_day, appointment_start=appt)
    assert due == ny(2024, 3, 9, 10)
    assert appt - due == 23 * H


def test_practice_twelve_zones_from_the_vma(hours: BusinessHours) -> None:
    # The VMA in Manila imports an appointment given in Manila time; the practice zone rules.
    manila = ZoneInfo("Asia/Manila")
    appt = datetime(2025, 10, 16, 22, 0, tzinfo=manila)  # Thursday 10:00 in New York
    due = compute_due(LanePolicy.default(Lane.CONFIRMATION), hours, appointment_start=appt)
    assert due == ny(2025, 10, 15, 10)


def test_appointment_lane_needs_appointment(hours: BusinessHours) -> None:
    with pytest.raises(ValueError, match="appointment_start"):
        compute_due(LanePolicy.default(Lane.ELIGIBILITY), hours, requested_at=ny(2025, 1, 2, 9))


def test_naive_anchor_is_refused(hours: BusinessHours) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_due(
            LanePolicy.default(Lane.CONFIRMATION), hours, appointment_start=datetime(2025, 1, 2)
        )


# -- due_state -----------------------------------------------------------------------------

DUE = ny(2025, 10, 14, 12)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (DUE - 31 * MIN, DueState.ON_TRACK),
        (DUE - 30 * MIN, DueState.DUE_SOON),
        (DUE, DueState.DUE_SOON),
        (DUE + timedelta(seconds=1), DueState.OVERDUE),
        (DUE + 5 * H, DueState.OVERDUE),
    ],
)
def test_due_state_boundaries(now: datetime, expected: DueState) -> None:
    assert due_state(now, DUE, due_soon=30 * MIN, on_hold=False) is expected


def test_hold_pauses_even_when_overdue() -> None:
    assert due_state(DUE + 5 * H, DUE, due_soon=30 * MIN, on_hold=True) is DueState.PAUSED


def test_due_state_compares_instants_not_wall_clocks() -> None:
    manila_now = DUE.astimezone(ZoneInfo("Asia/Manila")) + MIN
    assert due_state(manila_now, DUE, due_soon=H, on_hold=False) is DueState.OVERDUE


# -- holds ---------------------------------------------------------------------------------


def test_hold_pushes_due_by_time_held() -> None:
    held = held_duration(ny(2025, 10, 14, 10), ny(2025, 10, 14, 11, 30))
    assert held == 90 * MIN
    assert effective_due(DUE, held) == DUE + 90 * MIN
    # Before the hold the item was 10 min from due; after resuming it still is.
    resumed = ny(2025, 10, 14, 11, 30)
    assert effective_due(DUE, held) - resumed == DUE - ny(2025, 10, 14, 10)


def test_hold_over_dst_change_counts_elapsed_time() -> None:
    assert held_duration(ny(2024, 3, 9, 12), ny(2024, 3, 10, 12)) == 23 * H


def test_bad_holds_are_refused() -> None:
    with pytest.raises(ValueError, match="before it started"):
        held_duration(ny(2025, 10, 14, 11), ny(2025, 10, 14, 10))
    with pytest.raises(ValueError, match="negative"):
        effective_due(DUE, -MIN)


# -- urgency ordering ----------------------------------------------------------------------


def test_urgency_order() -> None:
    rows = [
        ("paused-early", DueState.PAUSED, DUE - 10 * H),
        ("track", DueState.ON_TRACK, DUE + 5 * H),
        ("overdue-recent", DueState.OVERDUE, DUE - H),
        ("soon", DueState.DUE_SOON, DUE + 10 * MIN),
        ("overdue-oldest", DueState.OVERDUE, DUE - 3 * H),
        ("soon-b", DueState.DUE_SOON, DUE + 10 * MIN),
        ("soon-a", DueState.DUE_SOON, DUE + 10 * MIN),
    ]
    ordered = sorted(rows, key=lambda r: urgency_key(r[1], r[2], r[0]))
    assert [r[0] for r in ordered] == [
        "overdue-oldest",
        "overdue-recent",
        "soon",
        "soon-a",
        "soon-b",
        "track",
        "paused-early",
    ]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(DueState)),
            st.integers(min_value=-10_000, max_value=10_000),
            st.integers(min_value=0, max_value=50),
        ),
        max_size=30,
    )
)
def test_urgency_key_puts_overdue_first_and_paused_last(rows: list) -> None:
    keyed = sorted(rows, key=lambda r: urgency_key(r[0], DUE + r[1] * MIN, r[2]))
    states = [r[0] for r in keyed]
    ranks = [0 if s is DueState.OVERDUE else 2 if s is DueState.PAUSED else 1 for s in states]
    assert ranks == sorted(ranks)
