"""Edit a practice's settings: name, time zone, hours, holidays, lane policies, SOP texts.

Practice settings are not PHI but they steer every due time, so they live in the encrypted
store, are validated as a whole before anything is written (bad input changes nothing) and
every save is one transaction with its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Literal

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.instants import load_zone
from vmadesk.domain.sla import LanePolicy
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.due_times import recompute_open_due
from vmadesk.services.practice_setup import load_context
from vmadesk.store import audit, practices
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction

Interval = tuple[time, time]
SOP_MAX_CHARS = 20_000


@dataclass(frozen=True)
class PracticeSettings:
    """Everything the Settings dialog edits for one practice.

    Attributes:
        name: The practice's display name.
        timezone: IANA zone of the practice.
        weekly: Weekday (0 = Monday) to open intervals in local time; missing = closed.
        holidays: Local dates the practice is closed.
        policies: Lane policy per lane.
        sop: SOP text per lane.
        red_flags: Red-flag guidance per lane.
        region: Kept as stored (not edited here).
    """

    name: str
    timezone: str
    weekly: dict[int, tuple[Interval, ...]]
    holidays: frozenset[date] = frozenset()
    policies: dict[Lane, LanePolicy] = field(default_factory=dict)
    sop: dict[Lane, str] = field(default_factory=dict)
    red_flags: dict[Lane, str] = field(default_factory=dict)
    region: str = "US"

    def business_hours(self) -> BusinessHours:
        """The hours as the domain uses them (ValueError naming the field)."""
        try:
            load_zone(self.timezone.strip())
        except ValueError as exc:
            raise ValueError(
                f"Time zone: {exc}; use an IANA name such as America/New_York."
            ) from None
        try:
            return BusinessHours(
                tz=self.timezone.strip(), weekly=self.weekly, holidays=self.holidays
            )
        except ValueError as exc:
            raise ValueError(f"Business hours: {exc}.") from None

    def validate(self) -> BusinessHours:
        """Check every field; raise ValueError whose message starts with the field's name."""
        if not self.name.strip():
            raise ValueError("Name: the practice needs a name.")
        if "\n" in self.name or len(self.name) > 200:
            raise ValueError("Name: one line, at most 200 characters.")
        hours = self.business_hours()
        for lane in Lane:
            if lane not in self.policies:
                raise ValueError(f"{lane.label} policy: missing.")
            if self.policies[lane].lane is not lane:
                raise ValueError(f"{lane.label} policy: belongs to another lane.")
            for label, texts in (("SOP", self.sop), ("Red flags", self.red_flags)):
                if len(texts.get(lane, "")) > SOP_MAX_CHARS:
                    raise ValueError(f"{lane.label} {label}: at most {SOP_MAX_CHARS} characters.")
        return hours


def policy_from_fields(
    lane: Lane,
    *,
    due_offset_hours: float,
    due_soon_minutes: int,
    max_attempts: int,
    attempt_gap_minutes: int,
    horizon_days: int | Literal["default"] | None = "default",
) -> LanePolicy:
    """Build a lane policy from the dialog's numbers (ValueError naming the field).

    Args:
        lane: The lane.
        due_offset_hours: Hours from the lane's anchor to the due time.
        due_soon_minutes: Minutes before the due time an item is due soon.
        max_attempts: Unsuccessful attempts before proposing fail or escalate.
        attempt_gap_minutes: Minimum minutes between attempts.
        horizon_days: Days before the date of service an import creates the lane's item
            (None: no limit); ``"default"``: the lane's shipped horizon (30 days for
            eligibility, none elsewhere), for a form without the field.
    """
    horizon = (
        LanePolicy.default(lane).horizon_days if isinstance(horizon_days, str) else horizon_days
    )
    checks = (
        (due_offset_hours < 0, "due offset must not be negative"),
        (due_soon_minutes < 0, "due-soon minutes must not be negative"),
        (max_attempts < 1, "max attempts must be at least 1"),
        (attempt_gap_minutes < 1, "attempt gap must be at least 1 minute"),
        (horizon is not None and horizon < 0, "horizon must not be negative"),
    )
    for failed, message in checks:
        if failed:
            raise ValueError(f"{lane.label} policy: {message}.")
    try:
        return LanePolicy(
            lane=lane,
            due_offset=timedelta(minutes=round(due_offset_hours * 60)),
            due_soon=timedelta(minutes=due_soon_minutes),
            max_attempts=max_attempts,
            attempt_gap=timedelta(minutes=attempt_gap_minutes),
            horizon_days=horizon,
        )
    except ValueError as exc:
        raise ValueError(f"{lane.label} policy: {exc}.") from None


def load(conn: Connection, practice_id: int) -> PracticeSettings:
    """A practice's current settings (defaults filled in for lanes without a policy)."""
    ctx = load_context(conn, practice_id)
    row = practices.get_practice(conn, practice_id)
    return PracticeSettings(
        name=row.name,
        timezone=ctx.hours.tz,
        weekly=dict(ctx.hours.weekly),
        holidays=frozenset(ctx.hours.holidays),
        policies=dict(ctx.policies),
        sop=dict(ctx.sop),
        red_flags=dict(ctx.red_flags),
        region=row.region,
    )


def save(conn: Connection, practice_id: int, settings: PracticeSettings) -> None:
    """Validate and store a practice's settings in one audited transaction.

    Raises:
        ValueError: A field is invalid (the message names it); nothing was written.
        KeyError: No such practice.
    """
    hours = settings.validate()
    practices.get_practice(conn, practice_id)
    with transaction(conn):
        practices.update_practice(
            conn,
            practice_id,
            name=settings.name.strip(),
            timezone=hours.tz,
            region=settings.region,
            hours=hours.to_dict(),
        )
        for lane in Lane:
            practices.put_lane_policy(
                conn,
                practice_id,
                lane,
                settings.policies[lane].to_dict(),
                sop_text=settings.sop.get(lane, ""),
                red_flag_text=settings.red_flags.get(lane, ""),
            )
        moved = recompute_open_due(conn, practice_id)
        audit.append(
            conn, AuditEvent.SETTINGS_CHANGED, details={"practice": practice_id, "moved": moved}
        )
