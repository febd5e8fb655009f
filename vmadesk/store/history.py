"""Attempts and notes on an item: the history that answers "why am I calling again?"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import to_db


@dataclass(frozen=True)
class AttemptRow:
    """One contact try."""

    id: int
    item_id: int
    at: str
    outcome: str
    number_dialled: str | None
    identity_verified: bool
    note: str
    details: dict[str, Any]
    author: str


@dataclass(frozen=True)
class NoteRow:
    """A note on an item (free text: PHI, stays in the store)."""

    id: int
    item_id: int
    at: str
    kind: str
    text: str
    author: str

    @property
    def action(self) -> str:
        """What the entry records: ``note``, ``hold``, ``resume``, ``cancel``, ``reopen``, ..."""
        return self.kind.partition(EVENT_SEPARATOR)[0]

    @property
    def reason(self) -> str | None:
        """The reason code a status change was given (None for plain notes)."""
        return self.kind.partition(EVENT_SEPARATOR)[2] or None


#: Reason code of a resume the console made because the hold's time came.
HOLD_ENDED = "hold_ended"

#: Between the action and its reason code in a status change's ``kind`` ("cancel:duplicate").
EVENT_SEPARATOR = ":"


def add_attempt(
    conn: Connection,
    item_id: int,
    *,
    at: datetime,
    outcome: str,
    number_dialled: str | None,
    identity_verified: bool,
    note: str,
    details: dict[str, Any] | None,
    author: str,
) -> int:
    """Record one attempt; returns its id."""
    cur = conn.execute(
        "INSERT INTO attempts (item_id, at, outcome, number_dialled, identity_verified, note,"
        " details_json, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            item_id,
            to_db(at),
            outcome,
            number_dialled,
            int(identity_verified),
            note,
            json.dumps(details) if details else None,
            author,
        ),
    )
    return int(cur.lastrowid)


def attempts_for(conn: Connection, item_id: int) -> list[AttemptRow]:
    """An item's attempts, oldest first."""
    rows = conn.execute(
        "SELECT id, item_id, at, outcome, number_dialled, identity_verified, note, details_json,"
        " author FROM attempts WHERE item_id = ? ORDER BY at, id",
        (item_id,),
    ).fetchall()
    return [
        AttemptRow(
            r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], json.loads(r[7]) if r[7] else {}, r[8]
        )
        for r in rows
    ]


def count_outcomes(conn: Connection, item_id: int, outcomes: frozenset[str]) -> int:
    """How many of an item's attempts had one of these outcomes."""
    marks = ",".join("?" for _ in outcomes)
    return int(
        conn.execute(
            f"SELECT count(*) FROM attempts WHERE item_id = ? AND outcome IN ({marks})",
            (item_id, *sorted(outcomes)),
        ).fetchone()[0]
    )


def add_note(
    conn: Connection, item_id: int, *, at: datetime, text: str, author: str, kind: str = "note"
) -> int:
    """Record a note; returns its id."""
    cur = conn.execute(
        "INSERT INTO notes (item_id, at, kind, text, author) VALUES (?, ?, ?, ?, ?)",
        (item_id, to_db(at), kind, text, author),
    )
    return int(cur.lastrowid)


def add_event(
    conn: Connection,
    item_id: int,
    *,
    at: datetime,
    action: str,
    reason: str | None,
    text: str,
    author: str,
) -> int:
    """Record a status change (hold, resume, complete, fail, cancel, reopen) in the history.

    Stored as a note whose kind carries the action and its reason code, so the change travels
    with the item's notes wherever they go (handoff packets, evidence).
    """
    kind = f"{action}{EVENT_SEPARATOR}{reason}" if reason else action
    return add_note(conn, item_id, at=at, text=text, author=author, kind=kind)


def notes_for(conn: Connection, item_id: int) -> list[NoteRow]:
    """An item's notes, oldest first."""
    rows = conn.execute(
        "SELECT id, item_id, at, kind, text, author FROM notes WHERE item_id = ? ORDER BY at, id",
        (item_id,),
    ).fetchall()
    return [NoteRow(*r) for r in rows]
