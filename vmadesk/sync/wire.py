"""The wire schema: everything that crosses from a console to the hub, and back.

This one module is the PHI boundary in code (DESIGN.md, "The PHI boundary"). A reviewer can read
here everything that ever leaves a VMA's machine:

* every model forbids unknown fields, is strict about types and is immutable;
* every message carries ``schema_version`` (today ``1``);
* **no free-text field exists**: every string is a code from a fixed vocabulary (a ``StrEnum``
  or ``Literal``) or matches a pattern that cannot hold a name, phone number or note
  (pseudonyms and hashes are 64 hex digits, ids are UUIDs, VMA handles are short lowercase
  slugs, sealed envelopes are base64 ciphertext). ``tests/sync/test_wire_schema.py`` walks the
  JSON schema of every model here and fails if a string field without ``enum``/``const``/
  ``pattern`` appears (timestamps excepted: they are parsed into ``datetime``);
* patients are referred to only by **pseudonym** (``vmadesk.sync.pseudonym``), and an item's
  times only relative to its due time. The only absolute timestamps are the VMA's own (shift
  start/end, summary interval) and the hub's bookkeeping (lease times, receipt times).

Messages a console sends through ``POST /v1/messages`` are wrapped in an :class:`Envelope` with an
idempotency key; the hub counts each key once. Other requests (claims, handoff envelopes, keys,
spot checks) have their own endpoints and models below.
"""

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
    model_validator,
)

from vmadesk.domain import vocabulary
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PaState
from vmadesk.domain.referral_rules import IncomingState, OutgoingState, ReferralUrgency
from vmadesk.domain.vocabulary import (
    CloseReason,
    DueState,
    EscalationCategory,
    EscalationState,
    HoldReason,
    ItemStatus,
    Lane,
    Outcome,
    Urgency,
)

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


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


#: Days of summaries the board sums "done" over (the domain's figure, which consoles use too).
BOARD_WINDOW_DAYS = vocabulary.BOARD_WINDOW_DAYS


#: State codes of the lanes with states of their own (prior authorization, referral).
WorkStateCode = Annotated[
    str, StringConstraints(pattern=f"^({'|'.join(sorted(WORK_STATE_CODES))})$")
]
#: Payer programs and urgencies (prior authorization) and referral urgencies.
WorkKindCode = Annotated[str, StringConstraints(pattern=f"^({'|'.join(sorted(WORK_KIND_CODES))})$")]


class LaneWork(Wire):
    """Open work of a lane with states of its own, as codes and durations only.

    Never a payer's name, a service or diagnosis code, or anything else that could single a
    patient out: the state each item is in, its payer program and urgency, and how late the
    late ones are (the payer past its window, a referral past its due time).
    """

    by_state: dict[WorkStateCode, Count] = Field(default_factory=dict, max_length=32)
    by_program: dict[WorkKindCode, Count] = Field(default_factory=dict, max_length=16)
    by_urgency: dict[WorkKindCode, Count] = Field(default_factory=dict, max_length=8)
    late: Count = Field(0, description="payer past its window (PA) or referral overdue")
    late_by_median_s: Seconds | None = None
    late_by_max_s: Seconds | None = None


class LaneSummary(Wire):
    """One lane's figures for the interval."""

    lane: Lane
    by_status: dict[ItemStatus, Count] = Field(default_factory=dict)
    by_due_state: dict[DueState, Count] = Field(default_factory=dict, description="open items")
    completed_on_time: Count = 0
    completed_late: Count = 0
    first_attempt_median_s: Seconds | None = None
    first_attempt_p90_s: Seconds | None = None
    attempts_total: Count = 0
    items_attempted: Count = 0
    attempts_per_item: float = Field(0.0, ge=0, le=1000, description="attempts / items attempted")
    outcomes: dict[Outcome, Count] = Field(default_factory=dict)
    carried_over: Count = Field(0, description="open items carried over to the next day")
    reopened_on_time: Count = Field(
        0, description="completions on time (of the board's window) reopened in the interval"
    )
    reopened_late: Count = Field(
        0, description="late completions (of the board's window) reopened in the interval"
    )
    work: LaneWork | None = Field(None, description="prior authorization and referral lanes")


class EscalationCount(Wire):
    """Escalations raised in the interval for one category and urgency."""

    category: EscalationCategory
    urgency: Urgency
    count: Count


class HandoffCounts(Wire):
    """Handoff items sent, and how their receivers answered."""

    sent: Count = 0
    acknowledged: Count = 0
    declined: Count = 0


class AuditHead(Wire):
    """The head of the console's audit chain: proves the chain only grows."""

    seq: int = Field(ge=0, le=2**62)
    hash: Sha256Hex


