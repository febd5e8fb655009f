"""Item lists: what a list shows (:class:`ItemQuery`), urgency-ordered pages, searches, counts.

Lists are read a page at a time (``LIMIT``/``OFFSET`` over an index that already holds the
urgency order), so a 100,000-item profile costs the same to show as a 1,000-item one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from vmadesk.domain.typed_dates import typed_date
from vmadesk.domain.vocabulary import Lane
from vmadesk.store.connection import Connection
from vmadesk.store.items import _SELECT, ItemRow, ListRow, lane_of, status_of
from vmadesk.store.search_terms import search_words
from vmadesk.store.timestamps import from_db, to_db


@dataclass(frozen=True)
class ItemQuery:
    """What an item list shows: a lane (or all), open only, a practice, a search.

    ``workable_at`` keeps only items that can be worked at that instant: not on hold and
    with no next attempt scheduled after it (N must not pick the item just called).
    """

    lane: Lane | None = None
    open_only: bool = True
    practice_id: int | None = None
    search: str = ""
    owner: str | None = None
    workable_at: datetime | None = None
    #: A column the VMA sorted the list by (a key of :data:`SORT_COLUMNS`; "": urgency).
    sort: str = ""
    descending: bool = False


def _where(query: ItemQuery) -> tuple[str, list[Any]]:
    """WHERE clause and parameters of a query.

    Search words of three characters or more go to the trigram index; shorter ones are
    checked with ``instr`` on the search text that the queue indexes carry.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if query.open_only:
        clauses.append("is_open = 1")
    if query.lane is not None:
        clauses.append("lane = ?")
        params.append(query.lane.value)
    if query.practice_id is not None:
        clauses.append("practice_id = ?")
        params.append(query.practice_id)
    if query.owner is not None:
        clauses.append("owner = ?")
        params.append(query.owner)
    if query.workable_at is not None:
        clauses.append("(next_attempt_at IS NULL OR next_attempt_at <= ?) AND is_paused = 0")
        params.append(to_db(query.workable_at))
    born = typed_date(query.search)
    if born is not None:
        # A date typed whole is a date of birth (the search text does not carry it).
        clauses.append("patient_dob = ?")
        params.append(born.isoformat())
        return " WHERE " + " AND ".join(clauses), params
    words = search_words(query.search)
    phrase = _fts_phrase(words)
    if phrase:
        clauses.append("id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
        params.append(phrase)
    for word in words:
        if len(word) < TRIGRAM:
            clauses.append("instr(search_text, ?) > 0")
            params.append(word)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _fts_phrase(words: list[str]) -> str:
    """The trigram index's query for the words it can match ("" when none can)."""
    # Each word quoted as an FTS5 string (inner quotes doubled): a phrase, never syntax.
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words if len(w) >= TRIGRAM)


#: Shortest word the trigram index can match; shorter words fall back to a scan.
TRIGRAM = 3
# On-hold items are paused: they sort after every running item (matches the queue indexes).
# The queue indexes go on (effective_due, due_soon_at, id), so this order is index order, and
# they carry search_text, so a short word's instr() is checked without reading the row.
_URGENCY_ORDER = " ORDER BY is_paused, effective_due, due_soon_at, id"


#: What a list may be sorted by, as columns; ties (and "") keep the urgency order.
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "patient": ("patient_family COLLATE NOCASE", "patient_given COLLATE NOCASE"),
    "phone": ("coalesce(phone, phone_raw)",),
    "practice": ("practice_id",),
    "lane": ("lane",),
    "reason": ("reason COLLATE NOCASE",),
    "attempts": ("attempt_count",),
    "status": ("status",),
    "due": ("effective_due",),
    # The latest escalation's state (raised, acknowledged, resolved; never escalated last).
    "escalation": (
        "(SELECT e.state FROM escalations AS e WHERE e.item_id = items.id"
        " ORDER BY e.raised_at DESC, e.id DESC LIMIT 1) IS NULL",
        "(SELECT e.state FROM escalations AS e WHERE e.item_id = items.id"
        " ORDER BY e.raised_at DESC, e.id DESC LIMIT 1)",
    ),
}


