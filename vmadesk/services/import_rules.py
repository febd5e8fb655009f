"""Which appointments an import turns into which items: statuses, window, horizons.

The planner (:mod:`vmadesk.services.import_plan`) applies these per appointment and lane:

- a closing status (cancelled, no-show, entered in error) closes the lane's open item with
  its reason; any other status that is not active leaves it be;
- confirmation: a new item only within its lane's ``create_window`` (14 days) of now (skipped as
  ``outside_window``); none at all when the export says the patient has already confirmed
  (``confirmed_by_source``, skipped as ``already_confirmed``), and an open confirmation
  item of such an appointment is closed as completed with the ``confirmed`` outcome;
- eligibility: a new item only within the lane policy's horizon, by default from 30 days
  before the date of service (:attr:`~vmadesk.domain.sla.LanePolicy.horizon_days`,
  skipped as ``beyond_eligibility_horizon``), and none when the same coverage was verified
  recently.

Windows and horizons only hold back *new* items, which a later import creates once the visit
is inside. An open item whose appointment moves beyond them stays open and follows the move:
work in hand is not thrown away on a schedule change, and the VMA may close it.
"""

from __future__ import annotations

from datetime import datetime

from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.sla import beyond_horizon
from vmadesk.domain.vocabulary import CloseReason, Lane
from vmadesk.ingest import AppointmentRecord, AppointmentStatus
from vmadesk.services.practice_setup import PracticeContext

#: Appointment statuses that still need work before the visit.
ACTIVE_STATUSES = frozenset(
    {
        AppointmentStatus.BOOKED,
        AppointmentStatus.PENDING,
        AppointmentStatus.PROPOSED,
        AppointmentStatus.ARRIVED,
        AppointmentStatus.CHECKED_IN,
    }
)
#: Appointment statuses that close their open items, with the reason recorded.
CLOSING_STATUSES: dict[AppointmentStatus, CloseReason] = {
    AppointmentStatus.CANCELLED: CloseReason.APPOINTMENT_CANCELLED,
    AppointmentStatus.NOSHOW: CloseReason.APPOINTMENT_NOSHOW,
    AppointmentStatus.ENTERED_IN_ERROR: CloseReason.ENTERED_IN_ERROR,
}
#: The close reasons an import writes (an item closed so comes back when rebooked).
IMPORT_CLOSE_REASONS = frozenset(r.value for r in CLOSING_STATUSES.values())
#: How a report names the closing of a confirmation item the export says is confirmed (a
#: completion, so the item itself has no close reason).
CONFIRMED_BY_SOURCE = "confirmed_by_source"


def held_back(
    ctx: PracticeContext, lane: Lane, record: AppointmentRecord, now: datetime
) -> str | None:
    """Why a new item of ``lane`` would come too early for this appointment, if it would.

    Returns:
        ``outside_window``, ``beyond_<lane>_horizon``, or None to create it.
    """
    window = lane_definition(lane).due.create_window
    if window is not None and record.start > now + window:
        return "outside_window"
    policy = ctx.policies[lane]
    if beyond_horizon(policy, ctx.hours, appointment_start=record.start, now=now):
        return f"beyond_{lane.value}_horizon"
    return None
