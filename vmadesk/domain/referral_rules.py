"""Referrals: the states of an outgoing and an incoming referral, their fields and due rules.

**Outgoing** (the practice refers a patient to a specialist): sent → received by specialist →
appointment scheduled → visit done → consult report received (the loop is closed), or
declined (by the specialist), patient declined, cancelled.

**Incoming** (a specialist practice receives one): received → triaged → patient contacted →
scheduled, or declined (not for this practice), cancelled.

Due rules per urgency (defaults, all configurable in :class:`ReferralPolicy`):

======================  =========  ==========  =========
outgoing (calendar)     routine    urgent      stat
======================  =========  ==========  =========
specialist confirms     3 days     1 day       4 hours
visit scheduled         14 days    3 days      1 day
consult report          30 days    14 days     7 days   (after the visit)
======================  =========  ==========  =========

Incoming: triaged within 2 business days (urgent 4 business hours, stat 1), patient contacted
within 3 business days of receipt (urgent 8 hours, stat 2), scheduled within the outgoing
"visit scheduled" windows. Scheduling windows follow common specialty-access standards (two
weeks routine); the report window leaves two weeks for a letter after a month-end visit. A
referral with no scheduled visit by its scheduling due time is overdue work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.follow_ups import FollowUpKind, FollowUpSpec
from vmadesk.domain.instants import as_utc
from vmadesk.domain.vocabulary import DueState, HoldReason, ItemStatus


class ReferralDirection(StrEnum):
    """Whether the practice sends or receives the referral."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"

    @property
    def label(self) -> str:
        """The direction in words."""
        return "Referral out" if self is ReferralDirection.OUTGOING else "Referral in"


class ReferralUrgency(StrEnum):
    """How soon the patient must be seen (FHIR ``ServiceRequest.priority``; asap is urgent)."""

    ROUTINE = "routine"
    URGENT = "urgent"
    STAT = "stat"

    @property
    def label(self) -> str:
        """The urgency in words."""
        return self.value.capitalize() if self is not ReferralUrgency.STAT else "Stat (same day)"