class Summary(Wire):
    """One VMA's PHI-free figures for an interval (the sender is the authenticated account)."""

    kind: Literal["summary"] = "summary"
    schema_version: Literal[1] = SCHEMA_VERSION
    interval_start: Timestamp
    interval_end: Timestamp
    shift_start: Timestamp | None = Field(None, description="the VMA's shift, UTC")
    shift_end: Timestamp | None = None
    lanes: list[LaneSummary] = Field(default_factory=list, max_length=len(Lane))
    escalations: list[EscalationCount] = Field(default_factory=list, max_length=64)
    handoffs: HandoffCounts = HandoffCounts()
    audit_head: AuditHead

    @model_validator(mode="after")
    def _check(self) -> Summary:
        if self.interval_end < self.interval_start:
            raise ValueError("interval_end before interval_start")
        if len({lane.lane for lane in self.lanes}) != len(self.lanes):
            raise ValueError("a lane appears twice")
        return self


# --------------------------------------------------------------------------------------------
# Item events
# --------------------------------------------------------------------------------------------


class ItemEvent(Wire):
    """Something that happened to one item, keyed by pseudonym, timed relative to its due time."""

    kind: Literal["item_event"] = "item_event"
    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonym: Pseudonym
    lane: Lane
    event: ItemEventKind
    outcome: Outcome | None = None
    close_reason: CloseReason | None = None
    hold_reason: HoldReason | None = None
    seconds_from_due: SignedSeconds = Field(
        description="event time minus the item's due time: negative = before due"
    )
    attempt_count: Count = 0


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


# --------------------------------------------------------------------------------------------
# Envelope / batch for POST /v1/messages
# --------------------------------------------------------------------------------------------

Message = Annotated[Summary | ItemEvent | EscalationRaised, Field(discriminator="kind")]


class Envelope(Wire):
    """One outbox message with its idempotency key (a UUID4 made when the outbox row was)."""

    idempotency_key: Uuid4
    message: Message


class Batch(Wire):
    """A batch of envelopes; the hub stores all of them or (on any error) none."""

    schema_version: Literal[1] = SCHEMA_VERSION
    envelopes: list[Envelope] = Field(min_length=1, max_length=MAX_BATCH)


class BatchResult(Wire):
    """Which keys were new and which the hub had already counted."""

    accepted: list[Uuid4]
    duplicates: list[Uuid4]


class SummaryRecord(Wire):
    """A received summary with its sender and receipt time."""

    vma: Handle
    received_at: Timestamp
    summary: Summary


class SummaryList(Wire):
    """Summaries, newest first."""

    summaries: list[SummaryRecord]


class ItemEventRecord(Wire):
    """A received item event (a PHI-free timeline entry)."""

    vma: Handle
    received_at: Timestamp
    event: ItemEvent


class ItemEventList(Wire):
    """Item events, oldest first."""

    events: list[ItemEventRecord]


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
    kept: list[Pseudonym] = []


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


# --------------------------------------------------------------------------------------------
# Sealed handoff envelopes
# --------------------------------------------------------------------------------------------


class HandoffEnvelope(Wire):
    """A handoff packet sealed on the sender's machine to the receiver's public key."""

    schema_version: Literal[1] = SCHEMA_VERSION
    envelope_id: Uuid4
    receiver: Handle
    sealed: SealedB64
    item_count: Count


class HandoffReceipt(Wire):
    """The receiver's PHI-free answer: how many items it acknowledged and declined."""

    schema_version: Literal[1] = SCHEMA_VERSION
    acknowledged: Count
    declined: Count


class HandoffRecord(Wire):
    """A handoff envelope at the hub; ``sealed`` is dropped once the receiver sends a receipt."""

    envelope_id: Uuid4
    sender: Handle
    receiver: Handle
    item_count: Count
    state: HandoffState
    posted_at: Timestamp
    sealed: SealedB64 | None = None
    acknowledged: Count | None = None
    declined: Count | None = None
    receipted_at: Timestamp | None = None


class HandoffList(Wire):
    """Handoff envelopes, oldest first."""

    handoffs: list[HandoffRecord]


# --------------------------------------------------------------------------------------------
# Keys and enrolment
# --------------------------------------------------------------------------------------------


class PublicKeyRegistration(Wire):
    """Register (or rotate) the caller's X25519 public key."""

    schema_version: Literal[1] = SCHEMA_VERSION
    public_key: PublicKeyB64


class PublicKeyRecord(Wire):
    """An account's public key."""

    handle: Handle
    role: Role
    public_key: PublicKeyB64
    registered_at: Timestamp


class PublicKeyList(Wire):
    """The active accounts with a registered public key (a handoff's possible receivers)."""

    keys: list[PublicKeyRecord]


class EscalationRecipients(Wire):
    """The active supervisors' public keys, to seal escalation details to."""

    keys: list[PublicKeyRecord]


class TeamSecretEnvelope(Wire):
    """The team secret sealed by a supervisor's console to one VMA's public key."""

    schema_version: Literal[1] = SCHEMA_VERSION
    recipient: Handle
    key_version: int = Field(ge=1, le=1_000_000)
    sealed: SealedB64


class TeamSecretRecord(Wire):
    """A sealed team secret waiting for its recipient."""

    recipient: Handle
    key_version: int = Field(ge=1, le=1_000_000)
    sealed: SealedB64
    posted_by: Handle
    posted_at: Timestamp


# --------------------------------------------------------------------------------------------
# Spot checks (issue 6)
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


# --------------------------------------------------------------------------------------------
# Supervisor board and trends (issue 6)
# --------------------------------------------------------------------------------------------

