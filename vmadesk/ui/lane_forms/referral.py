"""The referral lane's form: direction, recipient, state and its due times in the detail pane."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vmadesk.domain.lane_fields_codec import referral_from_json
from vmadesk.domain.referral_rules import ReferralDirection, state_of
from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.lane_forms.clock_words import at_words, schedule_clock_line
from vmadesk.ui.lane_forms.form import LaneForm


def _lines(item: Any, zone: str, now: datetime) -> list[str]:
    try:
        ref = referral_from_json(item.lane_fields_json)
    except ValueError:
        return ["Referral details could not be read"]
    lines = [f"{ref.direction.label}, {ref.urgency.label.lower()}"]
    if item.lane_state:
        lines.append(f"State: {state_of(ref.direction, item.lane_state).label}")
    if ref.direction is ReferralDirection.OUTGOING:
        to = ref.referred_to_practitioner or ref.referred_to_organization
        lines.append(f"Referred to: {to}")
    elif ref.referred_by:
        lines.append(f"Referred by: {ref.referred_by}")
    if ref.specialty:
        lines.append(f"Specialty: {ref.specialty}")
    lines.append(f"Next step due (practice): {at_words(item.due_at, zone)}")
    if ref.direction is ReferralDirection.OUTGOING and ref.appointment_at is None:
        lines.append(schedule_clock_line(ref, zone, now))
    if ref.appointment_at:
        lines.append(f"Visit: {at_words(ref.appointment_at, zone)}")
    if ref.report_received_on:
        lines.append(f"Consult report received {ref.report_received_on:%d %b %Y}: loop closed")
    return lines


FORM = LaneForm(lane=Lane.REFERRAL, detail_lines=_lines)
