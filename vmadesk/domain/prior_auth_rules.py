"""Prior authorization: the states of a request, the payer programs, and a request's fields.

A prior authorization (PA) asks a payer to approve a service before it is given. Its item
moves needs submission → gathering documents → submitted → pended / more information
requested → approved / partially approved / denied → appeal submitted → closed, or ends as
not required, expired (the approval's dates passed) or exhausted (its units were used).

Every vocabulary is a code (may cross to the hub) with a ``label`` in words for the screen.
Validation messages name the field and never quote a value: a code read from a file is the
file's text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from vmadesk.domain.instants import as_utc
from vmadesk.domain.medical_codes import ServiceLine, normalise_icd10, reason_code
from vmadesk.domain.payer_programs import PaChannel, PaUrgency, PayerProgram
from vmadesk.domain.vocabulary import HoldReason, ItemStatus

T = TypeVar("T")


class PaState(StrEnum):
    """Where a prior authorization stands."""

    NEEDS_SUBMISSION = "needs_submission"
    GATHERING_DOCUMENTS = "gathering_documents"
    SUBMITTED = "submitted"
    PENDED = "pended"
    MORE_INFO_REQUESTED = "more_info_requested"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DENIED = "denied"
    APPEAL_SUBMITTED = "appeal_submitted"
    CLOSED = "closed"
    NOT_REQUIRED = "not_required"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"

    @property
    def label(self) -> str:
        """The state in words."""
        return self.value.replace("_", " ").replace("info", "information").capitalize()

    @property
    def is_final(self) -> bool:
        """Whether no transition leaves this state."""
        return not PA_TRANSITIONS[self]

    @property
    def waits_on_payer(self) -> bool:
        """Whether the payer's clock runs (the request is with the payer)."""
        return self in _WITH_PAYER


_S = PaState
_WITH_PAYER = frozenset({_S.SUBMITTED, _S.PENDED, _S.APPEAL_SUBMITTED})
_DECISIONS = (_S.APPROVED, _S.PARTIALLY_APPROVED, _S.DENIED)

