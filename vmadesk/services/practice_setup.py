"""Practices as services see them: hours, lane policies and SOP texts, with defaults."""

from __future__ import annotations

from dataclasses import dataclass

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.sla import LanePolicy
from vmadesk.domain.vocabulary import Lane
from vmadesk.store import practices
from vmadesk.store.connection import Connection

DEFAULT_RED_FLAGS = (
    "If the patient reports chest pain, trouble breathing, signs of a stroke (face drooping, "
    "arm weakness, speech difficulty), severe bleeding, or thoughts of harming themselves: "
    "tell them to hang up and call 911 now (988 for a mental-health crisis). Then escalate "
    "as Clinical concern, urgency Immediate. Do not give medical advice."
)


@dataclass(frozen=True)
class PracticeContext:
    """Everything the rules need to know about one practice."""

    id: int
    code: str
    name: str
    hours: BusinessHours
    region: str
    policies: dict[Lane, LanePolicy]
    sop: dict[Lane, str]
    red_flags: dict[Lane, str]

    @property
    def tz(self) -> str:
        """The practice's IANA time zone."""
        return self.hours.tz


def add_practice(
    conn: Connection, *, code: str, name: str, hours: BusinessHours, region: str = "US"
) -> int:
    """Create a practice with the default lane policies and SOP texts (in a transaction)."""
    practice_id = practices.insert_practice(
        conn, code=code, name=name, timezone=hours.tz, region=region, hours=hours.to_dict()
    )
    for lane in Lane:
        practices.put_lane_policy(
            conn,
            practice_id,
            lane,
            LanePolicy.default(lane).to_dict(),
            sop_text=lane_definition(lane).default_sop,
            red_flag_text=DEFAULT_RED_FLAGS,
        )
    return practice_id


def load_context(conn: Connection, practice_id: int) -> PracticeContext:
    """Read a practice with its policies; lanes without a stored policy get the default."""
    row = practices.get_practice(conn, practice_id)
    stored = practices.lane_policies(conn, practice_id)
    policies = {
        lane: LanePolicy.from_dict(stored[lane].policy)
        if lane in stored
        else LanePolicy.default(lane)
        for lane in Lane
    }
    return PracticeContext(
        id=row.id,
        code=row.code,
        name=row.name,
        hours=BusinessHours.from_dict(row.hours)
        if row.hours
        else BusinessHours.default(row.timezone),
        region=row.region,
        policies=policies,
        sop={
            lane: stored[lane].sop_text if lane in stored else lane_definition(lane).default_sop
            for lane in Lane
        },
        red_flags={
            lane: stored[lane].red_flag_text if lane in stored else DEFAULT_RED_FLAGS
            for lane in Lane
        },
    )


def all_contexts(conn: Connection) -> dict[int, PracticeContext]:
    """Every practice's context, by id."""
    return {p.id: load_context(conn, p.id) for p in practices.list_practices(conn)}