class OutgoingState(StrEnum):
    """Where an outgoing referral stands."""

    SENT = "sent"
    RECEIVED_BY_SPECIALIST = "received_by_specialist"
    APPOINTMENT_SCHEDULED = "appointment_scheduled"
    VISIT_DONE = "visit_done"
    LOOP_CLOSED = "loop_closed"
    DECLINED = "declined"
    PATIENT_DECLINED = "patient_declined"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The state in words."""
        if self is OutgoingState.LOOP_CLOSED:
            return "Consult report received (loop closed)"
        if self is OutgoingState.DECLINED:
            return "Declined by specialist"
        return self.value.replace("_", " ").capitalize()


class IncomingState(StrEnum):
    """Where an incoming referral stands."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    PATIENT_CONTACTED = "patient_contacted"
    SCHEDULED = "scheduled"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The state in words."""
        return self.value.replace("_", " ").capitalize()


ReferralState = OutgoingState | IncomingState
_O, _I = OutgoingState, IncomingState
_OUT_ENDS = (_O.PATIENT_DECLINED, _O.CANCELLED)

OUTGOING_TRANSITIONS: dict[OutgoingState, frozenset[OutgoingState]] = {
    _O.SENT: frozenset(
        {_O.RECEIVED_BY_SPECIALIST, _O.APPOINTMENT_SCHEDULED, _O.DECLINED, *_OUT_ENDS}
    ),
    _O.RECEIVED_BY_SPECIALIST: frozenset({_O.APPOINTMENT_SCHEDULED, _O.DECLINED, *_OUT_ENDS}),
    # A missed or cancelled visit goes back to "received" to be scheduled again.
    _O.APPOINTMENT_SCHEDULED: frozenset(
        {_O.VISIT_DONE, _O.LOOP_CLOSED, _O.RECEIVED_BY_SPECIALIST, *_OUT_ENDS}
    ),
    _O.VISIT_DONE: frozenset({_O.LOOP_CLOSED}),
    _O.LOOP_CLOSED: frozenset(),
    _O.DECLINED: frozenset(),
    _O.PATIENT_DECLINED: frozenset(),
    _O.CANCELLED: frozenset(),
}
INCOMING_TRANSITIONS: dict[IncomingState, frozenset[IncomingState]] = {
    _I.RECEIVED: frozenset({_I.TRIAGED, _I.DECLINED, _I.CANCELLED}),
    _I.TRIAGED: frozenset({_I.PATIENT_CONTACTED, _I.SCHEDULED, _I.DECLINED, _I.CANCELLED}),
    _I.PATIENT_CONTACTED: frozenset({_I.SCHEDULED, _I.CANCELLED}),
    _I.SCHEDULED: frozenset(),
    _I.DECLINED: frozenset(),
    _I.CANCELLED: frozenset(),
}

# Two tables: the directions share codes ("declined", "cancelled") and StrEnum members with
# one value are equal dict keys.
_OUT_STATUS: dict[OutgoingState, tuple[ItemStatus, HoldReason | None]] = {
    _O.SENT: (ItemStatus.REQUESTED, None),
    _O.RECEIVED_BY_SPECIALIST: (ItemStatus.IN_PROGRESS, None),
    _O.APPOINTMENT_SCHEDULED: (ItemStatus.ON_HOLD, HoldReason.WAITING_ON_PATIENT),
    _O.VISIT_DONE: (ItemStatus.IN_PROGRESS, None),
    _O.LOOP_CLOSED: (ItemStatus.COMPLETED, None),
    _O.DECLINED: (ItemStatus.FAILED, None),
    _O.PATIENT_DECLINED: (ItemStatus.CANCELLED, None),
    _O.CANCELLED: (ItemStatus.CANCELLED, None),
}
_IN_STATUS: dict[IncomingState, tuple[ItemStatus, HoldReason | None]] = {
    _I.RECEIVED: (ItemStatus.REQUESTED, None),
    _I.TRIAGED: (ItemStatus.IN_PROGRESS, None),
    _I.PATIENT_CONTACTED: (ItemStatus.IN_PROGRESS, None),
    _I.SCHEDULED: (ItemStatus.COMPLETED, None),
    _I.DECLINED: (ItemStatus.CANCELLED, None),
    _I.CANCELLED: (ItemStatus.CANCELLED, None),
}


def state_of(direction: ReferralDirection, code: str) -> ReferralState:
    """The state ``code`` names for ``direction``.

    Raises:
        ValueError: Not a state of that direction.
    """
    kind = (
        OutgoingState
        if ReferralDirection(direction) is ReferralDirection.OUTGOING
        else IncomingState
    )
    try:
        return kind(code)
    except ValueError:
        raise ValueError(f"not a state of an {direction} referral") from None


def initial_state(direction: ReferralDirection) -> ReferralState:
    """Where a new referral starts: sent (outgoing) or received (incoming)."""
    return _O.SENT if ReferralDirection(direction) is ReferralDirection.OUTGOING else _I.RECEIVED


def transitions(state: ReferralState) -> frozenset[ReferralState]:
    """The states ``state`` may move to."""
    if isinstance(state, OutgoingState):
        return frozenset(OUTGOING_TRANSITIONS[state])
    return frozenset(INCOMING_TRANSITIONS[IncomingState(state)])


def can_move(current: ReferralState, target: ReferralState) -> bool:
    """Whether ``current`` may move to ``target`` (same direction only)."""
    return type(current) is type(target) and target in transitions(current)


def is_final(state: ReferralState) -> bool:
    """Whether the referral's work is over."""
    return not transitions(state)


def item_status(state: ReferralState) -> tuple[ItemStatus, HoldReason | None]:
    """The work item status a referral state shows as, and the hold reason when on hold."""
    if isinstance(state, OutgoingState):
        return _OUT_STATUS[state]
    return _IN_STATUS[IncomingState(state)]


def outcomes_for(state: ReferralState) -> tuple[ReferralState, ...]:
    """The states the VMA may record from ``state``, in digit-key order (key 1 first)."""
    return tuple(s for s in type(state) if s in transitions(state))


