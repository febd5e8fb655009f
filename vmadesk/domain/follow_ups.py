"""Follow-up work that a prior-authorization or referral item makes for the VMA.

The lane rules decide *that* a follow-up is due and when; the lane (services) turns each
:class:`FollowUpSpec` into a work item of its own, keyed by the parent item and the kind so
that asking twice makes it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from vmadesk.domain.instants import as_utc


class FollowUpKind(StrEnum):
    """Why a follow-up item exists (a code; its label is the words on screen)."""

    PAYER_LATE = "payer_late"
    REAUTHORIZATION = "reauthorization"
    APPEAL = "appeal"
    REFERRAL_NOT_RECEIVED = "referral_not_received"
    REFERRAL_NOT_SCHEDULED = "referral_not_scheduled"
    REFERRAL_VISIT_UNCONFIRMED = "referral_visit_unconfirmed"
    REFERRAL_REPORT_MISSING = "referral_report_missing"
    REFERRAL_TRIAGE = "referral_triage"
    REFERRAL_CONTACT_PATIENT = "referral_contact_patient"
    REFERRAL_SCHEDULE_PATIENT = "referral_schedule_patient"

    @property
    def label(self) -> str:
        """What the follow-up asks of the VMA, in words."""
        return _LABELS[self]


_LABELS = {
    FollowUpKind.PAYER_LATE: "Payer is past its response window: call the payer",
    FollowUpKind.REAUTHORIZATION: "Re-authorization needed",
    FollowUpKind.APPEAL: "Appeal or close the denial before the appeal deadline",
    FollowUpKind.REFERRAL_NOT_RECEIVED: "Confirm the specialist received the referral",
    FollowUpKind.REFERRAL_NOT_SCHEDULED: "Referral has no scheduled visit yet",
    FollowUpKind.REFERRAL_VISIT_UNCONFIRMED: "Confirm the referral visit took place",
    FollowUpKind.REFERRAL_REPORT_MISSING: "Consult report not received yet",
    FollowUpKind.REFERRAL_TRIAGE: "Triage the incoming referral",
    FollowUpKind.REFERRAL_CONTACT_PATIENT: "Contact the referred patient",
    FollowUpKind.REFERRAL_SCHEDULE_PATIENT: "Schedule the referred patient",
}


@dataclass(frozen=True)
class FollowUpSpec:
    """A follow-up item the lane should hold for a parent item.

    Attributes:
        kind: Why it exists.
        due_at: When the follow-up is due (UTC).
        dedupe_key: Stable within the parent item: the same key means the same follow-up
            (e.g. one re-authorization per ``valid_to``), so a re-run spawns nothing new.

    Raises:
        ValueError: If ``due_at`` is naive.
    """

    kind: FollowUpKind
    due_at: datetime
    dedupe_key: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FollowUpKind(self.kind))
        object.__setattr__(self, "due_at", as_utc(self.due_at, "due_at"))

    @property
    def label(self) -> str:
        """The follow-up in words."""
        return self.kind.label
