"""Every lane's definition, one module per lane, and the registry the rest of vmadesk reads.

Adding a lane: its :class:`~vmadesk.domain.vocabulary.Lane` member (and outcome codes), one
module here with a ``DEFINITION``, one line in :data:`ALL`, and its form in
``vmadesk.ui.lane_forms`` (README, "How to add a lane").
"""

from __future__ import annotations

from vmadesk.domain.lanes import callback, confirmation, eligibility, prior_auth, referral
from vmadesk.domain.lanes.definition import (
    ClockKind,
    ClockRule,
    DueAnchor,
    DueRule,
    FieldKind,
    FollowUpRule,
    ImportRule,
    LaneDefinition,
    LaneField,
    LaneState,
    StateSet,
    WorkSource,
)
from vmadesk.domain.vocabulary import Lane

#: Every lane's definition, in the order lanes are listed on screen.
ALL: tuple[LaneDefinition, ...] = (
    callback.DEFINITION,
    confirmation.DEFINITION,
    eligibility.DEFINITION,
    prior_auth.DEFINITION,
    referral.DEFINITION,
)

_BY_LANE: dict[Lane, LaneDefinition] = {d.lane: d for d in ALL}


def lane_definition(lane: Lane | str) -> LaneDefinition:
    """The definition of ``lane`` (a :class:`Lane` or its stored code).

    Raises:
        ValueError: If ``lane`` is not a lane code.
        KeyError: If a lane has no definition (a defect: every lane has one).
    """
    return _BY_LANE[Lane(lane)]


def appointment_lanes() -> tuple[Lane, ...]:
    """Lanes whose items an import makes from appointments, in list order."""
    return tuple(d.lane for d in ALL if d.from_appointments)


__all__ = [
    "ALL",
    "ClockKind",
    "ClockRule",
    "DueAnchor",
    "DueRule",
    "FieldKind",
    "FollowUpRule",
    "ImportRule",
    "LaneDefinition",
    "LaneField",
    "LaneState",
    "StateSet",
    "WorkSource",
    "appointment_lanes",
    "lane_definition",
]
