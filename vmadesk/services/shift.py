"""A VMA's shift: start with the lanes held, end (with a handoff)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from vmadesk.domain.vocabulary import Lane
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.store import audit
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.timestamps import to_db


@dataclass(frozen=True)
class ShiftRow:
    """One working session."""

    id: int
    vma: str
    started_at: str
    ended_at: str | None
    lanes: tuple[Lane, ...]


class ShiftService:
    """Start and end shifts for one VMA."""

    def __init__(self, conn: Connection, *, vma: str, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.vma = vma
        self.clock = clock

    def current(self) -> ShiftRow | None:
        """The open shift, if one is running."""
        row = self.conn.execute(
            "SELECT id, vma, started_at, ended_at, lanes_json FROM shifts"
            " WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return ShiftRow(row[0], row[1], row[2], row[3], tuple(Lane(x) for x in json.loads(row[4])))

    def start(self, lanes: list[Lane]) -> int:
        """Start a shift holding ``lanes``."""
        if not lanes:
            raise ActionRefused("Choose at least one lane to hold.")
        if self.current() is not None:
            raise ActionRefused("A shift is already running; end it first.")
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO shifts (vma, started_at, lanes_json) VALUES (?, ?, ?)",
                (self.vma, to_db(self.clock()), json.dumps([lane.value for lane in lanes])),
            )
            shift_id = int(cur.lastrowid)
            audit.append(
                self.conn,
                AuditEvent.SHIFT,
                details={
                    "shift": shift_id,
                    "action": "start",
                    "lanes": ",".join(lane.value for lane in lanes),
                },
            )
        return shift_id

    def end(self) -> None:
        """End the running shift (the handoff is written separately, before this)."""
        shift = self.current()
        if shift is None:
            raise ActionRefused("No shift is running.")
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE shifts SET ended_at = ? WHERE id = ?", (to_db(self.clock()), shift.id)
            )
            audit.append(self.conn, AuditEvent.SHIFT, details={"shift": shift.id, "action": "end"})