#: Allowed moves. "Closed" is reachable from every open state (withdrawn, service
#: cancelled); approvals end as expired or exhausted; a partial approval or a denial may be
#: appealed, and an appeal ends in a new decision.
PA_TRANSITIONS: dict[PaState, frozenset[PaState]] = {
    _S.NEEDS_SUBMISSION: frozenset(
        {_S.GATHERING_DOCUMENTS, _S.SUBMITTED, _S.NOT_REQUIRED, _S.CLOSED}
    ),
    _S.GATHERING_DOCUMENTS: frozenset({_S.SUBMITTED, _S.NOT_REQUIRED, _S.CLOSED}),
    _S.SUBMITTED: frozenset(
        {_S.PENDED, _S.MORE_INFO_REQUESTED, *_DECISIONS, _S.NOT_REQUIRED, _S.CLOSED}
    ),
    _S.PENDED: frozenset({_S.MORE_INFO_REQUESTED, *_DECISIONS, _S.CLOSED}),
    _S.MORE_INFO_REQUESTED: frozenset(
        {_S.GATHERING_DOCUMENTS, _S.SUBMITTED, *_DECISIONS, _S.CLOSED}
    ),
    _S.APPROVED: frozenset({_S.EXPIRED, _S.EXHAUSTED, _S.CLOSED}),
    _S.PARTIALLY_APPROVED: frozenset({_S.APPEAL_SUBMITTED, _S.EXPIRED, _S.EXHAUSTED, _S.CLOSED}),
    _S.DENIED: frozenset({_S.APPEAL_SUBMITTED, _S.CLOSED}),
    _S.APPEAL_SUBMITTED: frozenset({_S.PENDED, _S.MORE_INFO_REQUESTED, *_DECISIONS, _S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.NOT_REQUIRED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.EXHAUSTED: frozenset(),
}

#: The work item status (FHIR Task) a PA state shows as, and why it waits when on hold.
_ITEM_STATUS: dict[PaState, tuple[ItemStatus, HoldReason | None]] = {
    _S.NEEDS_SUBMISSION: (ItemStatus.REQUESTED, None),
    _S.GATHERING_DOCUMENTS: (ItemStatus.IN_PROGRESS, None),
    _S.SUBMITTED: (ItemStatus.ON_HOLD, HoldReason.WAITING_ON_PAYER),
    _S.PENDED: (ItemStatus.ON_HOLD, HoldReason.WAITING_ON_PAYER),
    _S.MORE_INFO_REQUESTED: (ItemStatus.IN_PROGRESS, None),
    # Denied waits on the VMA's choice (appeal or close): still open work.
    _S.DENIED: (ItemStatus.IN_PROGRESS, None),
    _S.APPEAL_SUBMITTED: (ItemStatus.ON_HOLD, HoldReason.WAITING_ON_PAYER),
    _S.APPROVED: (ItemStatus.COMPLETED, None),
    _S.PARTIALLY_APPROVED: (ItemStatus.COMPLETED, None),
    _S.CLOSED: (ItemStatus.COMPLETED, None),
    _S.NOT_REQUIRED: (ItemStatus.COMPLETED, None),
    _S.EXPIRED: (ItemStatus.COMPLETED, None),
    _S.EXHAUSTED: (ItemStatus.COMPLETED, None),
}


def item_status(state: PaState) -> tuple[ItemStatus, HoldReason | None]:
    """The work item status a PA state shows as, and the hold reason when it is on hold."""
    return _ITEM_STATUS[PaState(state)]


def can_move(current: PaState, target: PaState) -> bool:
    """Whether ``current`` may move to ``target``."""
    return PaState(target) in PA_TRANSITIONS[PaState(current)]


@dataclass(frozen=True)
class PriorAuthFields:
    """What a prior authorization item holds besides its patient.

    Attributes:
        program: The payer program (sets the payer's clock).
        services: The services asked for, at least one.
        diagnoses: ICD-10-CM codes, normalised.
        urgency: Standard or expedited.
        payer: The payer's name, if known.
        ordering_provider: Who ordered the service.
        service_from: First date of service (the practice's SLA counts back from it).
        service_to: Last date of service.
        channel: How it was or will be sent.
        submitted_at: When it reached the payer (the payer's clock starts).
        payer_reference: The payer's tracking number for the request.
        auth_number: The authorization number of an approval.
        units_approved: Units the payer approved (all requested when None on an approval).
        units_used: Units already given under the approval.
        valid_from: First day the approval covers.
        valid_to: Last day the approval covers.
        denial_reason: The payer's reason code for a denial.
        appeal_deadline: The last moment an appeal is accepted.

    Raises:
        ValueError: A malformed code, a window that ends before it starts, negative units,
            or a naive datetime. The message names the field, never the value.
    """

    program: PayerProgram
    services: tuple[ServiceLine, ...]
    diagnoses: tuple[str, ...] = ()
    urgency: PaUrgency = PaUrgency.STANDARD
    payer: str | None = None
    ordering_provider: str | None = None
    service_from: date | None = None
    service_to: date | None = None
    channel: PaChannel | None = None
    submitted_at: datetime | None = None
    payer_reference: str | None = None
    auth_number: str | None = None
    units_approved: int | None = None
    units_used: int = 0
    valid_from: date | None = None
    valid_to: date | None = None
    denial_reason: str | None = None
    appeal_deadline: datetime | None = field(default=None)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "program", PayerProgram(self.program))
        set_(self, "urgency", PaUrgency(self.urgency))
        if self.channel is not None:
            set_(self, "channel", PaChannel(self.channel))
        set_(self, "services", tuple(self.services))
        if not self.services:
            raise ValueError("services: at least one service code is needed")
        set_(
            self,
            "diagnoses",
            tuple(_field("diagnoses", normalise_icd10, d) for d in self.diagnoses),
        )
        for name in ("submitted_at", "appeal_deadline"):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, _field(name, as_utc, value))
        _ordered("service_to", self.service_from, self.service_to)
        _ordered("valid_to", self.valid_from, self.valid_to)
        for name in ("units_approved", "units_used"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 0):
                raise ValueError(f"{name}: must be a whole number, not negative")
        if self.denial_reason is not None:
            reason = _field("denial_reason", reason_code, self.denial_reason)
            set_(self, "denial_reason", reason)

    @property
    def units_requested(self) -> int:
        """Units asked for across the services."""
        return sum(line.units for line in self.services)

    @property
    def units_granted(self) -> int | None:
        """Units approved (the request's when an approval did not say), None before a decision."""
        if self.units_approved is not None:
            return self.units_approved
        return self.units_requested if self.auth_number else None

    @property
    def units_left(self) -> int | None:
        """Units still available under the approval, None before a decision."""
        granted = self.units_granted
        return None if granted is None else max(granted - self.units_used, 0)


