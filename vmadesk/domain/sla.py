"""SLA policy per lane: when an item is due, when it turns "due soon", and how holds pause it.

Due times are instants in UTC. A lane's due time hangs off one anchor: the moment a callback
was requested (counted forward in business time), or the start of the appointment the work
prepares (counted backward in wall time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vmadesk.domain import lanes
from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.instants import as_utc
from vmadesk.domain.lanes import DueAnchor
from vmadesk.domain.vocabulary import DueState, Lane

#: The anchor of each lane, from its definition (:mod:`vmadesk.domain.lanes`).
LANE_ANCHORS: dict[Lane, DueAnchor] = {d.lane: d.due.anchor for d in lanes.ALL}

#: Days before the date of service an appointment-anchored lane's items are first created,
#: per lane (absent: no limit); see each lane's ``DueRule.horizon_days``.
_HORIZON_DAYS: dict[Lane, int] = {
    d.lane: d.due.horizon_days for d in lanes.ALL if d.due.horizon_days is not None
}


@dataclass(frozen=True)
class LanePolicy:
    """How a lane's items are timed.

    Attributes:
        lane: The lane this policy governs.
        due_offset: Magnitude of the offset from the lane's anchor (see :class:`DueAnchor`);
            always non-negative, the direction comes from the lane.
        due_soon: How long before the due time an item counts as due soon.
        max_attempts: Unsuccessful contact attempts allowed before proposing fail/escalate.
        attempt_gap: Minimum wait between two contact attempts.
        horizon_days: How many days before the appointment's date of service (in the
            practice's zone) an import first creates this lane's item; an appointment
            further out is skipped and created by a later import once inside. None: no
            limit. Only appointment-anchored lanes have one. Open items are never closed
            for being beyond it.

    Raises:
        ValueError: On a negative offset or window, fewer than one attempt, a non-positive
            gap, a negative horizon or one on a request-anchored lane, or a lane without an
            anchor.
    """

    lane: Lane
    due_offset: timedelta
    due_soon: timedelta
    max_attempts: int = 3
    attempt_gap: timedelta = timedelta(hours=2)
    horizon_days: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lane", Lane(self.lane))
        if self.lane not in LANE_ANCHORS:
            raise ValueError(f"lane {self.lane} has no due anchor")
        if self.due_offset < timedelta(0):
            raise ValueError(f"due_offset must not be negative, got {self.due_offset}")
        if self.due_soon < timedelta(0):
            raise ValueError(f"due_soon must not be negative, got {self.due_soon}")
        if isinstance(self.max_attempts, bool) or self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.attempt_gap <= timedelta(0):
            raise ValueError(f"attempt_gap must be positive, got {self.attempt_gap}")
        if self.horizon_days is not None:
            if isinstance(self.horizon_days, bool) or self.horizon_days < 0:
                raise ValueError(f"horizon_days must not be negative, got {self.horizon_days}")
            if LANE_ANCHORS[self.lane] is not DueAnchor.APPOINTMENT:
                raise ValueError(f"lane {self.lane} has no appointment to count a horizon from")

    @property
    def anchor(self) -> DueAnchor:
        """What this lane's due time is measured from."""
        return LANE_ANCHORS[self.lane]

    @classmethod
    def default(cls, lane: Lane) -> LanePolicy:
        """The shipped policy of ``lane``.

        Callback: 2 business hours after the request, due soon 30 min before.
        Confirmation: 24 h before the appointment, due soon 4 h before.
        Eligibility: 48 h before the appointment, due soon 8 h before; created from 30 days
        before the date of service.
        All: 3 attempts, 2 h apart.
        """
        rule = lanes.lane_definition(lane).due
        return cls(
            lane=Lane(lane),
            due_offset=rule.due_offset,
            due_soon=rule.due_soon,
            horizon_days=_HORIZON_DAYS.get(Lane(lane)),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict; durations as whole seconds."""
        return {
            "lane": self.lane.value,
            "due_offset_seconds": _seconds(self.due_offset),
            "due_soon_seconds": _seconds(self.due_soon),
            "max_attempts": self.max_attempts,
            "attempt_gap_seconds": _seconds(self.attempt_gap),
            "horizon_days": self.horizon_days,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LanePolicy:
        """Build from the output of :meth:`to_dict`.

        A policy stored before horizons existed (no ``horizon_days`` key) gets its lane's
        default horizon; a stored ``null`` means no limit.

        Raises:
            ValueError: If a key is missing or a value is malformed.
        """
        try:
            lane = Lane(data["lane"])
            horizon = data.get("horizon_days", _HORIZON_DAYS.get(lane))
            return cls(
                lane=lane,
                due_offset=timedelta(seconds=int(data["due_offset_seconds"])),
                due_soon=timedelta(seconds=int(data["due_soon_seconds"])),
                max_attempts=int(data["max_attempts"]),
                attempt_gap=timedelta(seconds=int(data["attempt_gap_seconds"])),
                horizon_days=None if horizon is None else int(horizon),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed lane policy: {exc!r}") from exc


def _seconds(delta: timedelta) -> int:
    """Whole seconds of ``delta``; sub-second policy durations have no meaning."""
    return int(delta.total_seconds())


def compute_due(
    policy: LanePolicy,
    hours: BusinessHours,
    *,
    requested_at: datetime | None = None,
    appointment_start: datetime | None = None,
) -> datetime:
    """Return when an item of ``policy.lane`` is due, in UTC.

    Request-anchored lanes (callback) are due ``due_offset`` of *business* time after
    ``requested_at``: a request left at night starts its clock at the next opening.

    Appointment-anchored lanes (confirmation, eligibility) are due ``due_offset`` of *wall*
    time before ``appointment_start`` in the practice's zone (24 h before a 10:00 appointment
    is 10:00 the day before, across a DST change too). If that lands outside business hours
    the due time moves EARLIER, to the previous closing time: the work means calling patients
    or payers, which can only happen in hours, so a deadline of Sunday 10:00 really has to be
    met by Friday's close; moving it later would eat into the margin before the visit.

    Only the anchor the lane needs is read; the other argument is ignored.

    Args:
        policy: The lane's policy.
        hours: The practice's business hours.
        requested_at: When the callback was requested (request-anchored lanes).
        appointment_start: When the appointment starts (appointment-anchored lanes).

    Raises:
        ValueError: If the needed anchor is missing or naive.
    """
    if policy.anchor is DueAnchor.REQUEST:
        if requested_at is None:
            raise ValueError(f"{policy.lane} due time needs requested_at")
        return hours.add_business_time(as_utc(requested_at, "requested_at"), policy.due_offset)
    if appointment_start is None:
        raise ValueError(f"{policy.lane} due time needs appointment_start")
    local_start = as_utc(appointment_start, "appointment_start").astimezone(hours.zone)
    # Aware-datetime arithmetic in one zone is wall-clock arithmetic, which is what we want.
    candidate = as_utc(local_start - policy.due_offset)
    if hours.is_open(candidate):
        return candidate
    return hours.previous_close(candidate)


def due_on_arrival(
    due: datetime, hours: BusinessHours, *, arrived: datetime, appointment_start: datetime
) -> datetime:
    """An appointment item's due time, no earlier than the work could first be done.

    An appointment booked (or exported) after its policy deadline cannot have been worked by
    it: a Sunday-evening export holding a Monday 10:00 visit, whose confirmation was due on
    Friday, would arrive "overdue 2 d" and count as late work nobody could have done. Such an
    item is due when the practice next opens after it arrived (at once if open), and never
    after the appointment itself.

    Args:
        due: The policy's due time (:func:`compute_due`).
        hours: The practice's business hours.
        arrived: When the item was created or its appointment moved.
        appointment_start: The appointment it is about.
    """
    if due >= arrived:
        return due
    return min(hours.next_open(arrived), as_utc(appointment_start, "appointment_start"))


def beyond_horizon(
    policy: LanePolicy, hours: BusinessHours, *, appointment_start: datetime, now: datetime
) -> bool:
    """Whether an appointment is too far ahead for ``policy``'s lane to get its item yet.

    Counted in whole days in the practice's zone: with a 30-day horizon, an appointment on
    1 February gets its item from 2 January on, whatever the hour of either.

    Raises:
        ValueError: If an instant is naive.
    """
    if policy.horizon_days is None:
        return False
    day = as_utc(appointment_start, "appointment_start").astimezone(hours.zone).date()
    today = as_utc(now, "now").astimezone(hours.zone).date()
    return (day - today).days > policy.horizon_days


def due_state(now: datetime, due_at: datetime, *, due_soon: timedelta, on_hold: bool) -> DueState:
    """Return how an open item stands against its due time.

    An item on hold is PAUSED whatever the clock says: its clock is stopped. Otherwise it is
    OVERDUE strictly after ``due_at`` (work finished at the due instant is on time), DUE_SOON
    from ``due_at - due_soon`` on, else ON_TRACK.

    Args:
        now: The current instant.
        due_at: The item's (effective) due instant.
        due_soon: The lane's due-soon window.
        on_hold: Whether the item is on hold.

    Raises:
        ValueError: If an instant is naive or ``due_soon`` is negative.
    """
    now_utc, due_utc = as_utc(now, "now"), as_utc(due_at, "due_at")
    if due_soon < timedelta(0):
        raise ValueError(f"due_soon must not be negative, got {due_soon}")
    if on_hold:
        return DueState.PAUSED
    if now_utc > due_utc:
        return DueState.OVERDUE
    if now_utc >= due_utc - due_soon:
        return DueState.DUE_SOON
    return DueState.ON_TRACK


def held_duration(hold_started: datetime, resumed: datetime) -> timedelta:
    """Return how long one hold lasted.

    Raises:
        ValueError: If an instant is naive or ``resumed`` precedes ``hold_started``.
    """
    start, end = as_utc(hold_started, "hold_started"), as_utc(resumed, "resumed")
    if end < start:
        raise ValueError(f"hold resumed at {end.isoformat()} before it started {start.isoformat()}")
    return end - start


def effective_due(due_at: datetime, held: timedelta) -> datetime:
    """Return the due instant pushed back by the total time spent on hold, in UTC.

    Hold time is elapsed time, not business time: the clock stopped for exactly as long as
    the item waited on someone else, and adding it back restores the same margin.

    Raises:
        ValueError: If ``due_at`` is naive or ``held`` is negative.
    """
    if held < timedelta(0):
        raise ValueError(f"held time must not be negative, got {held}")
    return as_utc(due_at, "due_at") + held


_STATE_RANK: dict[DueState, int] = {
    DueState.OVERDUE: 0,
    DueState.DUE_SOON: 1,
    DueState.ON_TRACK: 1,
    DueState.PAUSED: 2,
}


def urgency_key(
    due_state: DueState, effective_due: datetime, item_id: int | str
) -> tuple[int, datetime, int | str]:
    """Return a sort key; ascending order puts the most urgent item first.

    Overdue items first (the one overdue longest first), then open items by due time (due
    soon and on track share one group: their due times already order them), paused items
    last; equal keys are broken by id so the order is stable across refreshes. Use one kind
    of id (all int or all str) in one sort.

    Raises:
        ValueError: If ``effective_due`` is naive.
    """
    return (_STATE_RANK[DueState(due_state)], as_utc(effective_due, "effective_due"), item_id)
