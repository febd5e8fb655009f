"""Words for the prior-authorization and referral lines of the detail pane (both clocks)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from vmadesk.domain.payer_clock import PaClockPolicy, payer_due
from vmadesk.domain.prior_auth_rules import PriorAuthFields
from vmadesk.domain.referral_rules import ReferralFields, ReferralPolicy, schedule_due


def at_words(at: datetime, zone: str) -> str:
    """An instant in the practice's zone, in words (``Mon 9 Mar 2026, 15:00``)."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def payer_clock_line(fields: PriorAuthFields, zone: str) -> str | None:
    """The payer's clock (calendar time) of a submitted request, or None before submission."""
    if fields.submitted_at is None:
        return None
    due = payer_due(fields.submitted_at, fields.program, fields.urgency, PaClockPolicy())
    return f"Payer's clock (calendar time): answer due by {at_words(due, zone)}"


def schedule_clock_line(fields: ReferralFields, zone: str) -> str:
    """When a referral should have a scheduled visit (calendar time from sending)."""
    due = schedule_due(fields, ReferralPolicy())
    return f"Visit to be scheduled by {at_words(due, zone)} (calendar time)"
