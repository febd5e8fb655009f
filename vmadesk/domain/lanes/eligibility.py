"""The eligibility lane: verify a visit's insurance coverage with the payer ahead of it."""

from __future__ import annotations

from datetime import timedelta

from vmadesk.domain.lanes.definition import (
    DueAnchor,
    DueRule,
    FieldKind,
    ImportRule,
    LaneDefinition,
    LaneField,
    WorkSource,
)
from vmadesk.domain.vocabulary import CONTACT_OUTCOMES, EscalationCategory, Lane, Outcome

OUTCOMES = (
    Outcome.COVERAGE_ACTIVE,
    Outcome.COVERAGE_INACTIVE,
    Outcome.NEW_INSURANCE_NEEDED,
    Outcome.UNABLE_TO_VERIFY,
)

_ACTIVE = frozenset({Outcome.COVERAGE_ACTIVE})

#: The figures of "coverage active" (in typing order) and the reason of "unable to verify".
FIELDS = (
    LaneField("plan", "Plan", required_for=_ACTIVE),
    LaneField("copay", "Copay ($)", FieldKind.AMOUNT, required_for=_ACTIVE),
    LaneField(
        "deductible_remaining", "Deductible remaining ($)", FieldKind.AMOUNT, required_for=_ACTIVE
    ),
    LaneField("reference_number", "Reference number", required_for=_ACTIVE),
    LaneField("reason", "Reason", required_for=frozenset({Outcome.UNABLE_TO_VERIFY})),
)

DEFINITION = LaneDefinition(
    lane=Lane.ELIGIBILITY,
    item_words="Eligibility check",
    subject_kind="coverage",
    source=WorkSource.APPOINTMENT,
    # Payers answer for the current month's coverage and patients change plans, so a check
    # months ahead would be redone; 30 days gives a month of notice to chase a new card.
    # Calls to payers who may not answer: warn a working day ahead.
    due=DueRule(
        anchor=DueAnchor.APPOINTMENT,
        due_offset=timedelta(hours=48),
        due_soon=timedelta(hours=8),
        horizon_days=30,
    ),
    default_sop=(
        "Verify coverage by 48 h before the visit, for the appointment's date of service.\n"
        "1. Check the payer portal or call the payer; record plan, copay, deductible "
        "remaining and the reference number.\n"
        "2. Inactive coverage or new insurance: call the patient for the new card details.\n"
        "3. Payer portal down: put on hold waiting on payer, retry within 2 hours."
    ),
    escalation_category=EscalationCategory.PAYER_BILLING,
    first_attempt_minutes=480.0,
    outcomes=OUTCOMES,
    fields=FIELDS,
    summary_codes=frozenset(
        {Lane.ELIGIBILITY.value} | {o.value for o in CONTACT_OUTCOMES} | {o.value for o in OUTCOMES}
    ),
    new_item_reason="Verify coverage",
    moved_note="appointment moved; verify coverage again",
    date_of_service_detail=True,
    import_rules=frozenset({ImportRule.COVERAGE_CHECK}),
    # Payers' monthly eligibility files make older answers stale.
    answer_keeps_for=timedelta(days=30),
)
