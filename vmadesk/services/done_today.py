"""Done today: the items a VMA closed this shift, to check them and reopen one by mistake."""

from __future__ import annotations

from datetime import datetime, time

from vmadesk.domain.instants import load_zone
from vmadesk.services.clock import Clock, system_clock
from vmadesk.store.closed_items import closed_since
from vmadesk.store.connection import Connection
from vmadesk.store.item_queries import ItemQuery
from vmadesk.store.items import ItemRow
from vmadesk.store.timestamps import from_db


class DoneToday:
    """Read side of the Done today view for one VMA, on one connection."""

    def __init__(
        self, conn: Connection, *, vma: str, local_tz: str, clock: Clock = system_clock
    ) -> None:
        self.conn = conn
        self.vma = vma
        self.local_tz = local_tz
        self.clock = clock

    def since(self) -> datetime:
        """Start of the running shift; without one, midnight today where the VMA sits."""
        row = self.conn.execute(
            "SELECT started_at FROM shifts WHERE ended_at IS NULL AND vma = ?"
            " ORDER BY id DESC LIMIT 1",
            (self.vma,),
        ).fetchone()
        if row is not None:
            return from_db(row[0])
        zone = load_zone(self.local_tz)
        today = self.clock().astimezone(zone).date()
        return datetime.combine(today, time(0), tzinfo=zone)

    def items(self, *, search: str = "", practice_id: int | None = None) -> list[ItemRow]:
        """The VMA's items closed since :meth:`since`, newest first."""
        query = ItemQuery(open_only=False, owner=self.vma, practice_id=practice_id, search=search)
        return closed_since(self.conn, query, self.since())