def _order_by(query: ItemQuery) -> str:
    """The list's ORDER BY: the VMA's column first (if any), then urgency."""
    columns = SORT_COLUMNS.get(query.sort)
    if not columns:
        return _URGENCY_ORDER
    way = " DESC" if query.descending else ""
    chosen = ", ".join(f"{c}{way}" for c in columns)
    return _URGENCY_ORDER.replace(" ORDER BY ", f" ORDER BY {chosen}, ", 1)


def page(
    conn: Connection,
    query: ItemQuery,
    *,
    offset: int,
    limit: int,
    now: datetime | None = None,
) -> list[ItemRow]:
    """A page of items in urgency order (overdue first, then by due time; paused last).

    With ``now``, items waiting for their next try come after the workable ones, as in
    :func:`list_page`.
    """
    where, params = _where(query)
    rows = _banded(
        conn, _SELECT, where, params, offset=offset, limit=limit, now=now, order=_order_by(query)
    )
    return [ItemRow(*r) for r in rows]


# The latest escalation rides along in the page query: one statement per page, not two.
_LIST_SELECT = (
    "SELECT "
    + ", ".join(ListRow._fields[:-1])
    + ", (SELECT e.state FROM escalations AS e WHERE e.item_id = items.id"
    " ORDER BY e.raised_at DESC, e.id DESC LIMIT 1) FROM items"
)
_LIST_LANE, _LIST_STATUS = ListRow._fields.index("lane"), ListRow._fields.index("status")
_LIST_TIMES = tuple(
    ListRow._fields.index(name)
    for name in ("effective_due", "due_soon_at", "hold_until", "next_attempt_at")
)
#: Up to this many trigram matches, a list reads the matching items by id and sorts them.
FEW_MATCHES = 200


def list_page(
    conn: Connection,
    query: ItemQuery,
    *,
    offset: int,
    limit: int,
    now: datetime | None = None,
) -> list[ListRow]:
    """A page of list rows in urgency order (the columns a list shows, see :class:`ListRow`).

    With ``now``, items waiting for their next try (``next_attempt_at`` after it) come after
    every item that can be worked now, and paused items last: the list is read as three
    bands, each in index order, so no page sorts the whole list (one ``ORDER BY`` on "is
    waiting" sorted 100,000 items for every page: 0.7 s instead of 2 ms). A band is counted
    only when a page starts past its end.

    A search whose words the trigram index finds rarely (counting stops past
    :data:`FEW_MATCHES`) reads those few items by id and sorts them: walking the queue for
    them would pass every open item (14 ms at 100,000 for a word found nowhere).
    """
    source = _LIST_SELECT
    phrase = "" if typed_date(query.search) else _fts_phrase(search_words(query.search))
    if phrase:
        found = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM items_fts WHERE items_fts MATCH ? LIMIT ?)",
            (phrase, FEW_MATCHES + 1),
        ).fetchone()[0]
        if found <= FEW_MATCHES:
            source += " NOT INDEXED"
    where, params = _where(query)
    rows = _banded(
        conn, source, where, params, offset=offset, limit=limit, now=now, order=_order_by(query)
    )
    return [_list_row(r) for r in rows]


def _list_row(row: tuple) -> ListRow:
    """A list row with its lane and status as enums and its times as datetimes."""
    values = list(row)
    values[_LIST_LANE] = lane_of(values[_LIST_LANE])
    values[_LIST_STATUS] = status_of(values[_LIST_STATUS])
    for index in _LIST_TIMES:
        if values[index] is not None:
            values[index] = from_db(values[index])
    return ListRow._make(values)


