"""The fixed vocabularies of vmadesk (DESIGN.md, "Vocabulary").

Every value here is a code, never free text, so each may cross to the hub.
"""

from __future__ import annotations

from enum import StrEnum


class Lane(StrEnum):
    """A kind of work with its own policy."""

    CALLBACK = "callback"
    CONFIRMATION = "confirmation"
    ELIGIBILITY = "eligibility"
    PRIOR_AUTH = "prior_auth"
    REFERRAL = "referral"

    @property
    def label(self) -> str:
        """Human label for lists and headers."""
        return _LANE_LABELS[self]


_LANE_LABELS = {
    Lane.CALLBACK: "Callbacks",
    Lane.CONFIRMATION: "Confirmations",
    Lane.ELIGIBILITY: "Eligibility checks",
    Lane.PRIOR_AUTH: "Prior authorizations",
    Lane.REFERRAL: "Referrals",
}


class ItemStatus(StrEnum):
    """Work item status, after the HL7 FHIR ``Task.status`` vocabulary."""

    REQUESTED = "requested"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def is_open(self) -> bool:
        """Whether the item still needs work."""
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({ItemStatus.REQUESTED, ItemStatus.IN_PROGRESS, ItemStatus.ON_HOLD})
CLOSED_STATUSES = frozenset(set(ItemStatus) - OPEN_STATUSES)


class DueState(StrEnum):
    """How an open item stands against its SLA."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"

    @property
    def label(self) -> str:
        """Text shown beside the colour (never colour alone)."""
        return {
            DueState.ON_TRACK: "On track",
            DueState.DUE_SOON: "Due soon",
            DueState.OVERDUE: "Overdue",
            DueState.PAUSED: "On hold",
        }[self]


class Outcome(StrEnum):
    """Outcome of one contact attempt or of a lane's work."""

    # contact outcomes (every lane)
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    CALLBACK_REQUESTED = "callback_requested"
    THIRD_PARTY = "third_party"
    # confirmation lane
    CONFIRMED = "confirmed"
    CANCEL_REQUESTED = "cancel_requested"
    RESCHEDULE_REQUESTED = "reschedule_requested"
    # eligibility lane
    COVERAGE_ACTIVE = "coverage_active"
    COVERAGE_INACTIVE = "coverage_inactive"
    NEW_INSURANCE_NEEDED = "new_insurance_needed"
    UNABLE_TO_VERIFY = "unable_to_verify"

    @property
    def label(self) -> str:
        """Human label."""
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.REACHED: "Reached",
    Outcome.VOICEMAIL: "Voicemail",
    Outcome.NO_ANSWER: "No answer",
    Outcome.BUSY: "Busy",
    Outcome.WRONG_NUMBER: "Wrong number",
    Outcome.CALLBACK_REQUESTED: "Callback requested",
    Outcome.THIRD_PARTY: "Reached third party (nothing disclosed)",
    Outcome.CONFIRMED: "Confirmed",
    Outcome.CANCEL_REQUESTED: "Cancel requested",
    Outcome.RESCHEDULE_REQUESTED: "Reschedule requested",
    Outcome.COVERAGE_ACTIVE: "Coverage active",
    Outcome.COVERAGE_INACTIVE: "Coverage inactive",
    Outcome.NEW_INSURANCE_NEEDED: "New insurance needed",
    Outcome.UNABLE_TO_VERIFY: "Unable to verify",
}

#: Contact outcomes, in digit-key order (1..7).
CONTACT_OUTCOMES: tuple[Outcome, ...] = (
    Outcome.REACHED,
    Outcome.VOICEMAIL,
    Outcome.NO_ANSWER,
    Outcome.BUSY,
    Outcome.WRONG_NUMBER,
    Outcome.CALLBACK_REQUESTED,
    Outcome.THIRD_PARTY,
)

#: Outcomes that discuss the patient's care or account: identity check first.
NEEDS_IDENTITY_CHECK = frozenset(
    {
        Outcome.REACHED,
        Outcome.CONFIRMED,
        Outcome.CANCEL_REQUESTED,
        Outcome.RESCHEDULE_REQUESTED,
    }
)

#: Outcomes that count as an unsuccessful contact try.
UNSUCCESSFUL_CONTACT = frozenset(
    {Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.THIRD_PARTY}
)


