"""The referral lane: close the loop on referrals sent out, and work the ones received.

States, moves, fields and the due rules per urgency live in
:mod:`vmadesk.domain.referral_rules`; this module states them as the lane's one definition.
An outgoing referral's loop is closed when the consult report is back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import MappingProxyType

from vmadesk.domain import referral_rules
from vmadesk.domain.follow_ups import FollowUpKind
from vmadesk.domain.lane_fields_codec import referral_from_json
from vmadesk.domain.lanes.definition import (
    ClockKind,
    ClockRule,
    DueAnchor,
    DueRule,
    FieldKind,
    FollowUpRule,
    LaneDefinition,
    LaneField,
    LaneState,
    StateSet,
    WorkSource,
    WorkStanding,
)
from vmadesk.domain.referral_rules import (
    DEFAULT_WINDOWS,
    INCOMING_TRANSITIONS,
    OUTGOING_TRANSITIONS,
    IncomingState,
    OutgoingState,
    ReferralDirection,
    ReferralPolicy,
    ReferralUrgency,
    item_status,
)
from vmadesk.domain.vocabulary import CONTACT_OUTCOMES, EscalationCategory, Lane


def _state_set(direction: ReferralDirection, kind: type, transitions: dict) -> StateSet:
    return StateSet(
        code=direction.value,
        words=direction.label,
        states=tuple(LaneState(s.value, s.label, item_status(s)[0]) for s in kind),
        moves=MappingProxyType(
            {s.value: frozenset(t.value for t in targets) for s, targets in transitions.items()}
        ),
    )


OUTGOING = _state_set(ReferralDirection.OUTGOING, OutgoingState, OUTGOING_TRANSITIONS)
INCOMING = _state_set(ReferralDirection.INCOMING, IncomingState, INCOMING_TRANSITIONS)

FIELDS = (
    LaneField("direction", "Direction", FieldKind.CODE, phi=False),
    LaneField("urgency", "Urgency", FieldKind.CODE, phi=False),
    LaneField("reason", "Reason"),
    LaneField("sent_at", "Sent or received at", FieldKind.INSTANT),
    LaneField("referred_to_practitioner", "Referred to (specialist)"),
    LaneField("referred_to_organization", "Referred to (practice)"),
    LaneField("referred_by", "Referred by"),
    LaneField("specialty", "Specialty"),
    LaneField("appointment_at", "Appointment", FieldKind.INSTANT),
    LaneField("visit_on", "Visit done on", FieldKind.DATE),
    LaneField("report_received_on", "Consult report received on", FieldKind.DATE),
)

SCHEDULE_CLOCK = ClockRule(
    code="referral_schedule",
    words="Visit to be scheduled within (calendar time)",
    kind=ClockKind.CALENDAR,
    starts_at_state=OutgoingState.SENT.value,
    runs_for=DEFAULT_WINDOWS[ReferralUrgency.ROUTINE].schedule,
    follow_up_lane=Lane.REFERRAL,
)

FOLLOW_UPS = tuple(
    FollowUpRule(kind.value, kind.label, Lane.REFERRAL, when_state=state.value)
    for kind, state in (
        (FollowUpKind.REFERRAL_NOT_RECEIVED, OutgoingState.SENT),
        (FollowUpKind.REFERRAL_NOT_SCHEDULED, OutgoingState.RECEIVED_BY_SPECIALIST),
        (FollowUpKind.REFERRAL_VISIT_UNCONFIRMED, OutgoingState.APPOINTMENT_SCHEDULED),
        (FollowUpKind.REFERRAL_REPORT_MISSING, OutgoingState.VISIT_DONE),
        (FollowUpKind.REFERRAL_TRIAGE, IncomingState.RECEIVED),
        (FollowUpKind.REFERRAL_CONTACT_PATIENT, IncomingState.TRIAGED),
        (FollowUpKind.REFERRAL_SCHEDULE_PATIENT, IncomingState.PATIENT_CONTACTED),
    )
)


def _standing(
    state_code: str, fields_json: str | None, due: datetime, now: datetime
) -> WorkStanding:
    """Late means past the step's due time, or still without a visit past scheduling's."""
    referral = referral_from_json(fields_json)
    state = referral_rules.state_of(referral.direction, state_code)
    policy = ReferralPolicy()
    late = None
    if now >= due:
        late = now - due
    elif referral_rules.is_unscheduled_overdue(state, referral, now, policy):
        late = now - referral_rules.schedule_due(referral, policy)
    return WorkStanding(state.value, None, referral.urgency.value, late)


DEFINITION = LaneDefinition(
    lane=Lane.REFERRAL,
    item_words="Referral",
    subject_kind="referral",
    source=WorkSource.LANE_RECORD,
    due=DueRule(
        anchor=DueAnchor.REQUEST,
        due_offset=timedelta(hours=18),
        due_soon=timedelta(hours=4),
    ),
    default_sop=(
        "Every referral is worked until its loop is closed.\n"
        "Outgoing: confirm the specialist received it (3 days routine, 1 day urgent), see a "
        "visit scheduled (14 days routine, 3 days urgent), confirm the visit, and chase the "
        "consult report (30 days after the visit routine). The loop is closed when the "
        "report is in the chart.\n"
        "Incoming: triage within the working day, contact the patient, schedule the visit.\n"
        "Declined by the specialist: tell the referring provider the same day."
    ),
    escalation_category=EscalationCategory.SCHEDULING_CONFLICT,
    first_attempt_minutes=480.0,
    fields=FIELDS,
    state_sets=(OUTGOING, INCOMING),
    clocks=(SCHEDULE_CLOCK,),
    follow_ups=FOLLOW_UPS,
    summary_codes=frozenset(
        {Lane.REFERRAL.value}
        | {o.value for o in CONTACT_OUTCOMES}
        | {s.code for states in (OUTGOING, INCOMING) for s in states.states}
        | {SCHEDULE_CLOCK.code}
        | {f.code for f in FOLLOW_UPS}
        | {f.key for f in FIELDS if not f.phi}
    ),
    new_item_reason="Referral",
    standing=_standing,
)
