"""An item's history and status in words: no codes, JSON, ISO stamps or placeholders.

The store keeps codes (``no_answer``, ``in-progress``, ``{"copay": "20"}``); a VMA reads
"No answer", "In progress", "Copay $20.00". Every text the detail pane and the Done today view
show about an item's state or past goes through here.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from vmadesk.domain.vocabulary import (
    CloseReason,
    EscalationCategory,
    HoldReason,
    ItemStatus,
    Outcome,
    ReopenReason,
    code_label,
)
from vmadesk.services.views import EVENT_SEPARATOR, HOLD_ENDED
from vmadesk.services.worklist import ItemDetail

#: Renders a stored instant as the pane shows times ("14:30 practice · 03:30 local").
Dual = Callable[[str | None], str]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

STATUS_WORDS = {
    ItemStatus.REQUESTED: "Not started",
    ItemStatus.IN_PROGRESS: "In progress",
    ItemStatus.ON_HOLD: "On hold",
    ItemStatus.COMPLETED: "Completed",
    ItemStatus.CANCELLED: "Cancelled",
    ItemStatus.FAILED: "Failed",
}

#: What each kind of history entry is called (status changes and notes).
EVENT_WORDS = {
    "note": "Note",
    "hold": "Put on hold",
    "resume": "Resumed",
    "complete": "Completed",
    "fail": "Failed",
    "cancel": "Cancelled",
    "reopen": "Reopened",
    "handoff": "Handoff",
    "claim": "Team hub",
    "import": "Import",
    "outcome": "Outcome",
}

_REASON_WORDS = {HOLD_ENDED: "the hold's time came"}

#: Labels of the details an outcome carries, in the order shown.
DETAIL_WORDS = {
    "plan": "Plan",
    "copay": "Copay",
    "deductible_remaining": "Deductible remaining",
    "reference_number": "Reference",
    "reason": "Reason",
    "date_of_service": "Date of service",
    "callback_at": "Call back at",
    "confirmed_by": "Confirmed by",
}
_AMOUNTS = frozenset({"copay", "deductible_remaining"})
_VALUE_WORDS = {"practice_system": "the practice's system"}


def status_words(status: str) -> str:
    """A status in words: ``in-progress`` reads "In progress"."""
    try:
        return STATUS_WORDS[ItemStatus(status)]
    except ValueError:
        return code_label(status)


def outcome_words(code: str) -> str:
    """An outcome's label ("No answer" for ``no_answer``)."""
    try:
        return Outcome(code).label
    except ValueError:
        return code_label(code)


def reason_words(code: str) -> str:
    """A hold, close or reopen reason in words."""
    if code in _REASON_WORDS:
        return _REASON_WORDS[code]
    for vocabulary in (CloseReason, HoldReason, ReopenReason):
        try:
            vocabulary(code)
        except ValueError:
            continue
        return code_label(code)
    return code_label(code)


def category_words(code: str) -> str:
    """An escalation category's label."""
    try:
        return EscalationCategory(code).label
    except ValueError:
        return code_label(code)


def date_words(iso: str) -> str:
    """``1980-04-12`` as "12 Apr 1980" (the text itself if it is not a date)."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def amount_words(value: object) -> str:
    """A money amount as "$20.00" (the text itself if it is not a number)."""
    text = str(value).strip()
    try:
        number = Decimal(text.replace("$", "").replace(",", ""))
    except InvalidOperation:
        return text
    return f"${number:,.2f}"


def details_words(details: dict[str, Any], dual: Dual) -> str:
    """An outcome's details as "Plan Gold PPO · Copay $20.00 · …" (never JSON)."""
    parts = []
    ordered = [k for k in DETAIL_WORDS if k in details]
    ordered += sorted(k for k in details if k not in DETAIL_WORDS)
    for key in ordered:
        value = details[key]
        if value in (None, ""):
            continue
        if key in _AMOUNTS:
            text = amount_words(value)
        elif key == "date_of_service":
            text = date_words(str(value))
        elif key == "callback_at":
            text = dual(str(value))
        else:
            text = _VALUE_WORDS.get(str(value), str(value))
        parts.append(f"{DETAIL_WORDS.get(key, code_label(key))} {text}")
    return " · ".join(parts)


def event_title(kind: str) -> str:
    """A history note's heading: "Cancelled — duplicate", "Reopened — closed by mistake"."""
    action, _, reason = kind.partition(EVENT_SEPARATOR)
    title = EVENT_WORDS.get(action, code_label(action))
    return f"{title} — {reason_words(reason).lower()}" if reason else title


def history_html(detail: ItemDetail, dual: Dual) -> str:
    """Every attempt, note, status change and escalation of an item, newest first."""
    entries: list[tuple[str, str]] = []
    for a in detail.attempts:
        parts = [f"<b>{html.escape(outcome_words(a.outcome))}</b>"]
        if a.number_dialled:
            parts.append(f"dialled {html.escape(a.number_dialled)}")
        if a.identity_verified:
            parts.append("identity verified")
        if a.details:
            parts.append(html.escape(details_words(a.details, dual)))
        if a.note:
            parts.append(f"“{html.escape(a.note)}”")
        parts.append(f"by {html.escape(a.author)}")
        entries.append((a.at, " · ".join(p for p in parts if p)))
    for n in detail.notes:
        text = f"<b>{html.escape(event_title(n.kind))}</b>"
        if n.text:
            text += f" · “{html.escape(n.text)}”"
        entries.append((n.at, f"{text} · by {html.escape(n.author)}"))
    for e in detail.escalations:
        text = (
            f"<b>Escalation: {html.escape(category_words(e.category))}</b>"
            f" ({html.escape(code_label(e.urgency).lower())}) — {html.escape(code_label(e.state))}"
            f"<br>Situation: {html.escape(e.situation)}"
        )
        for name, value in (
            ("Background", e.background),
            ("Assessment", e.assessment),
            ("Request", e.request),
        ):
            if value:
                text += f"<br>{name}: {html.escape(value)}"
        if e.resolution_code:
            text += f"<br>Resolved: {html.escape(code_label(e.resolution_code).lower())}"
            if e.resolution_note:
                text += f" · “{html.escape(e.resolution_note)}”"
        entries.append((e.raised_at, text))
    if not entries:
        return "<p><i>No attempts, notes or escalations yet.</i></p>"
    entries.sort(key=lambda t: t[0], reverse=True)  # stored stamps sort as text
    return "".join(f"<p><span>{html.escape(dual(at))}</span><br>{body}</p>" for at, body in entries)
