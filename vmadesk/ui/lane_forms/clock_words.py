"""Words for the prior-authorization and referral lines of the detail pane (both clocks)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from vmadesk.domain.payer_clock import PaClockPolicy, late_by_words, payer_due
from vmadesk.domain.prior_auth_rules import PriorAuthFields
from vmadesk.domain.referral_rules import ReferralFields, ReferralPolicy, schedule_due


def at_words(at: datetime, zone: str) -> str:
    """An instant in the practice's zone, in words (``Mon 9 Mar 2026, 15:00``)."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def payer_clock_line(fields: PriorAuthFields, zone: str, now: datetime) -> str | None:
    """The payer's clock (calendar time) of a submitted request, or None before submission."""
    if fields.submitted_at is None:
        return None
    due = payer_due(fields.submitted_at, fields.program, fields.urgency, PaClockPolicy())
    if now > due:
        return (
            f"Payer's clock (calendar time): answer was due by {at_words(due, zone)}, "
            f"the payer is {late_by_words(now - due)} late"
        )
    return f"Payer's clock (calendar time): answer due by {at_words(due, zone)}"


def schedule_clock_line(fields: ReferralFields, zone: str, now: datetime) -> str:
    """When a referral should have a scheduled visit (calendar time from sending)."""
    due = schedule_due(fields, ReferralPolicy())
    if now > due:
        return (
            f"Visit was to be scheduled by {at_words(due, zone)} (calendar time): "
            f"{late_by_words(now - due)} overdue"
        )
    return f"Visit to be scheduled by {at_words(due, zone)} (calendar time)"
