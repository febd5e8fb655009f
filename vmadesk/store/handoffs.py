"""Handoff packets sent and received, and the state of each item in them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import to_db


@dataclass(frozen=True)
class HandoffRow:
    """One packet, outgoing or incoming."""

    id: int
    direction: str
    packet_id: str
    sender: str
    receiver: str
    created_at: str
    shift_note: str
    state: str


@dataclass(frozen=True)
class HandoffItemRow:
    """One item of a packet with its structured note (and, incoming, its payload)."""

    id: int
    handoff_id: int
    item_id: int | None
    source_system: str
    source_id: str
    lane: str
    payload: dict[str, Any]
    state: str
    ack_action: str | None
    acted_at: str | None


_H = "id, direction, packet_id, sender, receiver, created_at, shift_note, state"
_I = (
    "id, handoff_id, item_id, source_system, source_id, lane, note_json, state, ack_action,"
    " acted_at"
)


def insert_handoff(
    conn: Connection,
    *,
    direction: str,
    packet_id: str,
    sender: str,
    receiver: str,
    at: datetime,
    shift_note: str,
) -> int:
    """Record a packet."""
    cur = conn.execute(
        "INSERT INTO handoffs (direction, packet_id, sender, receiver, created_at, shift_note,"
        " state) VALUES (?, ?, ?, ?, ?, ?, 'open')",
        (direction, packet_id, sender, receiver, to_db(at), shift_note),
    )
    return int(cur.lastrowid)


def insert_item(
    conn: Connection,
    handoff_id: int,
    *,
    item_id: int | None,
    source_system: str,
    source_id: str,
    lane: str,
    payload: dict[str, Any],
) -> int:
    """Record one item of a packet (pending)."""
    cur = conn.execute(
        "INSERT INTO handoff_items (handoff_id, item_id, source_system, source_id, lane,"
        " note_json, state) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
        (handoff_id, item_id, source_system, source_id, lane, json.dumps(payload)),
    )
    return int(cur.lastrowid)


def by_packet(conn: Connection, packet_id: str, direction: str) -> HandoffRow | None:
    """A packet by its id and direction."""
    row = conn.execute(
        f"SELECT {_H} FROM handoffs WHERE packet_id = ? AND direction = ?", (packet_id, direction)
    ).fetchone()
    return HandoffRow(*row) if row else None


def get(conn: Connection, handoff_id: int) -> HandoffRow:
    """A packet by row id (KeyError if absent)."""
    row = conn.execute(f"SELECT {_H} FROM handoffs WHERE id = ?", (handoff_id,)).fetchone()
    if row is None:
        raise KeyError(handoff_id)
    return HandoffRow(*row)


def listing(conn: Connection, direction: str, *, open_only: bool = True) -> list[HandoffRow]:
    """Packets in one direction, newest first."""
    where = " AND state = 'open'" if open_only else ""
    rows = conn.execute(
        f"SELECT {_H} FROM handoffs WHERE direction = ?{where} ORDER BY created_at DESC, id DESC",
        (direction,),
    ).fetchall()
    return [HandoffRow(*r) for r in rows]


def items_of(conn: Connection, handoff_id: int) -> list[HandoffItemRow]:
    """A packet's items in packet order."""
    rows = conn.execute(
        f"SELECT {_I} FROM handoff_items WHERE handoff_id = ? ORDER BY id", (handoff_id,)
    ).fetchall()
    return [HandoffItemRow(*r[:6], json.loads(r[6]), *r[7:]) for r in rows]


def get_item(conn: Connection, handoff_item_id: int) -> HandoffItemRow:
    """One packet item (KeyError if absent)."""
    r = conn.execute(f"SELECT {_I} FROM handoff_items WHERE id = ?", (handoff_item_id,)).fetchone()
    if r is None:
        raise KeyError(handoff_item_id)
    return HandoffItemRow(*r[:6], json.loads(r[6]), *r[7:])


def set_item_state(
    conn: Connection,
    handoff_item_id: int,
    state: str,
    at: datetime,
    *,
    ack_action: str | None = None,
    item_id: int | None = None,
) -> None:
    """Acknowledge or decline one item."""
    conn.execute(
        "UPDATE handoff_items SET state = ?, ack_action = ?, acted_at = ?,"
        " item_id = coalesce(?, item_id) WHERE id = ?",
        (state, ack_action, to_db(at), item_id, handoff_item_id),
    )


def close_if_done(conn: Connection, handoff_id: int) -> bool:
    """Close a packet once no item is pending; True if closed."""
    pending = conn.execute(
        "SELECT count(*) FROM handoff_items WHERE handoff_id = ? AND state = 'pending'",
        (handoff_id,),
    ).fetchone()[0]
    if pending == 0:
        conn.execute("UPDATE handoffs SET state = 'closed' WHERE id = ?", (handoff_id,))
        return True
    return False