def _field(name: str, check: Callable[[Any], T], value: Any) -> T:
    """``check(value)``, its error prefixed with the field's name."""
    try:
        return check(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: {exc}") from None


def _ordered(name: str, first: date | None, last: date | None) -> None:
    if first is not None and last is not None and last < first:
        raise ValueError(f"{name}: ends before it starts")


#: What a state asks of the fields before an item may enter it (field names).
_REQUIRED_FOR: dict[PaState, tuple[str, ...]] = {
    _S.SUBMITTED: ("submitted_at", "channel"),
    _S.PENDED: ("submitted_at",),
    _S.MORE_INFO_REQUESTED: ("submitted_at",),
    _S.APPROVED: ("auth_number",),
    _S.PARTIALLY_APPROVED: ("auth_number", "units_approved"),
    _S.DENIED: ("denial_reason",),
    _S.APPEAL_SUBMITTED: ("denial_reason",),
}


def missing_for(state: PaState, fields: PriorAuthFields) -> tuple[str, ...]:
    """The fields ``state`` needs that ``fields`` lacks (empty: the state may be entered)."""
    return tuple(n for n in _REQUIRED_FOR.get(PaState(state), ()) if getattr(fields, n) is None)


class PaOutcome(StrEnum):
    """What the VMA records on a PA item, in digit-key order (see :data:`PA_OUTCOMES`)."""

    START_DOCUMENTS = "start_documents"
    SUBMITTED = "submitted"
    PENDED = "pended"
    MORE_INFO_REQUESTED = "more_info_requested"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DENIED = "denied"
    APPEAL_SUBMITTED = "appeal_submitted"
    NOT_REQUIRED = "not_required"

    @property
    def label(self) -> str:
        """The outcome in words."""
        return _OUTCOME_LABELS[self]

    @property
    def target(self) -> PaState:
        """The state the outcome moves the item to."""
        if self is PaOutcome.START_DOCUMENTS:
            return PaState.GATHERING_DOCUMENTS
        return PaState(self.value)


_OUTCOME_LABELS = {
    PaOutcome.START_DOCUMENTS: "Gathering documents",
    PaOutcome.SUBMITTED: "Submitted to payer",
    PaOutcome.PENDED: "Pended by payer",
    PaOutcome.MORE_INFO_REQUESTED: "Payer asks for more information",
    PaOutcome.APPROVED: "Approved",
    PaOutcome.PARTIALLY_APPROVED: "Partially approved",
    PaOutcome.DENIED: "Denied",
    PaOutcome.APPEAL_SUBMITTED: "Appeal submitted",
    PaOutcome.NOT_REQUIRED: "No authorization required",
}

#: The lane's outcomes in digit-key order: key ``n`` records ``PA_OUTCOMES[n - 1]``.
PA_OUTCOMES: tuple[PaOutcome, ...] = tuple(PaOutcome)


def outcome_for_key(key: int) -> PaOutcome | None:
    """The outcome digit key ``key`` (1–9) records, or None."""
    return PA_OUTCOMES[key - 1] if 1 <= key <= len(PA_OUTCOMES) else None


def outcomes_for(state: PaState) -> tuple[PaOutcome, ...]:
    """The outcomes that may be recorded in ``state`` (the others are greyed out)."""
    return tuple(o for o in PA_OUTCOMES if can_move(state, o.target))


def apply_outcome(
    state: PaState, outcome: PaOutcome, fields: PriorAuthFields, **changes: object
) -> tuple[PaState, PriorAuthFields]:
    """Record ``outcome``: the new state and the fields with ``changes`` applied.

    Args:
        state: The item's state now.
        outcome: What the VMA records.
        fields: The item's fields now.
        **changes: Field values the outcome brings (``auth_number=…``, ``denial_reason=…``).

    Raises:
        ValueError: The move is not allowed from ``state``, a change is malformed, or the
            target state lacks a field it needs (the message names it).
    """
    outcome = PaOutcome(outcome)
    if not can_move(state, outcome.target):
        raise ValueError(f"cannot record {outcome.label.lower()} on a request that is "
                         f"{PaState(state).label.lower()}")  # fmt: skip
    updated = replace(fields, **changes)  # type: ignore[arg-type]
    missing = missing_for(outcome.target, updated)
    if missing:
        raise ValueError(f"{outcome.label.lower()} needs: {', '.join(_words(m) for m in missing)}")
    return outcome.target, updated


def _words(name: str) -> str:
    return {"denial_reason": "the denial reason code", "auth_number": "the authorization number",
            "units_approved": "the units approved", "submitted_at": "when it was submitted",
            "channel": "how it was sent"}.get(name, name.replace("_", " "))  # fmt: skip


class DenialChoice(StrEnum):
    """What a denial offers: appeal before the deadline, or close."""

    APPEAL = "appeal"
    CLOSE = "close"

    @property
    def label(self) -> str:
        """The choice in words."""
        return "Appeal" if self is DenialChoice.APPEAL else "Close"

    @property
    def target(self) -> PaState:
        """The state the choice moves a denied request to."""
        return PaState.APPEAL_SUBMITTED if self is DenialChoice.APPEAL else PaState.CLOSED


@dataclass(frozen=True)
class DenialOption:
    """One choice a denial offers, with the appeal deadline when it is the appeal."""

    choice: DenialChoice
    deadline: datetime | None = None


def denial_options(fields: PriorAuthFields, now: datetime) -> tuple[DenialOption, ...]:
    """What a denied request offers at ``now``: appeal (until its deadline) and close.

    Raises:
        ValueError: The denial has no reason code (a denial must record one).
    """
    if fields.denial_reason is None:
        raise ValueError("a denial needs the payer's reason code")
    close = DenialOption(DenialChoice.CLOSE)
    deadline = fields.appeal_deadline
    if deadline is not None and as_utc(now, "now") > deadline:
        return (close,)
    return DenialOption(DenialChoice.APPEAL, deadline), close
