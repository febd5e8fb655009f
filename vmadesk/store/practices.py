"""Practices and their lane policies (name, zone and hours are not PHI)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vmadesk.domain.vocabulary import Lane
from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import to_db


@dataclass(frozen=True)
class PracticeRow:
    """One practice the VMA serves."""

    id: int
    code: str
    name: str
    timezone: str
    region: str
    hours: dict[str, Any]


@dataclass(frozen=True)
class LanePolicyRow:
    """A practice's policy and SOP texts for one lane."""

    practice_id: int
    lane: Lane
    policy: dict[str, Any]
    sop_text: str
    red_flag_text: str


def insert_practice(
    conn: Connection,
    *,
    code: str,
    name: str,
    timezone: str,
    region: str,
    hours: dict[str, Any],
) -> int:
    """Add a practice; returns its id."""
    cur = conn.execute(
        "INSERT INTO practices (code, name, timezone, region, hours_json, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (code, name, timezone, region, json.dumps(hours), to_db(datetime.now(UTC))),
    )
    return int(cur.lastrowid)


def update_practice(
    conn: Connection,
    practice_id: int,
    *,
    name: str,
    timezone: str,
    region: str,
    hours: dict[str, Any],
) -> None:
    """Change a practice's settings."""
    conn.execute(
        "UPDATE practices SET name = ?, timezone = ?, region = ?, hours_json = ? WHERE id = ?",
        (name, timezone, region, json.dumps(hours), practice_id),
    )


def _practice(row: tuple[Any, ...]) -> PracticeRow:
    return PracticeRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))


_PRACTICE_COLS = "id, code, name, timezone, region, hours_json"


def list_practices(conn: Connection) -> list[PracticeRow]:
    """All practices, by name."""
    rows = conn.execute(f"SELECT {_PRACTICE_COLS} FROM practices ORDER BY name, id").fetchall()
    return [_practice(r) for r in rows]


def get_practice(conn: Connection, practice_id: int) -> PracticeRow:
    """One practice by id (KeyError if absent)."""
    row = conn.execute(
        f"SELECT {_PRACTICE_COLS} FROM practices WHERE id = ?", (practice_id,)
    ).fetchone()
    if row is None:
        raise KeyError(practice_id)
    return _practice(row)


def find_practice(conn: Connection, code: str) -> PracticeRow | None:
    """A practice by its short code."""
    row = conn.execute(f"SELECT {_PRACTICE_COLS} FROM practices WHERE code = ?", (code,)).fetchone()
    return _practice(row) if row else None


def put_lane_policy(
    conn: Connection,
    practice_id: int,
    lane: Lane,
    policy: dict[str, Any],
    *,
    sop_text: str = "",
    red_flag_text: str = "",
) -> None:
    """Insert or replace a practice's lane policy."""
    conn.execute(
        "INSERT INTO lane_policies (practice_id, lane, policy_json, sop_text, red_flag_text)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (practice_id, lane) DO UPDATE SET"
        " policy_json = excluded.policy_json, sop_text = excluded.sop_text,"
        " red_flag_text = excluded.red_flag_text",
        (practice_id, lane.value, json.dumps(policy), sop_text, red_flag_text),
    )


def lane_policies(conn: Connection, practice_id: int) -> dict[Lane, LanePolicyRow]:
    """A practice's lane policies by lane."""
    rows = conn.execute(
        "SELECT practice_id, lane, policy_json, sop_text, red_flag_text FROM lane_policies"
        " WHERE practice_id = ?",
        (practice_id,),
    ).fetchall()
    return {Lane(r[1]): LanePolicyRow(r[0], Lane(r[1]), json.loads(r[2]), r[3], r[4]) for r in rows}
