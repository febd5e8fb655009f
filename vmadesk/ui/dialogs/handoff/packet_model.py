"""What a received packet shows: its items in a table and the selected item's review text.

The rows hold PHI (the packet's patient names); the
:class:`~vmadesk.ui.dialogs.handoff.review.ReviewPacketDialog` drops them however it closes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import EscalationCategory, HandoffItemState, Lane, code_label
from vmadesk.services.handoff_payload import history_lines, open_escalations_first
from vmadesk.services.views import HandoffItemRow
from vmadesk.ui.dialogs.handoff.report import escalations_html, subject_text
from vmadesk.ui.models.row_table import ACCESSIBLE, DISPLAY, RowTableModel

_STATE_WORDS = {
    HandoffItemState.PENDING: "To decide",
    HandoffItemState.ACKNOWLEDGED: "Acknowledged",
    HandoffItemState.DECLINED: "Declined",
}


def _due_text(payload: dict[str, Any]) -> str:
    """When the item is due, in the practice's time (words, no ISO stamp)."""
    due = payload.get("item", {}).get("due_at")
    if not due:
        return ""
    tz = payload.get("practice", {}).get("timezone", "UTC")
    try:
        return datetime.fromisoformat(due).astimezone(load_zone(tz)).strftime("%a %d %b %H:%M %Z")
    except (ValueError, TypeError):
        return ""


def _escalation_flag(payload: dict[str, Any]) -> str:
    """The Escalation cell: the most urgent open escalation, or nothing."""
    open_ = [
        e
        for e in open_escalations_first(payload.get("escalations", []))
        if e.get("state") != "resolved"
    ]
    if not open_:
        return ""
    more = f" +{len(open_) - 1}" if len(open_) > 1 else ""
    top = open_[0]
    try:
        category = EscalationCategory(top.get("category", "")).label
    except ValueError:
        category = code_label(str(top.get("category", "")))
    return f"⚑ {category} · {top.get('urgency', '')}{more}"


class PacketItemsModel(RowTableModel[HandoffItemRow]):
    """The items of a received packet with their state (set_rows after each decision)."""

    HEADERS = ("#", "Lane", "Patient", "Due", "Escalation", "Priority", "State")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role not in (DISPLAY, ACCESSIBLE):
            return None
        row = self.rows[index.row()]
        payload = row.payload
        item = payload.get("item", {})
        col = index.column()
        if col == 0:
            return str(index.row() + 1)
        if col == 1:
            return Lane(row.lane).label
        if col == 2:
            family, given = item.get("patient_family", ""), item.get("patient_given", "")
            return f"{family}, {given}" if given else family
        if col == 3:
            return _due_text(payload)
        if col == 4:
            return _escalation_flag(payload)
        if col == 5:
            return str(payload.get("note", {}).get("priority", "")).capitalize()
        if col == 6:
            return _STATE_WORDS.get(HandoffItemState(row.state), row.state)
        return None


def review_html(payload: dict[str, Any], sender: str) -> str:
    """The selected item as the receiver reviews it: patient, note, escalations, history."""
    import html as _html

    e = _html.escape
    note = HandoffNote.from_dict(payload["note"])
    item = payload.get("item", {})
    practice = payload.get("practice", {})
    tz = practice.get("timezone", "UTC")
    actions = "".join(
        f"<li>{e(s.text)}"
        + (
            f" — by {e(s.due.astimezone(load_zone(tz)).strftime('%Y-%m-%d %H:%M %Z'))}"
            if s.due
            else ""
        )
        + "</li>"
        for s in note.actions
    )
    history = "".join(f"<li>{e(line)}</li>" for line in history_lines(payload, tz))
    family, given = item.get("patient_family", ""), item.get("patient_given", "")
    return "\n".join(
        [
            f"<h3>{e(family)}, {e(given)} — {e(Lane(item.get('lane', 'callback')).label)}</h3>",
            f"<p>{e(practice.get('name', ''))} · phone {e(item.get('phone') or '-')}</p>",
            f"<p><b>Subject</b>: {e(subject_text(item, tz))}</p>",
            escalations_html(payload.get("escalations", [])),
            f"<p><b>From {e(sender)}</b> · priority <b>{e(note.priority.value)}</b>"
            f" · due {e(_due_text(payload) or '-')}</p>",
            f"<p><b>Summary</b>: {e(note.summary)}</p>",
            f"<p><b>Actions</b></p><ul>{actions or '<li>none listed</li>'}</ul>",
            f"<p><b>If / then</b>: {e(note.contingency or '-')}</p>",
            f"<p><b>History</b> (why this call again)</p>"
            f"<ul>{history or '<li>no calls or notes yet</li>'}</ul>",
        ]
    )
