"""Escalations raised on items, with their lifecycle (raised -> acknowledged -> resolved)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import to_db


@dataclass(frozen=True)
class EscalationRow:
    """One escalation (the SBAR texts are PHI)."""

    id: int
    item_id: int
    raised_at: str
    category: str
    urgency: str
    situation: str
    background: str
    assessment: str
    request: str
    state: str
    acknowledged_at: str | None
    resolved_at: str | None
    resolution_code: str | None
    resolution_note: str | None
    author: str


_COLS = (
    "id, item_id, raised_at, category, urgency, situation, background, assessment, request,"
    " state, acknowledged_at, resolved_at, resolution_code, resolution_note, author"
)


def insert(conn: Connection, values: dict[str, Any]) -> int:
    """Raise one escalation."""
    cols = sorted(values)
    cur = conn.execute(
        f"INSERT INTO escalations ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [values[c] for c in cols],
    )
    return int(cur.lastrowid)


def get(conn: Connection, escalation_id: int) -> EscalationRow:
    """One escalation (KeyError if absent)."""
    row = conn.execute(f"SELECT {_COLS} FROM escalations WHERE id = ?", (escalation_id,)).fetchone()
    if row is None:
        raise KeyError(escalation_id)
    return EscalationRow(*row)


def for_item(conn: Connection, item_id: int) -> list[EscalationRow]:
    """An item's escalations, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM escalations WHERE item_id = ? ORDER BY raised_at, id", (item_id,)
    ).fetchall()
    return [EscalationRow(*r) for r in rows]


def listing(
    conn: Connection, *, open_only: bool = True, owner: str | None = None
) -> list[EscalationRow]:
    """Escalations, most urgent first, then oldest first.

    ``owner``: only those on items this VMA holds (an item handed off takes its escalations
    along to the receiver).
    """
    clauses = ["state != 'resolved'"] if open_only else []
    params: list[str] = []
    if owner is not None:
        clauses.append("item_id IN (SELECT id FROM items WHERE owner = ?)")
        params.append(owner)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"SELECT {_COLS} FROM escalations {where} ORDER BY state = 'resolved',"
        " CASE urgency WHEN 'immediate' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, raised_at, id",
        params,
    ).fetchall()
    return [EscalationRow(*r) for r in rows]


def set_state(
    conn: Connection,
    escalation_id: int,
    state: str,
    at: datetime,
    *,
    resolution_code: str | None = None,
    resolution_note: str | None = None,
) -> None:
    """Move an escalation along its lifecycle."""
    stamp = to_db(at)
    if state == "acknowledged":
        conn.execute(
            "UPDATE escalations SET state = ?, acknowledged_at = ? WHERE id = ?",
            (state, stamp, escalation_id),
        )
    else:
        conn.execute(
            "UPDATE escalations SET state = ?, resolved_at = ?, resolution_code = ?,"
            " resolution_note = ?, acknowledged_at = coalesce(acknowledged_at, ?) WHERE id = ?",
            (state, stamp, resolution_code, resolution_note, stamp, escalation_id),
        )


def latest_states(conn: Connection, item_ids: Iterable[int]) -> dict[int, str]:
    """The state of each item's most recent escalation (for badges in item lists).

    The ids go in as one JSON array, so one statement serves any number of them: a ``?`` per
    id made a new prepared statement for each count (the connection keeps up to 128, ~1.6 MB
    each at 10,000 ids: End shift grew the console by megabytes each time it opened) and failed
    beyond SQLite's 32,766 variables.
    """
    ids = [int(i) for i in item_ids]
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT item_id, state FROM escalations"
        " WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY raised_at, id",
        (json.dumps(ids),),
    ).fetchall()
    return {int(item_id): state for item_id, state in rows}
