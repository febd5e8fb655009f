"""Referral rules: outgoing and incoming states, fields, due rules per urgency, overdue work."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.follow_ups import FollowUpKind
from vmadesk.domain.referral_rules import (
    DEFAULT_WINDOWS,
    IncomingState,
    OutgoingState,
    ReferralDirection,
    ReferralFields,
    ReferralPolicy,
    ReferralUrgency,
    ReferralWindows,
    apply_outcome,
    can_move,
    due_state,
    initial_state,
    is_final,
    is_unscheduled_overdue,
    item_status,
    next_due,
    outcomes_for,
    schedule_due,
    state_of,
)
from vmadesk.domain.vocabulary import DueState, ItemStatus

NY = ZoneInfo("America/New_York")
HOURS = BusinessHours(
    tz="America/New_York",
    weekly=BusinessHours.default("America/New_York").weekly,
    holidays=frozenset({date(2026, 11, 26), date(2026, 11, 27)}),
)
POLICY = ReferralPolicy()
SENT = datetime(2026, 11, 2, 9, 0, tzinfo=NY)  # a Monday
OUT, IN = ReferralDirection.OUTGOING, ReferralDirection.INCOMING


def outgoing(**kw: object) -> ReferralFields:
    base: dict[str, object] = {
        "direction": OUT,
        "reason": "Knee pain, evaluate for arthroscopy",
        "sent_at": SENT,
        "referred_to_organization": "Lakeside Orthopedics",
    }
    base.update(kw)
    return ReferralFields(**base)  # type: ignore[arg-type]


def incoming(**kw: object) -> ReferralFields:
    base: dict[str, object] = {"direction": IN, "reason": "Cardiology consult", "sent_at": SENT}
    base.update(kw)
    return ReferralFields(**base)  # type: ignore[arg-type]


def test_states_have_words() -> None:
    assert OutgoingState.LOOP_CLOSED.label == "Consult report received (loop closed)"
    assert OutgoingState.RECEIVED_BY_SPECIALIST.label == "Received by specialist"
    assert IncomingState.PATIENT_CONTACTED.label == "Patient contacted"
    assert OUT.label == "Referral out"
    assert all("_" not in s.label for s in [*OutgoingState, *IncomingState])


def test_the_outgoing_loop_closes_only_with_the_report() -> None:
    path = [OutgoingState.SENT, OutgoingState.RECEIVED_BY_SPECIALIST,
            OutgoingState.APPOINTMENT_SCHEDULED, OutgoingState.VISIT_DONE,
            OutgoingState.LOOP_CLOSED]  # fmt: skip
    for current, target in pairwise(path):
        assert can_move(current, target)
    assert not can_move(OutgoingState.VISIT_DONE, OutgoingState.CANCELLED)
    assert not can_move(OutgoingState.SENT, OutgoingState.LOOP_CLOSED)
    assert is_final(OutgoingState.LOOP_CLOSED) and is_final(OutgoingState.PATIENT_DECLINED)
    assert item_status(OutgoingState.LOOP_CLOSED)[0] is ItemStatus.COMPLETED
    assert item_status(OutgoingState.DECLINED)[0] is ItemStatus.FAILED
    # The directions share the code "declined": each keeps its own status.
    assert item_status(IncomingState.DECLINED)[0] is ItemStatus.CANCELLED


def test_incoming_path_and_directions_do_not_mix() -> None:
    assert initial_state(IN) is IncomingState.RECEIVED
    assert initial_state(OUT) is OutgoingState.SENT
    assert can_move(IncomingState.TRIAGED, IncomingState.PATIENT_CONTACTED)
    assert not can_move(IncomingState.RECEIVED, IncomingState.SCHEDULED)
    assert not can_move(IncomingState.SCHEDULED, OutgoingState.VISIT_DONE)
    assert state_of(IN, "triaged") is IncomingState.TRIAGED
    with pytest.raises(ValueError, match="incoming"):
        state_of(IN, "visit_done")
    assert outcomes_for(IncomingState.RECEIVED) == (
        IncomingState.TRIAGED, IncomingState.DECLINED, IncomingState.CANCELLED,
    )  # fmt: skip


def test_fields_need_a_reason_and_for_outgoing_a_recipient() -> None:
    with pytest.raises(ValueError, match="reason"):
        outgoing(reason="  ")
    with pytest.raises(ValueError, match="referred_to"):
        outgoing(referred_to_organization=None)
    assert incoming().referred_to_organization is None  # an incoming one is ours
    with pytest.raises(ValueError, match="sent_at"):
        outgoing(sent_at=datetime(2026, 11, 2, 9, 0))


def test_recording_a_step_needs_its_date() -> None:
    fields = outgoing()
    with pytest.raises(ValueError, match="appointment at"):
        apply_outcome(OutgoingState.SENT, OutgoingState.APPOINTMENT_SCHEDULED, fields)
    visit = datetime(2026, 11, 10, 14, 0, tzinfo=NY)
    state, fields = apply_outcome(
        OutgoingState.SENT, OutgoingState.APPOINTMENT_SCHEDULED, fields, appointment_at=visit
    )
    state, fields = apply_outcome(state, OutgoingState.VISIT_DONE, fields, visit_on=visit.date())
    with pytest.raises(ValueError, match="report received on"):
        apply_outcome(state, OutgoingState.LOOP_CLOSED, fields)
    state, fields = apply_outcome(
        state, OutgoingState.LOOP_CLOSED, fields, report_received_on=date(2026, 11, 20)
    )
    assert state is OutgoingState.LOOP_CLOSED and next_due(state, fields, HOURS, POLICY) is None
    with pytest.raises(ValueError, match="cannot become"):
        apply_outcome(state, OutgoingState.CANCELLED, fields)


@pytest.mark.parametrize(
    ("urgency", "days"),
    [(ReferralUrgency.ROUTINE, 14), (ReferralUrgency.URGENT, 3), (ReferralUrgency.STAT, 1)],
)
def test_scheduling_is_due_per_urgency_in_calendar_days(
    urgency: ReferralUrgency, days: int
) -> None:
    fields = outgoing(urgency=urgency)
    assert schedule_due(fields, POLICY) == SENT + timedelta(days=days)
    due = next_due(OutgoingState.RECEIVED_BY_SPECIALIST, fields, HOURS, POLICY)
    assert due is not None and due.kind is FollowUpKind.REFERRAL_NOT_SCHEDULED


def test_each_outgoing_step_has_its_follow_up() -> None:
    fields = outgoing()
    sent = next_due(OutgoingState.SENT, fields, HOURS, POLICY)
    assert sent is not None and sent.kind is FollowUpKind.REFERRAL_NOT_RECEIVED
    assert sent.due_at == SENT + timedelta(days=3)
    visit = datetime(2026, 11, 10, 14, 0, tzinfo=NY)
    booked = next_due(OutgoingState.APPOINTMENT_SCHEDULED, outgoing(appointment_at=visit),
                      HOURS, POLICY)  # fmt: skip
    assert booked is not None and booked.due_at == visit + timedelta(days=1)
    done = next_due(OutgoingState.VISIT_DONE, outgoing(visit_on=date(2026, 11, 10)), HOURS, POLICY)
    assert done is not None and done.kind is FollowUpKind.REFERRAL_REPORT_MISSING
    assert done.due_at == datetime(2026, 12, 10, 0, 0, tzinfo=NY)  # 30 days after the visit


def test_incoming_triage_and_contact_count_business_hours_over_the_holiday() -> None:
    wednesday = datetime(2026, 11, 25, 13, 0, tzinfo=NY)
    fields = incoming(sent_at=wednesday, urgency=ReferralUrgency.URGENT)
    triage = next_due(IncomingState.RECEIVED, fields, HOURS, POLICY)
    # 4 business hours from Wednesday 13:00: closes at 17:00 the same day.
    assert triage is not None and triage.due_at == datetime(2026, 11, 25, 17, 0, tzinfo=NY)
    contact = next_due(IncomingState.TRIAGED, fields, HOURS, POLICY)
    # 8 hours: 4 on Wednesday, then Thanksgiving, Friday and the weekend pass: Monday 12:00.
    assert contact is not None and contact.due_at == datetime(2026, 11, 30, 12, 0, tzinfo=NY)
    schedule = next_due(IncomingState.PATIENT_CONTACTED, fields, HOURS, POLICY)
    assert schedule is not None and schedule.due_at == wednesday + timedelta(days=3)
    assert next_due(IncomingState.SCHEDULED, fields, HOURS, POLICY) is None


def test_a_referral_without_a_scheduled_visit_by_its_due_time_is_overdue() -> None:
    fields = outgoing()
    due = schedule_due(fields, POLICY)
    before = due - timedelta(hours=1)
    assert not is_unscheduled_overdue(OutgoingState.RECEIVED_BY_SPECIALIST, fields, before, POLICY)
    assert is_unscheduled_overdue(OutgoingState.SENT, fields, due, POLICY)
    assert due_state(OutgoingState.RECEIVED_BY_SPECIALIST, fields, due, HOURS, POLICY) is (
        DueState.OVERDUE
    )
    assert due_state(OutgoingState.RECEIVED_BY_SPECIALIST, fields, before, HOURS, POLICY) is (
        DueState.DUE_SOON
    )
    booked = outgoing(appointment_at=due + timedelta(days=10))
    assert not is_unscheduled_overdue(OutgoingState.APPOINTMENT_SCHEDULED, booked, due, POLICY)
    assert due_state(OutgoingState.APPOINTMENT_SCHEDULED, booked, due, HOURS, POLICY) is (
        DueState.PAUSED
    )
    assert due_state(OutgoingState.CANCELLED, fields, due, HOURS, POLICY) is None


def test_windows_are_configurable_and_checked() -> None:
    tight = dict(DEFAULT_WINDOWS)
    tight[ReferralUrgency.ROUTINE] = ReferralWindows(
        timedelta(days=1), timedelta(days=7), timedelta(days=21), timedelta(hours=9),
        timedelta(hours=18),
    )  # fmt: skip
    assert schedule_due(outgoing(), ReferralPolicy(tight)) == SENT + timedelta(days=7)
    with pytest.raises(ValueError, match="positive"):
        ReferralWindows(timedelta(0), *(timedelta(days=1),) * 4)
    with pytest.raises(ValueError, match="stat"):
        ReferralPolicy({u: w for u, w in DEFAULT_WINDOWS.items() if u is not ReferralUrgency.STAT})
