"""The two clocks of a PA (business vs calendar time), re-auth and appeal due times, follow-ups.

The calendar: a New York practice open Monday to Friday 08:00–17:00 (UTC-5 in November),
closed on Thanksgiving (Thursday 2026-11-26) and the day after; the weekend follows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.follow_ups import FollowUpKind
from vmadesk.domain.medical_codes import ServiceLine
from vmadesk.domain.payer_clock import (
    DEFAULT_PROGRAM_CLOCKS,
    PaClockPolicy,
    ProgramClock,
    ReauthPolicy,
    appeal_deadline,
    appeal_due,
    follow_ups,
    late_by_words,
    payer_clock,
    payer_due,
    practice_due,
    practice_state,
    reauth_due,
    record_denial,
    subtract_business_time,
)
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.domain.vocabulary import DueState

NY = ZoneInfo("America/New_York")
THANKSGIVING = date(2026, 11, 26)
HOURS = BusinessHours(
    tz="America/New_York",
    weekly=BusinessHours.default("America/New_York").weekly,
    holidays=frozenset({THANKSGIVING, date(2026, 11, 27)}),
)
NO_HOLIDAYS = BusinessHours.default("America/New_York")
POLICY = PaClockPolicy()
WED_10 = datetime(2026, 11, 25, 10, 0, tzinfo=NY)  # the eve of Thanksgiving
MA, MEDICAID, CHIP = PayerProgram.MEDICARE_ADVANTAGE, PayerProgram.MEDICAID, PayerProgram.CHIP
STD, EXP = PaUrgency.STANDARD, PaUrgency.EXPEDITED


def pa(**kw: object) -> PriorAuthFields:
    base: dict[str, object] = {"program": MA, "services": (ServiceLine("72148", 1),)}
    base.update(kw)
    return PriorAuthFields(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("program", [MA, MEDICAID, CHIP])
def test_cms_programs_default_to_72_hours_and_7_calendar_days(program: PayerProgram) -> None:
    # Across Thanksgiving, the day after and the weekend: calendar time ignores them all.
    assert payer_due(WED_10, program, EXP, POLICY) == datetime(2026, 11, 28, 10, 0, tzinfo=NY)
    assert payer_due(WED_10, program, STD, POLICY) == datetime(2026, 12, 2, 10, 0, tzinfo=NY)


def test_commercial_and_exchange_default_to_the_erisa_windows() -> None:
    for program in (PayerProgram.COMMERCIAL, PayerProgram.EXCHANGE):
        assert payer_due(WED_10, program, STD, POLICY) == WED_10 + timedelta(days=15)
        assert payer_due(WED_10, program, EXP, POLICY) == WED_10 + timedelta(hours=72)


def test_a_practice_configures_one_program_and_leaves_the_others() -> None:
    faster = POLICY.with_program(MEDICAID, ProgramClock(timedelta(days=5), timedelta(hours=24),
                                                       timedelta(days=60)))  # fmt: skip
    assert payer_due(WED_10, MEDICAID, STD, faster) == WED_10 + timedelta(days=5)
    assert payer_due(WED_10, MEDICAID, EXP, faster) == WED_10 + timedelta(hours=24)
    assert payer_due(WED_10, CHIP, STD, faster) == WED_10 + timedelta(days=7)
    assert POLICY.clock(MEDICAID) == DEFAULT_PROGRAM_CLOCKS[MEDICAID]  # the original is unchanged
    again = PaClockPolicy.from_dict(faster.to_dict())
    assert again.clock(MEDICAID) == faster.clock(MEDICAID)
    assert again.practice == faster.practice and again.reauth == faster.reauth


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        ProgramClock(timedelta(0), timedelta(hours=1), timedelta(days=1))
    with pytest.raises(ValueError, match="no payer clock for: chip"):
        PaClockPolicy({p: c for p, c in DEFAULT_PROGRAM_CLOCKS.items() if p is not CHIP})
    with pytest.raises(ValueError):
        PaClockPolicy.from_dict({"programs": {"martian": {"standard": 1}}})
    with pytest.raises(ValueError, match="malformed"):
        PaClockPolicy.from_dict({"practice": {"bogus": 5}})


def test_the_payer_is_late_by_the_calendar_time_past_its_window() -> None:
    within = payer_clock(WED_10, MA, EXP, datetime(2026, 11, 27, 10, 0, tzinfo=NY), POLICY)
    assert within.late_by is None and within.remaining == timedelta(days=1)
    late = payer_clock(WED_10, MA, STD, datetime(2026, 12, 3, 12, 0, tzinfo=NY), POLICY)
    assert late.is_late and late.late_by == timedelta(days=1, hours=2)
    assert late_by_words(late.late_by) == "1 day 2 hours"
    assert late_by_words(timedelta(minutes=40)) == "40 minutes"


def test_practice_sla_counts_business_hours_back_over_a_holiday_and_a_weekend() -> None:
    # Service on Monday 30 Nov; expedited lead 9 business hours. Fri and Thu are holidays,
    # so the last nine open hours before Monday are all of Wednesday.
    monday = pa(urgency=EXP, service_from=date(2026, 11, 30))
    due = practice_due(monday, WED_10, HOURS, POLICY)
    assert due == datetime(2026, 11, 25, 8, 0, tzinfo=NY)
    # Without the holidays the same lead is Friday's nine hours.
    assert practice_due(monday, WED_10, NO_HOLIDAYS, POLICY) == datetime(
        2026, 11, 27, 8, 0, tzinfo=NY
    )
    # Calendar time from the same instant would have been Sunday: the clocks differ.
    assert datetime(2026, 11, 30, 0, 0, tzinfo=NY) - timedelta(hours=9) != due


def test_practice_sla_standard_lead_and_no_date_of_service() -> None:
    later = pa(service_from=date(2026, 12, 14))
    # 90 open hours = ten 9-hour days back from Monday 14 Dec: Monday 30 Nov 08:00.
    assert practice_due(later, WED_10, HOURS, POLICY) == datetime(2026, 11, 30, 8, 0, tzinfo=NY)
    undated = pa()
    # 18 open hours from Wednesday 10:00: Wed 7 h, Thu/Fri closed, Mon 9 h, Tue 2 h.
    assert practice_due(undated, WED_10, HOURS, POLICY) == datetime(2026, 12, 1, 10, 0, tzinfo=NY)


def test_practice_state_counts_due_soon_in_business_time() -> None:
    due = datetime(2026, 11, 30, 10, 0, tzinfo=NY)
    # Wednesday 12:00 to Monday 10:00 is 5 + 2 = 7 open hours: due soon (within 9).
    assert practice_state(due, datetime(2026, 11, 25, 12, 0, tzinfo=NY), HOURS, POLICY) is (
        DueState.DUE_SOON
    )
    assert practice_state(due, datetime(2026, 11, 25, 12, 0, tzinfo=NY), NO_HOLIDAYS, POLICY) is (
        DueState.ON_TRACK
    )
    assert practice_state(due, due, HOURS, POLICY) is DueState.OVERDUE


@pytest.mark.parametrize("hours_back", [0, 1, 7, 9, 10, 26, 90])
def test_subtracting_business_time_undoes_adding_it(hours_back: int) -> None:
    end = datetime(2026, 11, 30, 11, 30, tzinfo=NY)
    start = subtract_business_time(HOURS, end, timedelta(hours=hours_back))
    assert HOURS.business_time_between(start, end) == timedelta(hours=hours_back)
    with pytest.raises(ValueError):
        subtract_business_time(HOURS, end, timedelta(hours=-1))


def test_reauth_is_due_days_before_valid_to_at_the_next_open_moment() -> None:
    approved = pa(auth_number="A1", valid_from=date(2026, 11, 1), valid_to=date(2026, 12, 10))
    # 14 days before 10 Dec is Thanksgiving: the next open moment is Monday 30 Nov, 08:00.
    assert reauth_due(approved, HOURS, POLICY, WED_10) == datetime(2026, 11, 30, 8, 0, tzinfo=NY)
    assert reauth_due(approved, NO_HOLIDAYS, POLICY, WED_10) == datetime(
        2026, 11, 26, 8, 0, tzinfo=NY
    )
    assert reauth_due(pa(), HOURS, POLICY, WED_10) is None


def test_reauth_is_due_now_when_the_units_reach_the_threshold() -> None:
    approved = pa(auth_number="A1", units_approved=10, units_used=7, valid_to=date(2027, 6, 30))
    far = reauth_due(approved, HOURS, POLICY, WED_10)
    assert far is not None and far.date() == date(2027, 6, 16)
    used_up = pa(auth_number="A1", units_approved=10, units_used=8, valid_to=date(2027, 6, 30))
    assert reauth_due(used_up, HOURS, POLICY, WED_10) == WED_10
    strict = PaClockPolicy(reauth=ReauthPolicy(days_before=30, units_share=1.0))
    assert reauth_due(used_up, HOURS, strict, WED_10) != WED_10


def test_appeal_deadline_is_calendar_and_its_due_time_is_business() -> None:
    denied_at = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    deadline = appeal_deadline(denied_at, MA, POLICY)
    assert deadline == datetime(2027, 1, 24, 15, 0, tzinfo=UTC)  # 65 days; a Sunday
    # 18 open hours before Sunday: Friday and Thursday, so Thursday 21 Jan 08:00.
    assert appeal_due(deadline, HOURS, POLICY) == datetime(2027, 1, 21, 8, 0, tzinfo=NY)
    assert appeal_deadline(denied_at, PayerProgram.COMMERCIAL, POLICY) == denied_at + timedelta(
        days=180
    )


def test_recording_a_denial_sets_the_programs_appeal_deadline_unless_the_payer_gave_one() -> None:
    denied_at = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    denied = record_denial(pa(program=MEDICAID), "a3", denied_at, POLICY)
    assert denied.denial_reason == "A3"
    assert denied.appeal_deadline == denied_at + timedelta(days=60)
    given = datetime(2026, 12, 31, 17, 0, tzinfo=NY)
    assert (
        record_denial(pa(appeal_deadline=given), "A3", denied_at, POLICY).appeal_deadline == given
    )
    with pytest.raises(ValueError, match="denial_reason"):
        record_denial(pa(), "bad code!", denied_at, POLICY)


@settings(max_examples=200, deadline=None)
@given(
    end=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                     timezones=st.just(NY)),
    minutes=st.integers(min_value=0, max_value=60 * 200),
)  # fmt: skip
def test_subtracting_business_time_is_the_inverse_of_counting_it(
    end: datetime, minutes: int
) -> None:
    delta = timedelta(minutes=minutes)
    start = subtract_business_time(HOURS, end, delta)
    assert start <= end
    assert HOURS.business_time_between(start, end) == delta


def test_follow_ups_payer_late_reauth_and_appeal() -> None:
    sent = pa(submitted_at=WED_10, urgency=EXP)
    in_time = datetime(2026, 11, 27, 10, 0, tzinfo=NY)
    assert follow_ups(PaState.SUBMITTED, sent, in_time, HOURS, POLICY) == ()
    sunday = datetime(2026, 11, 29, 10, 0, tzinfo=NY)
    (late,) = follow_ups(PaState.PENDED, sent, sunday, HOURS, POLICY)
    assert late.kind is FollowUpKind.PAYER_LATE
    assert late.due_at == datetime(2026, 11, 30, 8, 0, tzinfo=NY)  # the next open moment
    assert late == follow_ups(PaState.PENDED, sent, sunday + timedelta(hours=1), HOURS, POLICY)[0]
    assert follow_ups(PaState.NEEDS_SUBMISSION, sent, sunday, HOURS, POLICY) == ()

    approved = pa(auth_number="A1", valid_to=date(2026, 12, 10))
    (reauth,) = follow_ups(PaState.APPROVED, approved, WED_10, HOURS, POLICY)
    assert reauth.kind is FollowUpKind.REAUTHORIZATION and reauth.label == "Re-authorization needed"

    deadline = datetime(2027, 1, 24, 15, 0, tzinfo=UTC)
    denied = pa(denial_reason="A3", appeal_deadline=deadline)
    (appeal,) = follow_ups(PaState.DENIED, denied, WED_10, HOURS, POLICY)
    assert appeal.kind is FollowUpKind.APPEAL and appeal.due_at < deadline
    assert follow_ups(PaState.DENIED, denied, deadline + timedelta(hours=1), HOURS, POLICY) == ()