class HoldReason(StrEnum):
    """Why an item waits."""

    WAITING_ON_PATIENT = "waiting_on_patient"
    WAITING_ON_PAYER = "waiting_on_payer"
    WAITING_ON_PRACTICE = "waiting_on_practice"


#: ``outcome_json`` of an item the practice's own system reported done (an export's
#: "Confirmed"): no VMA worked it, so summaries do not count it as a VMA's completion.
COMPLETED_BY_PRACTICE_SYSTEM = '{"confirmed_by": "practice_system"}'

#: Days of summaries the team board sums "done" over; a console withdraws a completion it
#: reopens only while that completion is still inside this window (hub and consoles agree).
BOARD_WINDOW_DAYS = 7


class CloseReason(StrEnum):
    """Why an item was closed without the lane's outcome."""

    PATIENT_DECLINED = "patient_declined"
    DUPLICATE = "duplicate"
    NO_LONGER_NEEDED = "no_longer_needed"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    APPOINTMENT_NOSHOW = "appointment_noshow"
    ENTERED_IN_ERROR = "entered_in_error"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    OTHER = "other"


class ReopenReason(StrEnum):
    """Why a closed item (completed, cancelled, failed) is opened again."""

    CLOSED_BY_MISTAKE = "closed_by_mistake"
    WRONG_OUTCOME = "wrong_outcome"
    PATIENT_CALLED_BACK = "patient_called_back"
    NEW_INFORMATION = "new_information"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human label."""
        return code_label(self.value)


class EscalationCategory(StrEnum):
    """What an escalation is about."""

    CLINICAL_CONCERN = "clinical_concern"
    PATIENT_COMPLAINT = "patient_complaint"
    PAYER_BILLING = "payer_billing"
    SCHEDULING_CONFLICT = "scheduling_conflict"
    DEADLINE_AT_RISK = "deadline_at_risk"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human label."""
        if self is EscalationCategory.PAYER_BILLING:
            return "Payer/billing problem"
        return self.value.replace("_", " ").capitalize()


class Urgency(StrEnum):
    """How fast an escalation needs a response."""

    ROUTINE = "routine"
    URGENT = "urgent"
    IMMEDIATE = "immediate"

    @property
    def rank(self) -> int:
        """Higher is more urgent."""
        return {Urgency.ROUTINE: 0, Urgency.URGENT: 1, Urgency.IMMEDIATE: 2}[self]


class EscalationState(StrEnum):
    """Escalation lifecycle: raised -> acknowledged -> resolved."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class HandoffItemState(StrEnum):
    """One item's place in a handoff: the sender owns it until acknowledged."""

    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    DECLINED = "declined"


class Priority(StrEnum):
    """I-PASS illness-severity analogue for administrative work."""

    HIGH = "high"
    WATCH = "watch"
    ROUTINE = "routine"


def code_label(code: str) -> str:
    """A code as words: ``no_longer_needed`` -> ``No longer needed``."""
    return code.replace("_", " ").capitalize()


class DeclineReason(StrEnum):
    """Why a receiver sends a handed-off item back to its sender."""

    NOT_MY_LANE = "not_my_lane"
    NO_CAPACITY = "no_capacity"
    NOTE_UNCLEAR = "note_unclear"
    NOT_MY_PRACTICE = "not_my_practice"
    ALREADY_DONE = "already_done"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human label."""
        return {
            DeclineReason.NOT_MY_LANE: "Not a lane I hold",
            DeclineReason.NO_CAPACITY: "No capacity this shift",
            DeclineReason.NOTE_UNCLEAR: "The note is unclear",
            DeclineReason.NOT_MY_PRACTICE: "Not a practice I serve",
            DeclineReason.ALREADY_DONE: "Already done",
            DeclineReason.OTHER: "Other",
        }[self]


class ItemAction(StrEnum):
    """What one change to a work item was, as the change hook and the audit chain name it.

    One name per action: an import's close is a ``cancel`` (or ``complete``) like a VMA's.
    """

    IMPORTED = "imported"
    ATTEMPT = "attempt"
    OUTCOME = "outcome"
    HOLD = "hold"
    RESUME = "resume"
    COMPLETE = "complete"
    CANCEL = "cancel"
    FAIL = "fail"
    REOPENED = "reopened"
    NOTE = "note"
    HANDED_OFF = "handed_off"
