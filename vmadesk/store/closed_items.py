"""Items a VMA closed (completed, cancelled, failed) since a time: the Done today list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from vmadesk.store.connection import Connection
from vmadesk.store.item_queries import ItemQuery, _where
from vmadesk.store.items import _SELECT, ItemRow
from vmadesk.store.timestamps import to_db


def closed_since(
    conn: Connection,
    query: ItemQuery,
    since: datetime,
    *,
    limit: int = 1000,
) -> list[ItemRow]:
    """Closed items of the query (owner, practice, search) closed at or after ``since``.

    Newest first. The lane, owner, practice and search of ``query`` apply; its ``open_only``
    does not (these are the closed ones).
    """
    where, params = _where(replace(query, open_only=False, workable_at=None))
    clause = "is_open = 0 AND closed_at >= ?"
    where = f"{where} AND {clause}" if where else f" WHERE {clause}"
    rows = conn.execute(
        f"{_SELECT}{where} ORDER BY closed_at DESC, id DESC LIMIT ?",
        [*params, to_db(since), limit],
    ).fetchall()
    return [ItemRow(*r) for r in rows]
