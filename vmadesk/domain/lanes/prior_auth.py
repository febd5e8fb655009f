"""The prior-authorization lane: get a payer's approval for a service before it is given.

The states, their moves and the fields' rules live in
:mod:`vmadesk.domain.prior_auth_rules`; the two clocks (the practice's SLA in business hours,
the payer's response window in calendar time) in :mod:`vmadesk.domain.payer_clock`. This
module states them as the lane's one definition.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import MappingProxyType

from vmadesk.domain.follow_ups import FollowUpKind
from vmadesk.domain.lane_fields_codec import prior_auth_from_json
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
from vmadesk.domain.payer_clock import PaClockPolicy, payer_clock
from vmadesk.domain.prior_auth_rules import PA_TRANSITIONS, PaState, item_status
from vmadesk.domain.vocabulary import CONTACT_OUTCOMES, EscalationCategory, Lane

STATES = StateSet(
    code="default",
    words="Prior authorization",
    states=tuple(LaneState(s.value, s.label, item_status(s)[0]) for s in PaState),
    moves=MappingProxyType(
        {s.value: frozenset(t.value for t in targets) for s, targets in PA_TRANSITIONS.items()}
    ),
)

#: Item fields. Codes that say nothing about a patient (program, urgency, channel) are not
#: PHI; everything else (services, diagnoses, numbers, dates) stays in the store.
FIELDS = (
    LaneField("program", "Payer program", FieldKind.CODE, phi=False),
    LaneField("urgency", "Urgency", FieldKind.CODE, phi=False),
    LaneField("channel", "Sent by", FieldKind.CODE, phi=False),
    LaneField("payer", "Payer"),
    LaneField("services", "Services (CPT/HCPCS × units)", FieldKind.CODE),
    LaneField("diagnoses", "Diagnoses (ICD-10)", FieldKind.CODE),
    LaneField("ordering_provider", "Ordering provider"),
    LaneField("service_from", "Date of service from", FieldKind.DATE),
    LaneField("service_to", "Date of service to", FieldKind.DATE),
    LaneField("submitted_at", "Submitted at", FieldKind.INSTANT),
    LaneField("payer_reference", "Payer reference"),
    LaneField("auth_number", "Authorization number"),
    LaneField("units_approved", "Units approved", FieldKind.COUNT),
    LaneField("units_used", "Units used", FieldKind.COUNT),
    LaneField("valid_from", "Valid from", FieldKind.DATE),
    LaneField("valid_to", "Valid to", FieldKind.DATE),
    LaneField("denial_reason", "Denial reason code", FieldKind.CODE),
    LaneField("appeal_deadline", "Appeal deadline", FieldKind.INSTANT),
)

PAYER_CLOCK = ClockRule(
    code="payer_response",
    words="Payer's response window (calendar time)",
    kind=ClockKind.CALENDAR,
    starts_at_state=PaState.SUBMITTED.value,
    # The CMS 2024 rule's standard window; expedited (72 h) and other programs are in
    # payer_clock.PaClockPolicy, per payer program.
    runs_for=timedelta(days=7),
    follow_up_lane=Lane.PRIOR_AUTH,
)

FOLLOW_UPS = (
    FollowUpRule(
        FollowUpKind.PAYER_LATE.value,
        FollowUpKind.PAYER_LATE.label,
        Lane.PRIOR_AUTH,
        when_state=PaState.SUBMITTED.value,
    ),
    FollowUpRule(
        FollowUpKind.REAUTHORIZATION.value,
        FollowUpKind.REAUTHORIZATION.label,
        Lane.PRIOR_AUTH,
        when_state=PaState.APPROVED.value,
        lead=timedelta(days=14),
    ),
    FollowUpRule(
        FollowUpKind.APPEAL.value,
        FollowUpKind.APPEAL.label,
        Lane.PRIOR_AUTH,
        when_state=PaState.DENIED.value,
    ),
)


def _standing(
    state_code: str, fields_json: str | None, _due: datetime, now: datetime
) -> WorkStanding:
    """Late means the payer past its window, in calendar time, while it has the request."""
    pa = prior_auth_from_json(fields_json)
    state = PaState(state_code)
    late = None
    if state.waits_on_payer and pa.submitted_at is not None:
        late = payer_clock(pa.submitted_at, pa.program, pa.urgency, now, PaClockPolicy()).late_by
    return WorkStanding(state.value, pa.program.value, pa.urgency.value, late)


DEFINITION = LaneDefinition(
    lane=Lane.PRIOR_AUTH,
    item_words="Prior authorization",
    subject_kind="prior_auth",
    source=WorkSource.LANE_RECORD,
    # The practice's own SLA: submitted five business days before the date of service.
    due=DueRule(
        anchor=DueAnchor.REQUEST,
        due_offset=timedelta(hours=16),
        due_soon=timedelta(hours=4),
    ),
    default_sop=(
        "Submit every prior authorization by 5 business days before the date of service.\n"
        "1. Check whether the payer requires authorization for these service codes; if not, "
        "record 'No authorization required'.\n"
        "2. Gather the order, notes and diagnosis codes; submit by the payer's portal, "
        "X12 278 or FHIR PAS (fax or phone only when nothing else works); record the payer "
        "reference.\n"
        "3. The payer's clock runs in calendar time from submission (72 h expedited, 7 days "
        "standard for Medicare Advantage, Medicaid and CHIP): call the payer when it runs out.\n"
        "4. Approved: record the authorization number, units and dates. Denied: record the "
        "reason code, then appeal before the deadline or close."
    ),
    escalation_category=EscalationCategory.PAYER_BILLING,
    first_attempt_minutes=480.0,
    fields=FIELDS,
    state_sets=(STATES,),
    clocks=(PAYER_CLOCK,),
    follow_ups=FOLLOW_UPS,
    summary_codes=frozenset(
        {Lane.PRIOR_AUTH.value}
        | {o.value for o in CONTACT_OUTCOMES}
        | {s.value for s in PaState}
        | {PAYER_CLOCK.code}
        | {f.code for f in FOLLOW_UPS}
        | {f.key for f in FIELDS if not f.phi}
    ),
    new_item_reason="Prior authorization",
    # The field: "billing and authorization backlogs point toward a specialized role".
    specialised=True,
    standing=_standing,
    late_words="payer late",
)
