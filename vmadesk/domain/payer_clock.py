"""The two clocks of a prior authorization, re-authorization and appeal due times.

**The practice's clock** counts *business* time in the practice's hours and zone: a request
must be submitted a lead time of open hours before the date of service (practice policy).

**The payer's clock** counts *calendar* time from submission, nights, weekends and holidays
included: under the CMS Interoperability and Prior Authorization final rule (CMS-0057-F,
2024), Medicare Advantage, Medicaid and CHIP must decide within 72 hours on an expedited and
7 calendar days on a standard request. Commercial and exchange plans follow the ERISA/ACA
claims rule (29 CFR 2560.503-1, 45 CFR 147.136): 72 hours urgent, 15 days pre-service.
Every program's windows are configurable. Windows are elapsed time (a day is 24 hours, also
across a daylight-saving change), counted on UTC instants. Past the window the payer is
"late by" the excess, which spawns a follow-up item.

Appeal windows (calendar time from the denial): Medicare Advantage 65 days
(42 CFR 422.582), Medicaid and CHIP managed care 60 days (42 CFR 438.402), commercial and
exchange 180 days (29 CFR 2560.503-1(h)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.follow_ups import FollowUpKind, FollowUpSpec
from vmadesk.domain.instants import as_utc
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.domain.vocabulary import DueState

_P = PayerProgram
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ProgramClock:
    """A payer program's response windows and appeal window, in calendar time.

    Raises:
        ValueError: A window that is not positive.
    """

    standard: timedelta
    expedited: timedelta
    appeal_window: timedelta

    def __post_init__(self) -> None:
        for name in ("standard", "expedited", "appeal_window"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive")

    def window(self, urgency: PaUrgency) -> timedelta:
        """The payer's response window for ``urgency``."""
        return self.expedited if PaUrgency(urgency) is PaUrgency.EXPEDITED else self.standard


_CMS_RULE = ProgramClock(timedelta(days=7), timedelta(hours=72), timedelta(days=60))
_ERISA = ProgramClock(timedelta(days=15), timedelta(hours=72), timedelta(days=180))

#: The shipped windows per program (module docstring gives the sources).
DEFAULT_PROGRAM_CLOCKS: dict[PayerProgram, ProgramClock] = {
    _P.MEDICARE_ADVANTAGE: ProgramClock(timedelta(days=7), timedelta(hours=72), timedelta(days=65)),
    _P.MEDICAID: _CMS_RULE,
    _P.CHIP: _CMS_RULE,
    _P.EXCHANGE: _ERISA,
    _P.COMMERCIAL: _ERISA,
    _P.OTHER: _ERISA,
}


