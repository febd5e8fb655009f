"""The appointment-confirmation lane: confirm each visit a day ahead, from the schedule."""

from __future__ import annotations

from datetime import timedelta

from vmadesk.domain.lanes.definition import (
    DueAnchor,
    DueRule,
    ImportRule,
    LaneDefinition,
    WorkSource,
)
from vmadesk.domain.vocabulary import CONTACT_OUTCOMES, EscalationCategory, Lane, Outcome

OUTCOMES = (Outcome.CONFIRMED, Outcome.CANCEL_REQUESTED, Outcome.RESCHEDULE_REQUESTED)

DEFINITION = LaneDefinition(
    lane=Lane.CONFIRMATION,
    item_words="Confirmation",
    subject_kind="appointment",
    source=WorkSource.APPOINTMENT,
    # Calls to patients who may not answer: warn half a working day ahead. Confirmations are
    # made only two weeks ahead, when patients still know their plans.
    due=DueRule(
        anchor=DueAnchor.APPOINTMENT,
        due_offset=timedelta(hours=24),
        due_soon=timedelta(hours=4),
        create_window=timedelta(days=14),
    ),
    default_sop=(
        "Confirm by 24 h before the appointment.\n"
        "1. Verify identity (name + date of birth) before giving appointment details.\n"
        "2. Confirm date, time, provider and location; remind them to bring ID and insurance "
        "card and arrive 15 minutes early.\n"
        "3. Cancel or reschedule requests: record the outcome; the front desk rebooks.\n"
        "4. Voicemail: ask them to call the practice, no appointment details."
    ),
    escalation_category=EscalationCategory.SCHEDULING_CONFLICT,
    first_attempt_minutes=480.0,
    outcomes=OUTCOMES,
    summary_codes=frozenset(
        {Lane.CONFIRMATION.value}
        | {o.value for o in CONTACT_OUTCOMES}
        | {o.value for o in OUTCOMES}
    ),
    new_item_reason="Confirm appointment",
    moved_note="appointment moved; confirm again",
    import_rules=frozenset({ImportRule.SOURCE_CONFIRMS}),
)
