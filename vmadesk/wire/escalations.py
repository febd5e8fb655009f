"""Escalations: raised on a console, answered at the desk; their text only ever sealed."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from vmadesk.domain.vocabulary import (
    EscalationCategory,
    EscalationState,
    Lane,
    Urgency,
)
from vmadesk.wire.common import (
    SCHEMA_VERSION,
    Handle,
    Pseudonym,
    ResolutionCode,
    SealedB64,
    Seconds,
    Timestamp,
    Uuid4,
    Wire,
)

# --------------------------------------------------------------------------------------------
# Escalations
# --------------------------------------------------------------------------------------------


class EscalationRaised(Wire):
    """A console raises an escalation; ``escalation_id`` is chosen by the console."""

    kind: Literal["escalation"] = "escalation"
    schema_version: Literal[1] = SCHEMA_VERSION
    escalation_id: Uuid4
    category: EscalationCategory
    urgency: Urgency
    lane: Lane
    pseudonym: Pseudonym
    age_seconds: Seconds = Field(description="how long the item had been open when raised")


class EscalationUpdate(Wire):
    """A supervisor acknowledges or resolves an escalation."""

    schema_version: Literal[1] = SCHEMA_VERSION
    state: Literal[EscalationState.ACKNOWLEDGED, EscalationState.RESOLVED]
    resolution: ResolutionCode | None = None

    @model_validator(mode="after")
    def _check(self) -> EscalationUpdate:
        if (self.state is EscalationState.RESOLVED) != (self.resolution is not None):
            raise ValueError("resolution is required to resolve, and only then")
        return self


class EscalationRecord(Wire):
    """An escalation as the hub holds it."""

    escalation_id: Uuid4
    vma: Handle
    category: EscalationCategory
    urgency: Urgency
    lane: Lane
    pseudonym: Pseudonym
    age_seconds: Seconds
    raised_at: Timestamp = Field(description="when the hub received it")
    state: EscalationState
    resolution: ResolutionCode | None = None
    acknowledged_by: Handle | None = None
    acknowledged_at: Timestamp | None = None
    resolved_by: Handle | None = None
    resolved_at: Timestamp | None = None
    details_for: list[Handle] = Field(
        default_factory=list,
        max_length=32,
        description="supervisors the SBAR details are sealed to",
    )
    sealed_details: SealedB64 | None = Field(
        None, description="the SBAR details sealed to the calling supervisor, if any"
    )


class EscalationList(Wire):
    """Escalations, most urgent first, then oldest first."""

    escalations: list[EscalationRecord]


class SealedDetail(Wire):
    """An escalation's SBAR text sealed on the VMA's console to one supervisor's public key."""

    recipient: Handle
    sealed: SealedB64


class EscalationDetails(Wire):
    """The SBAR text of an escalation, one sealed box per supervisor (the hub cannot open them)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    details: list[SealedDetail] = Field(min_length=1, max_length=32)

    @model_validator(mode="after")
    def _check(self) -> EscalationDetails:
        if len({d.recipient for d in self.details}) != len(self.details):
            raise ValueError("a recipient appears twice")
        return self


class EscalationChanges(Wire):
    """``GET /v1/escalations/changes``: escalations changed after a cursor.

    Raised, acknowledged or resolved after ``after`` (hub milliseconds); the hub waits up to
    ``wait`` seconds for the first one.
    """

    escalations: list[EscalationRecord]
    cursor: int = Field(ge=0, le=2**62, description="pass as `after` to wait for what follows")


__all__ = [
    "EscalationChanges",
    "EscalationDetails",
    "EscalationList",
    "EscalationRaised",
    "EscalationRecord",
    "EscalationUpdate",
    "SealedDetail",
]
