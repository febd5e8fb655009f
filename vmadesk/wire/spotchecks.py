"""Spot checks: weekly samples, scores and sealed evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from vmadesk.domain.vocabulary import (
    Lane,
    Outcome,
)
from vmadesk.wire.common import (
    SCHEMA_VERSION,
    CommentCode,
    Count,
    EvidenceDeclineReason,
    EvidenceState,
    Handle,
    IsoWeek,
    Pseudonym,
    SealedB64,
    Timestamp,
    Uuid4,
    Wire,
)

# --------------------------------------------------------------------------------------------
# Spot checks
# --------------------------------------------------------------------------------------------


class SampleRequest(Wire):
    """Draw a stratified random sample of a VMA's completed items for one ISO week."""

    schema_version: Literal[1] = SCHEMA_VERSION
    vma: Handle
    week: IsoWeek
    per_stratum: int = Field(2, ge=1, le=100)
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="omit: the hub draws one")


class SampleItem(Wire):
    """One sampled item and its stratum (lane, outcome)."""

    pseudonym: Pseudonym
    lane: Lane
    outcome: Outcome | None


class Stratum(Wire):
    """A stratum's size and how many were drawn from it."""

    lane: Lane
    outcome: Outcome | None
    population: Count
    drawn: Count


class Sample(Wire):
    """A recorded draw: reproducible from ``seed`` over the candidates sorted by pseudonym."""

    sample_id: Uuid4
    vma: Handle
    week: IsoWeek
    seed: int = Field(ge=0, le=2**63 - 1)
    per_stratum: int = Field(ge=1, le=100)
    drawn_by: Handle
    drawn_at: Timestamp
    strata: list[Stratum]
    items: list[SampleItem]


class SampleList(Wire):
    """Samples, newest first."""

    samples: list[Sample]


class SpotCheckScore(Wire):
    """The rubric for one sampled item."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonym: Pseudonym
    on_time: bool
    outcome_consistent: bool
    documentation_complete: bool
    escalation_warranted: bool | None = Field(None, description="None: nothing was escalated")
    comment: CommentCode = CommentCode.NONE


class ScoreRecord(Wire):
    """A recorded score."""

    sample_id: Uuid4
    vma: Handle
    scored_by: Handle
    scored_at: Timestamp
    score: SpotCheckScore


class ScoreList(Wire):
    """Scores of one sample."""

    scores: list[ScoreRecord]


class EvidenceRequest(Wire):
    """A supervisor asks the VMA for the details of a sampled item, sealed to the supervisor."""

    schema_version: Literal[1] = SCHEMA_VERSION
    request_id: Uuid4
    sample_id: Uuid4
    pseudonym: Pseudonym


class EvidenceEnvelope(Wire):
    """The VMA's answer, sealed on its console to the requesting supervisor's public key."""

    schema_version: Literal[1] = SCHEMA_VERSION
    sealed: SealedB64


class EvidenceDecline(Wire):
    """The VMA declines an evidence request, with a reason code (never prose)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    reason: EvidenceDeclineReason


class EvidenceRecord(Wire):
    """An evidence request and, once answered, its sealed envelope (or the decline reason)."""

    request_id: Uuid4
    sample_id: Uuid4
    pseudonym: Pseudonym
    vma: Handle
    requested_by: Handle
    requested_at: Timestamp
    state: EvidenceState
    sealed: SealedB64 | None = None
    answered_at: Timestamp | None = None
    decline_reason: EvidenceDeclineReason | None = None


class EvidenceList(Wire):
    """Evidence requests, oldest first."""

    requests: list[EvidenceRecord]


__all__ = [
    "EvidenceDecline",
    "EvidenceEnvelope",
    "EvidenceList",
    "EvidenceRecord",
    "EvidenceRequest",
    "Sample",
    "SampleItem",
    "SampleList",
    "SampleRequest",
    "ScoreList",
    "ScoreRecord",
    "SpotCheckScore",
    "Stratum",
]
