"""Constrained scalars, the wire-only vocabularies and the base model every message shares."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PaState
from vmadesk.domain.referral_rules import IncomingState, OutgoingState, ReferralUrgency

SCHEMA_VERSION: Literal[1] = 1


# --------------------------------------------------------------------------------------------
# Constrained scalars
# --------------------------------------------------------------------------------------------

HEX64_PATTERN = r"^[0-9a-f]{64}$"
UUID4_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
HANDLE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{1,31}$"
#: 32 bytes in standard base64 (44 characters, one ``=`` of padding).
PUBLIC_KEY_PATTERN = r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
#: Base64 of more than 48 bytes (a sealed box of one byte or more): the minimum length is in the
#: pattern itself, so generators of the OpenAPI document produce it directly.
SEALED_PATTERN = (
    r"^(?:[A-Za-z0-9+/]{4}){16}(?:[A-Za-z0-9+/]{4})*"
    r"(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$"
)
ISO_WEEK_PATTERN = r"^[0-9]{4}-W(?:0[1-9]|[1-4][0-9]|5[0-3])$"
#: A console's local practice code (a short code such as ``riverside``, never a name).
PRACTICE_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"

#: Largest sealed envelope, in base64 characters (768 KiB of ciphertext); fits the hub's 1 MiB
#: request limit with room for the surrounding JSON.
MAX_SEALED_CHARS = 1_048_576
MAX_BATCH = 500
MAX_PSEUDONYMS = 500
MAX_COUNT = 1_000_000
#: Four hundred days, in seconds: the widest "relative to due" offset or duration accepted.
MAX_SECONDS = 400 * 86_400

Pseudonym = Annotated[str, StringConstraints(pattern=HEX64_PATTERN)]
"""HMAC-SHA-256 of an item's source identifier under the team secret (64 lowercase hex)."""
Sha256Hex = Annotated[str, StringConstraints(pattern=HEX64_PATTERN)]
Uuid4 = Annotated[str, StringConstraints(pattern=UUID4_PATTERN)]
"""A random UUID (version 4) in canonical lowercase form."""
Handle = Annotated[str, StringConstraints(pattern=HANDLE_PATTERN)]
"""A VMA's or supervisor's account name at the hub: a short lowercase slug, not a person's name."""
PublicKeyB64 = Annotated[str, StringConstraints(pattern=PUBLIC_KEY_PATTERN)]
"""A Curve25519 (X25519) public key, 32 bytes in standard base64."""
#: A sealed box is an ephemeral public key (32 bytes) and a MAC (16 bytes) around the plaintext.
SEALED_BOX_OVERHEAD = 48


def _sealed_box(value: str) -> str:
    """Refuse base64 that is not canonical or too short to be a sealed box of one byte or more."""
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if base64.b64encode(raw).decode("ascii") != value:
        raise ValueError("not canonical base64")
    if len(raw) <= SEALED_BOX_OVERHEAD:
        raise ValueError("too short for a sealed box")
    return value


def _real_week(value: str) -> str:
    """Refuse a week the calendar does not have (``2025-W53``, ``0000-W01``, ``9999-W52``).

    The week must also end on a representable day: the hub reads it as [Monday, next Monday).
    """
    year, number = value.split("-W")
    try:
        date.fromisocalendar(int(year), int(number), 7) + timedelta(days=1)
    except (ValueError, OverflowError):
        raise ValueError("no such ISO week") from None
    return value


SealedB64 = Annotated[
    str,
    StringConstraints(pattern=SEALED_PATTERN, min_length=68, max_length=MAX_SEALED_CHARS),
    AfterValidator(_sealed_box),
]
"""Ciphertext of a libsodium sealed box (``nacl.public.SealedBox``) in standard base64."""
IsoWeek = Annotated[str, StringConstraints(pattern=ISO_WEEK_PATTERN), AfterValidator(_real_week)]
"""An ISO 8601 week such as ``2025-W07`` (the hub's receipt week, never a patient's date)."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]

#: Every state code of the prior-authorization and referral lanes.
WORK_STATE_CODES = frozenset(
    [s.value for s in PaState] + [s.value for s in OutgoingState] + [s.value for s in IncomingState]
)
#: Every payer-program and urgency code those lanes report.
WORK_KIND_CODES = frozenset(
    [p.value for p in PayerProgram]
    + [u.value for u in PaUrgency]
    + [u.value for u in ReferralUrgency]
)


Seconds = Annotated[int, Field(ge=0, le=MAX_SECONDS)]
SignedSeconds = Annotated[int, Field(ge=-MAX_SECONDS, le=MAX_SECONDS)]
LeaseSeconds = Annotated[int, Field(ge=1, le=86_400)]
Timestamp = AwareDatetime
"""A timezone-aware instant (ISO 8601 with offset); hubs and consoles send UTC."""


class Wire(BaseModel):
    """Base of every wire model: strict, closed, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --------------------------------------------------------------------------------------------
# Vocabularies that exist only on the wire
# --------------------------------------------------------------------------------------------


class ItemEventKind(StrEnum):
    """What happened to a work item."""

    IMPORTED = "imported"
    FIRST_ATTEMPT = "first_attempt"
    ATTEMPT = "attempt"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"
    HANDED_OFF = "handed_off"
    ON_HOLD = "on_hold"