@dataclass(frozen=True)
class ReferralFields:
    """What a referral item holds besides its patient.

    Attributes:
        direction: Outgoing or incoming.
        reason: Why the patient is referred (clinical free text: stays in the store).
        urgency: Routine, urgent or stat.
        sent_at: When the referral was sent (outgoing) or received (incoming).
        referred_to_practitioner: The specialist (outgoing: this or the organisation).
        referred_to_organization: The specialist's practice.
        referred_by: Who referred the patient (incoming).
        specialty: The specialty asked for.
        appointment_at: The scheduled visit.
        visit_on: The day the visit took place.
        report_received_on: The day the consult report arrived.

    Raises:
        ValueError: A blank reason, an outgoing referral with no recipient, or a naive time.
    """

    direction: ReferralDirection
    reason: str
    sent_at: datetime
    urgency: ReferralUrgency = ReferralUrgency.ROUTINE
    referred_to_practitioner: str | None = None
    referred_to_organization: str | None = None
    referred_by: str | None = None
    specialty: str | None = None
    appointment_at: datetime | None = None
    visit_on: date | None = None
    report_received_on: date | None = field(default=None)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "direction", ReferralDirection(self.direction))
        set_(self, "urgency", ReferralUrgency(self.urgency))
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("reason: the referral needs a reason")
        set_(self, "sent_at", as_utc(self.sent_at, "sent_at"))
        if self.appointment_at is not None:
            set_(self, "appointment_at", as_utc(self.appointment_at, "appointment_at"))
        has_recipient = self.referred_to_practitioner or self.referred_to_organization
        if self.direction is ReferralDirection.OUTGOING and not has_recipient:
            raise ValueError("referred_to: an outgoing referral needs the specialist or practice")


_NEEDS: dict[ReferralState, str] = {
    _O.APPOINTMENT_SCHEDULED: "appointment_at",
    _O.VISIT_DONE: "visit_on",
    _O.LOOP_CLOSED: "report_received_on",
    _I.SCHEDULED: "appointment_at",
}


def apply_outcome(
    state: ReferralState, target: ReferralState, fields: ReferralFields, **changes: object
) -> tuple[ReferralState, ReferralFields]:
    """Move to ``target`` with ``changes`` applied to the fields.

    Raises:
        ValueError: The move is not allowed, or ``target`` lacks the date it needs.
    """
    if not can_move(state, target):
        raise ValueError(f"a referral that is {state.label.lower()} cannot become "
                         f"{target.label.lower()}")  # fmt: skip
    updated = replace(fields, **changes)  # type: ignore[arg-type]
    needed = _NEEDS.get(target)
    if needed is not None and getattr(updated, needed) is None:
        raise ValueError(f"{target.label.lower()} needs the {needed.replace('_', ' ')}")
    return target, updated


