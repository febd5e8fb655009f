"""What one item carries inside a sealed handoff packet, and how the receiver stores it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.services.practice_setup import add_practice
from vmadesk.store import escalations, history, practices
from vmadesk.store.connection import Connection
from vmadesk.store.escalations import EscalationRow
from vmadesk.store.items import ITEM_COLUMNS, ItemRow
from vmadesk.store.timestamps import to_db

#: Item columns that travel; ids, owner and local bookkeeping do not.
_CARRIED = tuple(
    c
    for c in ITEM_COLUMNS
    if c not in {"id", "practice_id", "owner", "handoff_id", "created_at", "updated_at"}
)


def item_payload(conn: Connection, item: ItemRow, note: HandoffNote, index: int) -> dict[str, Any]:
    """The sealed content for one item: data, history, escalations, practice, I-PASS note.

    Escalations travel with their SBAR texts: the receiver inherits whatever is still open
    (a clinical concern the supervisor has not answered yet must not fall between two VMAs).
    """
    practice = practices.get_practice(conn, item.practice_id)
    return {
        "index": index,
        "item": {c: getattr(item, c) for c in _CARRIED},
        "practice": {
            "code": practice.code,
            "name": practice.name,
            "timezone": practice.timezone,
            "region": practice.region,
            "hours": practice.hours,
        },
        "attempts": [
            {"at": a.at, "outcome": a.outcome, "note": a.note}
            for a in history.attempts_for(conn, item.id)
        ],
        "notes": [
            {"at": n.at, "kind": n.kind, "text": n.text, "author": n.author}
            for n in history.notes_for(conn, item.id)
        ],
        "escalations": [escalation_payload(e) for e in escalations.for_item(conn, item.id)],
        "note": note.to_dict(),
    }


def escalation_payload(escalation: EscalationRow) -> dict[str, Any]:
    """One escalation as a packet carries it (and as the handoff report prints it)."""
    return {
        "raised_at": escalation.raised_at,
        "category": escalation.category,
        "urgency": escalation.urgency,
        "state": escalation.state,
        "situation": escalation.situation,
        "background": escalation.background,
        "assessment": escalation.assessment,
        "request": escalation.request,
        "resolution_code": escalation.resolution_code,
    }


def receiver_practice(conn: Connection, practice: dict[str, Any]) -> int:
    """The receiver's id for the packet's practice, created with defaults if unknown."""
    found = practices.find_practice(conn, practice["code"])
    if found is not None:
        return found.id
    hours = (
        BusinessHours.from_dict(practice["hours"])
        if practice.get("hours")
        else BusinessHours.default(practice["timezone"])
    )
    return add_practice(
        conn,
        code=practice["code"],
        name=practice["name"],
        hours=hours,
        region=practice.get("region", "US"),
    )


def payload_columns(
    payload: dict[str, Any], *, practice_id: int, owner: str, now: datetime
) -> dict[str, Any]:
    """Item columns for the receiver's copy (due times kept: the SLA does not restart)."""
    values = {c: payload["item"][c] for c in _CARRIED if c in payload["item"]}
    values.update(
        practice_id=practice_id,
        owner=owner,
        handoff_id=None,
        created_at=to_db(now),
        updated_at=to_db(now),
    )
    return values


def open_escalations_first(escalated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A packet item's escalations, open ones first, each group most urgent then oldest."""
    rank = {"immediate": 0, "urgent": 1}
    return sorted(
        escalated,
        key=lambda e: (
            e.get("state") == "resolved",
            rank.get(e.get("urgency", ""), 2),
            e.get("raised_at", ""),
        ),
    )


def history_lines(payload: dict[str, Any]) -> list[str]:
    """The sender's history of the item as lines for review before acknowledging."""
    lines = [
        f"{a['at'][:16]} attempt: {a['outcome']} {a['note']}".rstrip()
        for a in payload.get("attempts", [])
    ]
    lines += [f"{n['at'][:16]} {n['kind']}: {n['text']}" for n in payload.get("notes", [])]
    return sorted(lines)