class ReleaseReason(StrEnum):
    """Why a console gives up its claim on an item."""

    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    HANDED_OFF = "handed_off"
    SHIFT_ENDED = "shift_ended"
    TAKEN_OVER = "taken_over"
    #: The item's pseudonym changed (its practice got a team-wide identity): the claim moved to
    #: the new pseudonym, the old one goes.
    REKEYED = "rekeyed"


class TakeoverReason(StrEnum):
    """Why a VMA takes over an item another VMA holds."""

    HOLDER_OFF_SHIFT = "holder_off_shift"
    HOLDER_UNREACHABLE = "holder_unreachable"
    SUPERVISOR_ASSIGNED = "supervisor_assigned"
    HANDOFF_NOT_ACKNOWLEDGED = "handoff_not_acknowledged"
    PATIENT_CALLED_BACK = "patient_called_back"
    DEADLINE_AT_RISK = "deadline_at_risk"
    OTHER = "other"


class ResolutionCode(StrEnum):
    """How a supervisor closed an escalation."""

    ADVICE_GIVEN = "advice_given"
    FORWARDED_TO_CLINICIAN = "forwarded_to_clinician"
    HANDLED_BY_SUPERVISOR = "handled_by_supervisor"
    RETURNED_TO_VMA = "returned_to_vma"
    PAYER_CONTACTED = "payer_contacted"
    RESCHEDULED = "rescheduled"
    NO_ACTION_NEEDED = "no_action_needed"
    DUPLICATE = "duplicate"


class ClaimStatus(StrEnum):
    """Answer to one claimed pseudonym."""

    GRANTED = "granted"
    HELD = "held"
    #: Held as done work (completed, failed or cancelled) by ``held_by``: not granted.
    DONE = "done"


class ConflictKind(StrEnum):
    """Ownership events the supervisor sees."""

    CONFLICT = "conflict"
    TAKEOVER = "takeover"
    #: A supervisor moved an item to another VMA (``claimant``) with a reason.
    REASSIGN = "reassign"
    #: The receiver of a handoff acknowledged the item: the sender's claim moved to it.
    HANDOFF = "handoff"


class Role(StrEnum):
    """Hub account role."""

    VMA = "vma"
    SUPERVISOR = "supervisor"


class HandoffState(StrEnum):
    """Where a sealed handoff envelope is at the hub."""

    WAITING = "waiting"
    FETCHED = "fetched"
    RECEIPTED = "receipted"


class CommentCode(StrEnum):
    """The supervisor's comment on a spot-checked item (a code, never prose)."""

    NONE = "none"
    EXEMPLARY = "exemplary"
    LATE_FIRST_ATTEMPT = "late_first_attempt"
    TOO_FEW_ATTEMPTS = "too_few_attempts"
    WRONG_OUTCOME_CODE = "wrong_outcome_code"
    DOCUMENTATION_MISSING = "documentation_missing"
    SHOULD_HAVE_ESCALATED = "should_have_escalated"
    UNNECESSARY_ESCALATION = "unnecessary_escalation"
    SOP_NOT_FOLLOWED = "sop_not_followed"
    COACHING_DISCUSSED = "coaching_discussed"


class EvidenceState(StrEnum):
    """Life of an evidence request."""

    REQUESTED = "requested"
    ANSWERED = "answered"
    DECLINED = "declined"


class EvidenceDeclineReason(StrEnum):
    """Why a VMA declines to send a sampled item's details."""

    ITEM_NOT_HELD = "item_not_held"
    WRONG_ITEM = "wrong_item"
    PRACTICE_POLICY = "practice_policy"
    PATIENT_OBJECTED = "patient_objected"
    OTHER = "other"


class ErrorCode(StrEnum):
    """``error`` of every hub error response."""

    INVALID_JSON = "invalid_json"
    VALIDATION_FAILED = "validation_failed"
    BODY_TOO_LARGE = "body_too_large"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INTERNAL = "internal_error"


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


__all__ = [
    "BASE64_PATTERN",
    "HANDLE_PATTERN",
    "HEX64_PATTERN",
    "ISO_WEEK_PATTERN",
    "MAX_BATCH",
    "MAX_COUNT",
    "MAX_PSEUDONYMS",
    "MAX_SEALED_CHARS",
    "MAX_SECONDS",
    "PRACTICE_CODE_PATTERN",
    "PUBLIC_KEY_PATTERN",
    "SCHEMA_VERSION",
    "SEALED_BOX_OVERHEAD",
    "SEALED_PATTERN",
    "UUID4_PATTERN",
    "WORK_KIND_CODES",
    "WORK_STATE_CODES",
    "ClaimStatus",
    "CommentCode",
    "ConflictKind",
    "Count",
    "ErrorCode",
    "EvidenceDeclineReason",
    "EvidenceState",
    "Handle",
    "HandoffState",
    "IsoWeek",
    "ItemEventKind",
    "LeaseSeconds",
    "Pseudonym",
    "PublicKeyB64",
    "ReleaseReason",
    "ResolutionCode",
    "Role",
    "SealedB64",
    "Seconds",
    "Sha256Hex",
    "SignedSeconds",
    "TakeoverReason",
    "Timestamp",
    "Uuid4",
    "Wire",
    "utc",
]

#: This family's message models, in the order the OpenAPI document lists them.
MODELS = ()
