"""The callback lane: a patient asked to be called back; due in business hours."""

from __future__ import annotations

from datetime import timedelta

from vmadesk.domain.lanes.definition import DueAnchor, DueRule, LaneDefinition, WorkSource
from vmadesk.domain.vocabulary import CONTACT_OUTCOMES, EscalationCategory, Lane

DEFINITION = LaneDefinition(
    lane=Lane.CALLBACK,
    item_words="Callback",
    subject_kind="callback",
    source=WorkSource.CALLBACK_REQUEST,
    # Half an hour is a real warning for a two-hour callback.
    due=DueRule(
        anchor=DueAnchor.REQUEST,
        due_offset=timedelta(hours=2),
        due_soon=timedelta(minutes=30),
    ),
    default_sop=(
        "Call back within 2 business hours of the request.\n"
        "1. Verify identity with two identifiers (full name and date of birth) before "
        "discussing anything.\n"
        "2. Voicemail: leave your first name, the practice name and the callback number only "
        "- never the reason for the call.\n"
        "3. Clinical questions go to the nurse line: escalate as Clinical concern.\n"
        "4. Three attempts, at least 2 hours apart; then mark failed or escalate."
    ),
    escalation_category=EscalationCategory.OTHER,
    first_attempt_minutes=120.0,
    # Reaching the patient is the callback's whole work: no outcome of its own.
    outcomes=(),
    summary_codes=frozenset({Lane.CALLBACK.value} | {o.value for o in CONTACT_OUTCOMES}),
)