# -- due rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralWindows:
    """One urgency's due windows (see the module docstring for the defaults)."""

    receipt: timedelta
    schedule: timedelta
    report: timedelta
    triage: timedelta
    contact: timedelta
    visit_grace: timedelta = timedelta(days=1)

    def __post_init__(self) -> None:
        for name in ("receipt", "schedule", "report", "triage", "contact", "visit_grace"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive")


_H, _D = timedelta(hours=1), timedelta(days=1)
DEFAULT_WINDOWS: dict[ReferralUrgency, ReferralWindows] = {
    ReferralUrgency.ROUTINE: ReferralWindows(3 * _D, 14 * _D, 30 * _D, 18 * _H, 27 * _H),
    ReferralUrgency.URGENT: ReferralWindows(1 * _D, 3 * _D, 14 * _D, 4 * _H, 8 * _H),
    ReferralUrgency.STAT: ReferralWindows(4 * _H, 1 * _D, 7 * _D, 1 * _H, 2 * _H),
}


@dataclass(frozen=True)
class ReferralPolicy:
    """The due windows per urgency.

    Raises:
        ValueError: An urgency without windows.
    """

    windows: dict[ReferralUrgency, ReferralWindows] = field(
        default_factory=lambda: dict(DEFAULT_WINDOWS), hash=False
    )

    def __post_init__(self) -> None:
        windows = {ReferralUrgency(u): w for u, w in self.windows.items()}
        if missing := [u.value for u in ReferralUrgency if u not in windows]:
            raise ValueError(f"no referral windows for: {', '.join(missing)}")
        object.__setattr__(self, "windows", windows)


def _day_start(day: date, hours: BusinessHours) -> datetime:
    return datetime.combine(day, time(0), tzinfo=hours.zone)


def schedule_due(fields: ReferralFields, policy: ReferralPolicy) -> datetime:
    """When the referral should have a scheduled visit (calendar time from sending)."""
    return fields.sent_at + policy.windows[fields.urgency].schedule


def next_due(
    state: ReferralState, fields: ReferralFields, hours: BusinessHours, policy: ReferralPolicy
) -> FollowUpSpec | None:
    """The follow-up the referral's current step calls for, with its due time; None when over.

    Outgoing steps count calendar time (the specialist's office works its own week);
    incoming triage and first contact count the practice's business time.
    """
    w = policy.windows[fields.urgency]
    spec: tuple[FollowUpKind, datetime] | None = None
    if state is _O.SENT:
        spec = FollowUpKind.REFERRAL_NOT_RECEIVED, fields.sent_at + w.receipt
    elif state is _O.RECEIVED_BY_SPECIALIST:
        spec = FollowUpKind.REFERRAL_NOT_SCHEDULED, schedule_due(fields, policy)
    elif state is _O.APPOINTMENT_SCHEDULED:
        when = fields.appointment_at or schedule_due(fields, policy)
        spec = FollowUpKind.REFERRAL_VISIT_UNCONFIRMED, when + w.visit_grace
    elif state is _O.VISIT_DONE:
        visit = _day_start(fields.visit_on, hours) if fields.visit_on else fields.sent_at
        spec = FollowUpKind.REFERRAL_REPORT_MISSING, visit + w.report
    elif state is _I.RECEIVED:
        spec = FollowUpKind.REFERRAL_TRIAGE, hours.add_business_time(fields.sent_at, w.triage)
    elif state is _I.TRIAGED:
        due = hours.add_business_time(fields.sent_at, w.contact)
        spec = FollowUpKind.REFERRAL_CONTACT_PATIENT, due
    elif state is _I.PATIENT_CONTACTED:
        spec = FollowUpKind.REFERRAL_SCHEDULE_PATIENT, schedule_due(fields, policy)
    if spec is None:
        return None
    kind, due_at = spec
    return FollowUpSpec(kind, due_at, f"{kind.value}:{as_utc(due_at).isoformat()}")


_UNSCHEDULED = frozenset({_O.SENT, _O.RECEIVED_BY_SPECIALIST, _I.RECEIVED, _I.TRIAGED,
                          _I.PATIENT_CONTACTED})  # fmt: skip


def is_unscheduled_overdue(state: ReferralState, fields: ReferralFields, now: datetime,
                           policy: ReferralPolicy) -> bool:  # fmt: skip
    """Whether the referral still has no scheduled visit past its scheduling due time."""
    return state in _UNSCHEDULED and as_utc(now, "now") >= schedule_due(fields, policy)


def due_state(
    state: ReferralState,
    fields: ReferralFields,
    now: datetime,
    hours: BusinessHours,
    policy: ReferralPolicy,
    due_soon: timedelta = timedelta(days=1),
) -> DueState | None:
    """How the referral stands against its current step's due time (None when over).

    Overdue also when no visit is scheduled past the scheduling due time, whatever the step.
    """
    spec = next_due(state, fields, hours, policy)
    if spec is None:
        return None
    now_utc = as_utc(now, "now")
    if now_utc >= spec.due_at or is_unscheduled_overdue(state, fields, now_utc, policy):
        return DueState.OVERDUE
    if spec.due_at - now_utc <= due_soon:
        return DueState.DUE_SOON
    status, _ = item_status(state)
    return DueState.PAUSED if status is ItemStatus.ON_HOLD else DueState.ON_TRACK
