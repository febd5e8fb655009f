"""The prior-authorization lane's form: its fields and both clocks in the detail pane.

The practice's clock (business hours) is the item's own due time, shown by the common parts;
the lines here add the state in words, the request's fields and the payer's clock (calendar
time). Moves are recorded through the lane-state dialog (digit keys, a denial asks for the
reason code and offers appeal or close).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vmadesk.domain.lane_fields_codec import prior_auth_from_json
from vmadesk.domain.payer_programs import PaUrgency
from vmadesk.domain.prior_auth_rules import PaState
from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.lane_forms.clock_words import at_words, payer_clock_line
from vmadesk.ui.lane_forms.form import LaneForm


def _lines(item: Any, zone: str, now: datetime) -> list[str]:
    lines = []
    if item.lane_state:
        lines.append(f"State: {PaState(item.lane_state).label}")
    try:
        pa = prior_auth_from_json(item.lane_fields_json)
    except ValueError:
        return [*lines, "Request details could not be read"]
    urgency = "Expedited" if pa.urgency is PaUrgency.EXPEDITED else "Standard"
    lines.append(f"{pa.program.label}{f' — {pa.payer}' if pa.payer else ''}, {urgency.lower()}")
    services = ", ".join(f"{s.code} × {s.units}" for s in pa.services)
    lines.append(f"Services: {services}")
    if pa.diagnoses:
        lines.append(f"Diagnoses: {', '.join(pa.diagnoses)}")
    if pa.service_from:
        lines.append(f"Date of service from {pa.service_from:%d %b %Y}")
    lines.append(f"Practice's clock (business hours): submit by {at_words(item.due_at, zone)}")
    if payer := payer_clock_line(pa, zone, now):
        lines.append(payer)
    if pa.auth_number:
        left = pa.units_left
        lines.append(
            f"Authorization {pa.auth_number}"
            + (f", valid to {pa.valid_to:%d %b %Y}" if pa.valid_to else "")
            + (f", {left} units left" if left is not None else "")
        )
    if pa.denial_reason:
        lines.append(f"Denial reason code: {pa.denial_reason}")
    if pa.appeal_deadline:
        lines.append(f"Appeal deadline: {at_words(pa.appeal_deadline, zone)}")
    return lines


FORM = LaneForm(lane=Lane.PRIOR_AUTH, detail_lines=_lines)
