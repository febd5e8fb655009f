"""Ownership claims (one owner per item), their moves, and team-wide practice identities."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StringConstraints,
)

from vmadesk.domain.vocabulary import (
    Lane,
)
from vmadesk.wire.common import (
    MAX_PSEUDONYMS,
    PRACTICE_CODE_PATTERN,
    SCHEMA_VERSION,
    ClaimStatus,
    ConflictKind,
    Handle,
    LeaseSeconds,
    Pseudonym,
    ReleaseReason,
    TakeoverReason,
    Timestamp,
    Wire,
)

# --------------------------------------------------------------------------------------------
# Ownership claims
# --------------------------------------------------------------------------------------------


class Claim(Wire):
    """Claim (or refresh) items; the first claimer wins, the lease runs ``lease_seconds``."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonyms: list[Pseudonym] = Field(min_length=1, max_length=MAX_PSEUDONYMS)
    lease_seconds: LeaseSeconds = 900
    #: Acknowledging a handoff: take over the claims the holder offered to the caller.
    accept_offer: bool = False
    #: The team practice id of each pseudonym whose practice is registered at the hub (a code
    #: from ``GET /v1/practices``, never a name): conflicts group per practice.
    practices: dict[Pseudonym, Handle] = Field(default_factory=dict, max_length=MAX_PSEUDONYMS)


class ClaimResult(Wire):
    """The answer for one pseudonym: granted to the caller, or held by someone since a time."""

    pseudonym: Pseudonym
    status: ClaimStatus
    held_by: Handle
    since: Timestamp
    lease_expires_at: Timestamp


class ClaimResults(Wire):
    """Answers, in request order."""

    results: list[ClaimResult]


class Heartbeat(Wire):
    """Refresh the caller's leases."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonyms: list[Pseudonym] = Field(min_length=1, max_length=MAX_PSEUDONYMS)
    lease_seconds: LeaseSeconds = 900


class HeartbeatResult(Wire):
    """Leases refreshed, and those the caller no longer holds (expired and taken, or never held)."""

    refreshed: list[Pseudonym]
    lost: list[Pseudonym]


class Release(Wire):
    """Give up claims (on completion, handoff, end of shift)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonyms: list[Pseudonym] = Field(min_length=1, max_length=MAX_PSEUDONYMS)
    reason: ReleaseReason


class ReleaseResult(Wire):
    """Claims released, and those the caller did not hold."""

    released: list[Pseudonym]
    not_held: list[Pseudonym]
    #: Held on: only completion, failure and cancellation end work (it then stays owned as done).
    kept: list[Pseudonym] = []  # noqa: RUF012  (a pydantic field: copied per instance)


class Takeover(Wire):
    """Take an item another VMA holds, with a recorded reason."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonym: Pseudonym
    reason: TakeoverReason
    lease_seconds: LeaseSeconds = 900


class TakeoverResult(Wire):
    """The new claim and whom it was taken from (``None`` if nobody held it)."""

    claim: ClaimResult
    previous_holder: Handle | None = None


class ConflictRecord(Wire):
    """An ownership conflict (a refused claim) or a takeover."""

    kind: ConflictKind
    pseudonym: Pseudonym
    claimant: Handle
    holder: Handle | None
    reason: TakeoverReason | None = None
    at: Timestamp
    #: The supervisor who reassigned the item (``kind`` ``reassign``).
    by: Handle | None = None
    #: The item's team practice id, when a console named it (a code, never a name).
    practice: Handle | None = None


class ConflictList(Wire):
    """Conflicts and takeovers, newest first."""

    conflicts: list[ConflictRecord]


class ClaimLookup(Wire):
    """Who holds these items now (changes nothing, records nothing)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonyms: list[Pseudonym] = Field(min_length=1, max_length=MAX_PSEUDONYMS)


class ClaimOffer(Wire):
    """Offer the caller's claims to a handoff's receiver (``None``: whoever acknowledges it)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonyms: list[Pseudonym] = Field(min_length=1, max_length=MAX_PSEUDONYMS)
    to: Handle | None = None


class ClaimOfferResult(Wire):
    """Claims offered, and those the caller did not hold."""

    offered: list[Pseudonym]
    not_held: list[Pseudonym]


class UnattendedClaim(Wire):
    """A claim whose lease lapsed: its holder's console is away; the work is unattended."""

    pseudonym: Pseudonym
    holder: Handle
    since: Timestamp
    lease_expired_at: Timestamp
    lane: Lane | None = None


class UnattendedList(Wire):
    """Unattended claims, longest lapsed first."""

    claims: list[UnattendedClaim]


class Reassign(Wire):
    """A supervisor moves an item to another VMA, with a recorded reason."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonym: Pseudonym
    to: Handle
    reason: TakeoverReason


class ClaimMove(Wire):
    """An ownership move that concerns the caller (taken over, reassigned, handed off)."""

    id: Annotated[int, Field(ge=1)]
    kind: ConflictKind
    pseudonym: Pseudonym
    from_holder: Handle | None
    to_holder: Handle
    reason: TakeoverReason | None = None
    by: Handle | None = None
    at: Timestamp


class ClaimMoveList(Wire):
    """Moves, oldest first."""

    moves: list[ClaimMove]


# --------------------------------------------------------------------------------------------
# Team-wide practice identities
# --------------------------------------------------------------------------------------------

PracticeCode = Annotated[str, StringConstraints(pattern=PRACTICE_CODE_PATTERN)]
"""A practice's local code on some console (``riverside``, ``RVS``)."""


class PracticeIdentity(Wire):
    """A supervisor registers a practice's team-wide id and the local codes consoles file it under.

    Items of one practice system keyed by practice (CSV reports, FHIR files without a system)
    get one pseudonym team-wide whichever of these codes a console uses.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    practice: Handle
    aliases: list[PracticeCode] = Field(default_factory=list, max_length=50)


class PracticeRecord(Wire):
    """A registered practice: its team-wide id and its local codes."""

    practice: Handle
    aliases: list[PracticeCode]


class PracticeList(Wire):
    """Registered practices, by id."""

    practices: list[PracticeRecord]


__all__ = [
    "Claim",
    "ClaimLookup",
    "ClaimMove",
    "ClaimMoveList",
    "ClaimOffer",
    "ClaimOfferResult",
    "ClaimResult",
    "ClaimResults",
    "ConflictList",
    "ConflictRecord",
    "Heartbeat",
    "HeartbeatResult",
    "PracticeCode",
    "PracticeIdentity",
    "PracticeList",
    "PracticeRecord",
    "Reassign",
    "Release",
    "ReleaseResult",
    "Takeover",
    "TakeoverResult",
    "UnattendedClaim",
    "UnattendedList",
]