@dataclass(frozen=True)
class PracticeSla:
    """The practice's own clock for submitting a request, in business time.

    Attributes:
        standard_lead: Open time before the date of service a standard request is due by.
            Default 90 h (ten 9-hour days, two calendar weeks): room for a 7-day payer
            window and one round of "more information".
        expedited_lead: The same for an expedited request. Default 9 h (one business day).
        without_date: For a request with no date of service: open time after the item was
            created. Default 18 h (two business days).
        due_soon: How long before the due time the item turns "due soon". Default 9 h.
        appeal_lead: Open time before the appeal deadline the appeal is due by. Default 18 h.
    """

    standard_lead: timedelta = timedelta(hours=90)
    expedited_lead: timedelta = timedelta(hours=9)
    without_date: timedelta = timedelta(hours=18)
    due_soon: timedelta = timedelta(hours=9)
    appeal_lead: timedelta = timedelta(hours=18)

    def __post_init__(self) -> None:
        for name in ("standard_lead", "expedited_lead", "without_date", "due_soon", "appeal_lead"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class ReauthPolicy:
    """When an approval needs a re-authorization.

    Attributes:
        days_before: Calendar days before ``valid_to`` the re-authorization is due. Default 14.
        units_share: Share of the approved units used that makes it due at once. Default 0.8.
    """

    days_before: int = 14
    units_share: float = 0.8

    def __post_init__(self) -> None:
        if isinstance(self.days_before, bool) or self.days_before < 0:
            raise ValueError("days_before must not be negative")
        if not 0 < self.units_share <= 1:
            raise ValueError("units_share must be above 0 and at most 1")


@dataclass(frozen=True)
class PaClockPolicy:
    """Everything that times a PA item: per-program payer windows, practice SLA, re-auth.

    Raises:
        ValueError: A program without a clock.
    """

    programs: Mapping[PayerProgram, ProgramClock] = field(
        default_factory=lambda: dict(DEFAULT_PROGRAM_CLOCKS), hash=False
    )
    practice: PracticeSla = PracticeSla()
    reauth: ReauthPolicy = ReauthPolicy()

    def __post_init__(self) -> None:
        programs = {PayerProgram(p): c for p, c in self.programs.items()}
        if missing := [p.value for p in PayerProgram if p not in programs]:
            raise ValueError(f"no payer clock for: {', '.join(missing)}")
        object.__setattr__(self, "programs", programs)

    def with_program(self, program: PayerProgram, clock: ProgramClock) -> PaClockPolicy:
        """A copy with ``program``'s windows replaced (a practice's own configuration)."""
        return PaClockPolicy(
            {**self.programs, PayerProgram(program): clock}, self.practice, self.reauth
        )

    def clock(self, program: PayerProgram) -> ProgramClock:
        """The windows of ``program``."""
        return self.programs[PayerProgram(program)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings: durations in whole minutes (no PHI)."""

        def minutes(delta: timedelta) -> int:
            return int(delta.total_seconds() // 60)

        return {
            "programs": {
                p.value: {
                    k: minutes(getattr(c, k)) for k in ("standard", "expedited", "appeal_window")
                }
                for p, c in self.programs.items()
            },
            "practice": {
                k: minutes(getattr(self.practice, k)) for k in PracticeSla.__dataclass_fields__
            },
            "reauth": {
                "days_before": self.reauth.days_before,
                "units_share": self.reauth.units_share,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PaClockPolicy:
        """Build from :meth:`to_dict`'s output; absent parts take the defaults.

        Raises:
            ValueError: A malformed or unknown entry.
        """
        try:
            programs = dict(DEFAULT_PROGRAM_CLOCKS)
            for code, windows in data.get("programs", {}).items():
                programs[PayerProgram(code)] = ProgramClock(
                    **{k: timedelta(minutes=int(v)) for k, v in windows.items()}
                )
            practice = PracticeSla(
                **{k: timedelta(minutes=int(v)) for k, v in data.get("practice", {}).items()}
            )
            reauth = ReauthPolicy(**data.get("reauth", {}))
        except (TypeError, AttributeError) as exc:
            raise ValueError(
                f"malformed prior authorization policy ({type(exc).__name__})"
            ) from None
        return cls(programs, practice, reauth)


# -- the payer's clock (calendar time) --------------------------------------------------


@dataclass(frozen=True)
class PayerClock:
    """Where the payer stands against its response window at one moment.

    Attributes:
        due_at: When the payer's answer is due (UTC).
        remaining: Time left (zero once due).
        late_by: How far past due the payer is, or None while within the window.
    """

    due_at: datetime
    remaining: timedelta
    late_by: timedelta | None

    @property
    def is_late(self) -> bool:
        """Whether the payer is past its window."""
        return self.late_by is not None


def payer_due(
    submitted_at: datetime, program: PayerProgram, urgency: PaUrgency, policy: PaClockPolicy
) -> datetime:
    """When the payer must answer: submission plus the program's window, in calendar time."""
    return as_utc(submitted_at, "submitted_at") + policy.clock(program).window(urgency)


def payer_clock(
    submitted_at: datetime,
    program: PayerProgram,
    urgency: PaUrgency,
    now: datetime,
    policy: PaClockPolicy,
) -> PayerClock:
    """The payer's clock at ``now`` (calendar time; weekends and holidays count)."""
    due = payer_due(submitted_at, program, urgency, policy)
    now_utc = as_utc(now, "now")
    if now_utc > due:
        return PayerClock(due, timedelta(0), now_utc - due)
    return PayerClock(due, due - now_utc, None)


# -- the practice's clock (business time) -----------------------------------------------


def subtract_business_time(hours: BusinessHours, end: datetime, delta: timedelta) -> datetime:
    """The instant from which ``delta`` of open time ends at ``end`` (counting backward).

    A result that uses up an interval's first minute is that interval's opening.

    Raises:
        ValueError: If ``end`` is naive or ``delta`` is negative.
    """
    end_utc = as_utc(end, "end")
    if delta < timedelta(0):
        raise ValueError("delta must not be negative")
    remaining = delta
    day = end_utc.astimezone(hours.zone).date()
    while True:
        for opens, closes in reversed(_open_intervals(hours, day)):
            if opens >= end_utc:
                continue
            stop = min(closes, end_utc)
            if remaining <= stop - opens:
                return stop - remaining
            remaining -= stop - opens
        day -= _DAY


def _open_intervals(hours: BusinessHours, day: date) -> list[tuple[datetime, datetime]]:
    """Open intervals of local ``day`` as UTC instants (none on a holiday)."""
    if day in hours.holidays:
        return []
    zone = hours.zone
    return [
        (
            datetime.combine(day, opens, tzinfo=zone).astimezone(UTC),
            datetime.combine(day, closes, tzinfo=zone).astimezone(UTC),
        )
        for opens, closes in hours.weekly.get(day.weekday(), ())
    ]


def practice_due(
    fields: PriorAuthFields, created_at: datetime, hours: BusinessHours, policy: PaClockPolicy
) -> datetime:
    """When the practice wants the request submitted (business time).

    With a date of service: the lead time of open hours before that day begins in the
    practice's zone. Without one: the ``without_date`` open time after ``created_at``.
    """
    sla = policy.practice
    if fields.service_from is None:
        return hours.add_business_time(created_at, sla.without_date)
    lead = sla.expedited_lead if fields.urgency is PaUrgency.EXPEDITED else sla.standard_lead
    day_starts = datetime.combine(fields.service_from, time(0), tzinfo=hours.zone)
    return subtract_business_time(hours, day_starts, lead)


def practice_state(
    due_at: datetime, now: datetime, hours: BusinessHours, policy: PaClockPolicy
) -> DueState:
    """On track, due soon (within ``due_soon`` of open time) or overdue, at ``now``."""
    now_utc, due_utc = as_utc(now, "now"), as_utc(due_at, "due_at")
    if now_utc >= due_utc:
        return DueState.OVERDUE
    if hours.business_time_between(now_utc, due_utc) <= policy.practice.due_soon:
        return DueState.DUE_SOON
    return DueState.ON_TRACK


# -- re-authorization and appeal --------------------------------------------------------


def reauth_due(
    fields: PriorAuthFields, hours: BusinessHours, policy: PaClockPolicy, now: datetime
) -> datetime | None:
    """When an approval needs a re-authorization, or None when nothing calls for one.

    Due at the practice's first open moment of the day ``days_before`` ahead of
    ``valid_to``, or at ``now`` (the next open moment) once the units used reach the
    threshold share of the units approved, whichever comes first.
    """
    candidates: list[datetime] = []
    if fields.valid_to is not None:
        day = fields.valid_to - timedelta(days=policy.reauth.days_before)
        candidates.append(hours.next_open(datetime.combine(day, time(0), tzinfo=hours.zone)))
    granted = fields.units_granted
    if granted and fields.units_used >= granted * policy.reauth.units_share:
        candidates.append(hours.next_open(now))
    return min(candidates) if candidates else None


def appeal_deadline(denied_at: datetime, program: PayerProgram, policy: PaClockPolicy) -> datetime:
    """The payer's last moment to receive an appeal: the program's window after the denial."""
    return as_utc(denied_at, "denied_at") + policy.clock(program).appeal_window


def record_denial(
    fields: PriorAuthFields, reason: str, denied_at: datetime, policy: PaClockPolicy
) -> PriorAuthFields:
    """The fields of a denial: the payer's reason code and the appeal deadline.

    The deadline is the payer's own when the fields have one, else the program's appeal
    window counted from ``denied_at``.

    Raises:
        ValueError: A malformed reason code (named, never quoted).
    """
    deadline = fields.appeal_deadline or appeal_deadline(denied_at, fields.program, policy)
    return replace(fields, denial_reason=reason, appeal_deadline=deadline)


def appeal_due(deadline: datetime, hours: BusinessHours, policy: PaClockPolicy) -> datetime:
    """When the VMA should have the appeal out: ``appeal_lead`` of open time before the deadline."""
    return subtract_business_time(hours, deadline, policy.practice.appeal_lead)


# -- follow-ups --------------------------------------------------------------------------


def follow_ups(
    state: PaState,
    fields: PriorAuthFields,
    now: datetime,
    hours: BusinessHours,
    policy: PaClockPolicy,
) -> tuple[FollowUpSpec, ...]:
    """The follow-up items a PA item in ``state`` calls for at ``now``.

    - with the payer (submitted, pended, appeal submitted) past its window: "payer late",
      due now (at the next open moment);
    - approved or partially approved: the re-authorization, due per :func:`reauth_due`;
    - denied with an appeal deadline still ahead: the appeal, due per :func:`appeal_due`.
    """
    state = PaState(state)
    out: list[FollowUpSpec] = []
    if state.waits_on_payer and fields.submitted_at is not None:
        clock = payer_clock(fields.submitted_at, fields.program, fields.urgency, now, policy)
        if clock.is_late:
            key = f"payer_late:{state.value}:{clock.due_at.isoformat()}"
            out.append(FollowUpSpec(FollowUpKind.PAYER_LATE, hours.next_open(now), key))
    if state in (PaState.APPROVED, PaState.PARTIALLY_APPROVED):
        due = reauth_due(fields, hours, policy, now)
        if due is not None:
            key = f"reauth:{fields.auth_number or ''}:{fields.valid_to or ''}"
            out.append(FollowUpSpec(FollowUpKind.REAUTHORIZATION, due, key))
    deadline = fields.appeal_deadline
    if state is PaState.DENIED and deadline is not None and as_utc(now, "now") < deadline:
        due = appeal_due(deadline, hours, policy)
        out.append(FollowUpSpec(FollowUpKind.APPEAL, due, f"appeal:{deadline.isoformat()}"))
    return tuple(out)


def late_by_words(late_by: timedelta) -> str:
    """A payer's lateness in words: ``"2 days 5 hours"``, ``"40 minutes"``."""
    minutes = int(late_by.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hrs, mins = divmod(rest, 60)
    parts = [(days, "day"), (hrs, "hour")] if days else [(hrs, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "less than a minute"