DAY_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
HubDay = Annotated[str, StringConstraints(pattern=DAY_PATTERN)]
"""A UTC calendar day of the hub's bookkeeping (``2025-02-14``), never a patient's date."""


class BoardLane(Wire):
    """One VMA's lane on the team board: the latest snapshot plus a week of completions."""

    lane: Lane
    open: Count = 0
    due_soon: Count = 0
    overdue: Count = 0
    completed_on_time: Count = Field(0, description="over the board window (7 days)")
    completed_late: Count = Field(0, description="over the board window (7 days)")
    first_attempt_median_s: Seconds | None = None
    carried_over: Count = 0
    escalations_open: Count = 0
    summary_at: Timestamp | None = Field(None, description="interval end of the latest summary")
    work: LaneWork | None = Field(None, description="states, programs, urgencies, lateness")


class BoardVma(Wire):
    """One VMA on the team board."""

    vma: Handle
    lanes: list[BoardLane] = Field(default_factory=list, max_length=len(Lane))
    escalations_open: Count = 0
    handoffs_awaiting_ack: Count = Field(0, description="items sent, not yet receipted")
    last_sync_at: Timestamp | None = None
    audit_went_back_at: Timestamp | None = Field(
        None,
        description="when a summary's audit-chain head went backwards (a console restored from"
        " an older copy, or a chain cut short); refused, kept for the supervisor",
    )


class Board(Wire):
    """``GET /v1/board``: every active VMA account, in handle order."""

    generated_at: Timestamp
    window_days: int = Field(ge=1, le=400)
    vmas: list[BoardVma]


class TrendPoint(Wire):
    """One VMA's day in one lane (UTC hub days), shaped for the capacity signals."""

    day: HubDay
    opened: Count = Field(0, description="items imported (item events received that day)")
    completed_on_time: Count = 0
    completed_late: Count = 0
    open: Count = Field(0, description="backlog: open items in the day's last summary")
    due_soon: Count = 0
    overdue: Count = 0
    carried_over: Count = 0
    dropped: Count = Field(0, description="failed/cancelled after due without a patient reason")
    escalations: Count = Field(0, description="escalations raised that day")
    first_attempt_median_s: Seconds | None = None


class TrendSeries(Wire):
    """Daily points of one VMA in one lane, oldest first (days without data left out)."""

    vma: Handle
    lane: Lane
    points: list[TrendPoint]


class Trends(Wire):
    """``GET /v1/trends``: series for the days ``start`` … ``end`` inclusive."""

    days: int = Field(ge=1, le=400)
    start: HubDay
    end: HubDay
    series: list[TrendSeries]


# --------------------------------------------------------------------------------------------
# Hub housekeeping
# --------------------------------------------------------------------------------------------


class Health(Wire):
    """``GET /health``."""

    status: Literal["ok"] = "ok"
    schema_version: Literal[1] = SCHEMA_VERSION
    database: Literal["ok"] = "ok"


class Whoami(Wire):
    """The authenticated account."""

    handle: Handle
    role: Role


class ErrorResponse(Wire):
    """Every 4xx/5xx body: a code and the offending field paths (never the input values)."""

    error: ErrorCode
    detail: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\[\]<>-]{0,300}$")]] = []


#: Every model in this module, for schema walkers and the OpenAPI document.
ALL_MODELS: tuple[type[Wire], ...] = (
    LaneWork,
    LaneSummary,
    EscalationCount,
    HandoffCounts,
    AuditHead,
    Summary,
    ItemEvent,
    EscalationRaised,
    EscalationUpdate,
    EscalationRecord,
    EscalationList,
    EscalationChanges,
    SealedDetail,
    EscalationDetails,
    Envelope,
    Batch,
    BatchResult,
    SummaryRecord,
    SummaryList,
    ItemEventRecord,
    ItemEventList,
    Claim,
    ClaimResult,
    ClaimResults,
    Heartbeat,
    HeartbeatResult,
    Release,
    ReleaseResult,
    Takeover,
    TakeoverResult,
    ConflictRecord,
    ConflictList,
    ClaimLookup,
    ClaimOffer,
    ClaimOfferResult,
    UnattendedClaim,
    UnattendedList,
    Reassign,
    ClaimMove,
    ClaimMoveList,
    PracticeIdentity,
    PracticeRecord,
    PracticeList,
    HandoffEnvelope,
    HandoffReceipt,
    HandoffRecord,
    HandoffList,
    PublicKeyRegistration,
    PublicKeyRecord,
    PublicKeyList,
    EscalationRecipients,
    TeamSecretEnvelope,
    TeamSecretRecord,
    SampleRequest,
    SampleItem,
    Stratum,
    Sample,
    SampleList,
    SpotCheckScore,
    ScoreRecord,
    ScoreList,
    EvidenceRequest,
    EvidenceEnvelope,
    EvidenceRecord,
    EvidenceDecline,
    EvidenceList,
    BoardLane,
    BoardVma,
    Board,
    TrendPoint,
    TrendSeries,
    Trends,
    Health,
    Whoami,
    ErrorResponse,
)


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
