"""Practices as services see them: hours, lane policies and SOP texts, with defaults."""

from __future__ import annotations

from dataclasses import dataclass

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.sla import LanePolicy
from vmadesk.domain.vocabulary import Lane
from vmadesk.store import practices
from vmadesk.store.connection import Connection

DEFAULT_SOP: dict[Lane, str] = {
    Lane.CALLBACK: (
        "Call back within 2 business hours of the request.\n"
        "1. Verify identity with two identifiers (full name and date of birth) before "
        "discussing anything.\n"
        "2. Voicemail: leave your first name, the practice name and the callback number only "
        "- never the reason for the call.\n"
        "3. Clinical questions go to the nurse line: escalate as Clinical concern.\n"
        "4. Three attempts, at least 2 hours apart; then mark failed or escalate."
    ),
    Lane.CONFIRMATION: (
        "Confirm by 24 h before the appointment.\n"
        "1. Verify identity (name + date of birth) before giving appointment details.\n"
        "2. Confirm date, time, provider and location; remind them to bring ID and insurance "
        "card and arrive 15 minutes early.\n"
        "3. Cancel or reschedule requests: record the outcome; the front desk rebooks.\n"
        "4. Voicemail: ask them to call the practice, no appointment details."
    ),
    Lane.ELIGIBILITY: (
        "Verify coverage by 48 h before the visit, for the appointment's date of service.\n"
        "1. Check the payer portal or call the payer; record plan, copay, deductible "
        "remaining and the reference number.\n"
        "2. Inactive coverage or new insurance: call the patient for the new card details.\n"
        "3. Payer portal down: put on hold waiting on payer, retry within 2 hours."
    ),
}

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
            sop_text=DEFAULT_SOP[lane],
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
        sop={lane: stored[lane].sop_text if lane in stored else DEFAULT_SOP[lane] for lane in Lane},
        red_flags={
            lane: stored[lane].red_flag_text if lane in stored else DEFAULT_RED_FLAGS
            for lane in Lane
        },
    )


def all_contexts(conn: Connection) -> dict[int, PracticeContext]:
    """Every practice's context, by id."""
    return {p.id: load_context(conn, p.id) for p in practices.list_practices(conn)}
