"""The supervisor's words for the open work of the prior-authorization and referral lanes.

A board row says where the lane's items stand ("Submitted 3 · Pended 1") and how many are late
and by how much; its tooltip adds the payer programs and urgencies. Codes from the summary in,
words out: the labels of the domain's own vocabulary.
"""

from __future__ import annotations

from datetime import timedelta

from vmadesk import wire
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.payer_clock import late_by_words
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.referral_rules import ReferralUrgency
from vmadesk.domain.vocabulary import Lane


def _state_label(lane: Lane | None, code: str) -> str:
    """The words of a lane state, from the lane's own state sets."""
    if lane is not None:
        for state_set in lane_definition(lane).state_sets:
            for state in state_set.states:
                if state.code == code:
                    return state.words
    return code.replace("_", " ").capitalize()


def _kind_label(code: str) -> str:
    for kind in (PayerProgram, PaUrgency, ReferralUrgency):
        try:
            return kind(code).label
        except ValueError:
            continue
    return code.replace("_", " ").capitalize()


def work_text(lane: Lane | None, work: wire.LaneWork | None) -> str:
    """``"Submitted 3 · Pended 1 · payer late 2 (up to 3 days 4 hours)"``; "" without work."""
    if work is None:
        return ""
    parts = [f"{_state_label(lane, code)} {n}" for code, n in work.by_state.items() if n]
    if work.late:
        who = lane_definition(lane).late_words if lane is not None else "overdue"
        worst = (
            f" (up to {late_by_words(timedelta(seconds=work.late_by_max_s))})"
            if work.late_by_max_s
            else ""
        )
        parts.append(f"{who} {work.late}{worst}")
    return " · ".join(parts)


def work_tooltip(work: wire.LaneWork | None) -> str:
    """Payer programs and urgencies of the open items, one line each."""
    if work is None:
        return ""
    lines = []
    if work.by_program:
        lines.append(
            "Programs: " + ", ".join(f"{_kind_label(c)} {n}" for c, n in work.by_program.items())
        )
    if work.by_urgency:
        lines.append(
            "Urgency: " + ", ".join(f"{_kind_label(c)} {n}" for c, n in work.by_urgency.items())
        )
    if work.late_by_median_s:
        lines.append(f"Late by (median): {late_by_words(timedelta(seconds=work.late_by_median_s))}")
    return "\n".join(lines)