def _banded(
    conn: Connection,
    select: str,
    where: str,
    params: list[Any],
    *,
    offset: int,
    limit: int,
    now: datetime | None,
    order: str = _URGENCY_ORDER,
) -> list[Any]:
    """Rows in urgency order; with ``now``, workable, then waiting for a try, then paused.

    A column the VMA sorts by (``order`` other than the urgency order) is one plain sort:
    the VMA asked for that order, bands would break it.
    """
    if now is None or order != _URGENCY_ORDER:
        return conn.execute(
            f"{select}{where}{order} LIMIT ? OFFSET ?", [*params, limit, offset]
        ).fetchall()
    stamp = to_db(now)
    glue = " AND " if where else " WHERE "
    bands: tuple[tuple[str, list[Any]], ...] = (
        ("is_paused = 0 AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", [stamp]),
        ("is_paused = 0 AND next_attempt_at > ?", [stamp]),
        ("is_paused = 1", []),
    )
    out: list[Any] = []
    skip = offset
    for clause, extra in bands:
        need = limit - len(out)
        if need <= 0:
            break
        band_where = f"{where}{glue}{clause}"
        rows = conn.execute(
            f"{select}{band_where}{_URGENCY_ORDER} LIMIT ? OFFSET ?",
            [*params, *extra, need, skip],
        ).fetchall()
        if rows:
            out += rows
            skip = 0
        elif skip:
            total = conn.execute(
                f"SELECT count(*) FROM items{band_where}", [*params, *extra]
            ).fetchone()[0]
            skip = max(0, skip - int(total))
    return out


def count(conn: Connection, query: ItemQuery) -> int:
    """How many items match."""
    where, params = _where(query)
    return int(conn.execute(f"SELECT count(*) FROM items{where}", params).fetchone()[0])


def first_id(conn: Connection, query: ItemQuery) -> int | None:
    """Id of the most urgent matching item."""
    where, params = _where(query)
    row = conn.execute(f"SELECT id FROM items{where}{_URGENCY_ORDER} LIMIT 1", params).fetchone()
    return int(row[0]) if row else None


def next_retry_at(conn: Connection, query: ItemQuery) -> str | None:
    """Earliest time an item of the query becomes workable again (next attempt or hold end).

    Meant for when nothing is workable now: it does not exclude items workable already.
    """
    where, params = _where(replace(query, workable_at=None))
    row = conn.execute(
        "SELECT min(CASE WHEN is_paused = 1 THEN hold_until ELSE next_attempt_at END)"
        f" FROM items{where}",
        params,
    ).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class LaneCounts:
    """Live counts shown beside a lane."""

    open: int = 0
    due_soon: int = 0
    overdue: int = 0


def lane_counts(
    conn: Connection,
    now: datetime,
    *,
    practice_id: int | None = None,
    owner: str | None = None,
) -> dict[Lane, LaneCounts]:
    """Open, due-soon and overdue counts per lane (on-hold items are paused, not late).

    As in :func:`vmadesk.domain.sla.due_state`, work is overdue strictly after its due time.
    """
    stamp = to_db(now)
    where = "WHERE is_open = 1"
    params: list[Any] = [stamp, stamp, stamp]
    if practice_id is not None:
        where += " AND practice_id = ?"
        params.append(practice_id)
    if owner is not None:
        where += " AND owner = ?"
        params.append(owner)
    rows = conn.execute(
        "SELECT lane, count(*),"
        " sum(is_paused = 0 AND due_soon_at <= ? AND effective_due >= ?),"
        " sum(is_paused = 0 AND effective_due < ?)"
        f" FROM items {where} GROUP BY lane",
        params,
    ).fetchall()
    result = {lane: LaneCounts() for lane in Lane}
    for lane, n_open, n_soon, n_over in rows:
        result[Lane(lane)] = LaneCounts(int(n_open), int(n_soon or 0), int(n_over or 0))
    return result
