"""Work items: the row, creating, reading and updating one, and counts by status.

The lists the console shows (urgency-ordered pages, searches, lane counts) are
:mod:`vmadesk.store.item_queries`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple

from vmadesk.domain.appointment_time import date_of_service
from vmadesk.domain.vocabulary import ItemStatus, Lane
from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import to_db


def display_name(family: str, given: str | None) -> str:
    """A patient as a VMA reads them: "Family, Given" (the family name alone without one)."""
    return f"{family}, {given}" if given else family


#: Stored text -> aware UTC datetime (``from_db``), bound once: rows are read by the thousand.
_parse_time = datetime.fromisoformat

#: Stored code -> enum member, looked up once per row (a dict hit, not an enum call).
_LANE_OF: dict[str, Lane] = {lane.value: lane for lane in Lane}
_STATUS_OF: dict[str, ItemStatus] = {status.value: status for status in ItemStatus}


def lane_of(code: str) -> Lane:
    """A stored lane code as the enum (a dict lookup first: rows are read by the thousand)."""
    return _LANE_OF.get(code) or Lane(code)


def status_of(code: str) -> ItemStatus:
    """A stored status code as the enum (a dict lookup first: rows are read by the thousand)."""
    return _STATUS_OF.get(code) or ItemStatus(code)


@dataclass(frozen=True)
class ItemRow:
    """Every stored column of a work item (holds PHI: keep it in memory only).

    ``lane`` and ``status`` are enums (string enums: they compare equal to the stored codes);
    the times (:data:`TIME_COLUMNS`) are aware UTC datetimes, read from their stored text once
    here. :meth:`stored` gives the columns back as the store holds them.
    """

    id: int
    practice_id: int
    lane: Lane
    source_system: str
    source_id: str
    subject_kind: str
    patient_family: str
    patient_given: str
    patient_dob: str | None
    patient_ref: str | None
    phone: str | None
    phone_raw: str | None
    reason: str | None
    appointment_start: datetime | None
    appointment_end: datetime | None
    appointment_type: str | None
    provider: str | None
    location: str | None
    payer: str | None
    member_id: str | None
    plan: str | None
    requested_at: datetime | None
    window_start: datetime | None
    window_end: datetime | None
    due_at: datetime
    effective_due: datetime
    due_soon_at: datetime
    status: ItemStatus
    status_reason: str | None
    hold_until: datetime | None
    hold_reason: str | None
    hold_started: datetime | None
    held_seconds: int
    next_attempt_at: datetime | None
    attempt_count: int
    outcome: str | None
    outcome_json: str | None
    owner: str
    handoff_id: int | None
    search_text: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    #: Minutes east of UTC the export gave the appointment's start in (None: not kept).
    appointment_offset_min: int | None = None
    #: The item's state in its lane's own state set (None: the lane has none).
    lane_state: str | None = None
    #: The lane's detail fields, a JSON object (None: the lane has none).
    lane_fields_json: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lane", lane_of(self.lane))
        object.__setattr__(self, "status", status_of(self.status))
        values = self.__dict__  # a row read from the store carries the stored text
        for name in TIME_COLUMNS:
            value = values[name]
            if value.__class__ is str:
                values[name] = _parse_time(value)

    def stored_value(self, name: str) -> Any:
        """One column as the store holds it: a code, or a time as its stored text."""
        value = getattr(self, name)
        if isinstance(value, datetime):
            return to_db(value)
        return value.value if isinstance(value, Lane | ItemStatus) else value

    def stored(self) -> dict[str, Any]:
        """Every column as the store holds it: codes, and times as their stored text."""
        return {name: self.stored_value(name) for name in ITEM_COLUMNS}

    @property
    def patient_display(self) -> str:
        """The patient as a VMA reads it: family name, given name."""
        return display_name(self.patient_family, self.patient_given)

    def date_of_service(self, zone: str | None = None) -> str:
        """The appointment's date where it takes place, ISO (empty without an appointment).

        Args:
            zone: The practice's zone, for items stored before the export's offset was kept.
        """
        if self.appointment_start is None:
            return ""
        return date_of_service(
            self.appointment_start, self.appointment_offset_min, zone
        ).isoformat()


class ListRow(NamedTuple):
    """What an item list shows of one item (holds PHI: keep it in memory only).

    A list reads these columns, not every stored one: a page is read on every lane switch
    and keystroke, and only the selected item's full :class:`ItemRow` is ever needed. Its
    times are aware UTC datetimes, as an :class:`ItemRow`'s (read once per page, not at
    every repaint).
    """

    id: int
    practice_id: int
    lane: Lane
    patient_family: str
    patient_given: str
    phone: str | None
    phone_raw: str | None
    reason: str | None
    effective_due: datetime
    due_soon_at: datetime
    status: ItemStatus
    hold_until: datetime | None
    next_attempt_at: datetime | None
    attempt_count: int
    handoff_id: int | None
    #: State of the item's latest escalation (None: never escalated).
    escalation: str | None

    @property
    def patient_display(self) -> str:
        """The patient as a VMA reads it: family name, given name."""
        return display_name(self.patient_family, self.patient_given)


ITEM_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ItemRow))
#: The columns an :class:`ItemRow` carries as datetimes (stored as fixed-width UTC text).
TIME_COLUMNS: tuple[str, ...] = (
    "appointment_start",
    "appointment_end",
    "requested_at",
    "window_start",
    "window_end",
    "due_at",
    "effective_due",
    "due_soon_at",
    "hold_until",
    "hold_started",
    "next_attempt_at",
    "created_at",
    "updated_at",
    "closed_at",
)
_SELECT = f"SELECT {', '.join(ITEM_COLUMNS)} FROM items"
#: Columns a caller may set; ``id`` and the generated ``is_open`` are not among them.
WRITABLE: frozenset[str] = frozenset(ITEM_COLUMNS) - {"id"}


def search_text(*parts: str | None) -> str:
    """Lower-cased text searched as the VMA types (name, phone digits, reason)."""
    return " ".join(p.lower() for p in parts if p)


def _bound(value: Any) -> Any:
    """A value as bound to the statement: a datetime as its stored text."""
    return to_db(value) if isinstance(value, datetime) else value


def insert_item(conn: Connection, values: dict[str, Any]) -> int:
    """Insert an item from a column -> value mapping (times as datetimes or stored text)."""
    unknown = set(values) - WRITABLE
    if unknown:
        raise ValueError(f"unknown item columns: {sorted(unknown)}")
    cols = sorted(values)
    cur = conn.execute(
        f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [_bound(values[c]) for c in cols],
    )
    return int(cur.lastrowid)


def update_item(conn: Connection, item_id: int, values: dict[str, Any]) -> None:
    """Set columns of one item (names from the whitelist; times as datetimes or stored text)."""
    unknown = set(values) - WRITABLE
    if unknown:
        raise ValueError(f"unknown item columns: {sorted(unknown)}")
    if not values:
        return
    cols = sorted(values)
    conn.execute(
        f"UPDATE items SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
        [*(_bound(values[c]) for c in cols), item_id],
    )


def get_item(conn: Connection, item_id: int) -> ItemRow:
    """One item by id (KeyError if absent)."""
    row = conn.execute(f"{_SELECT} WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise KeyError(item_id)
    return ItemRow(*row)


def find_by_source(
    conn: Connection, source_system: str, source_id: str, lane: Lane
) -> ItemRow | None:
    """The item imported from this source record into this lane, if any."""
    row = conn.execute(
        f"{_SELECT} WHERE source_system = ? AND source_id = ? AND lane = ?",
        (source_system, source_id, lane.value),
    ).fetchone()
    return ItemRow(*row) if row else None


def items_from_source(conn: Connection, source_system: str) -> list[ItemRow]:
    """Every item imported from one source system."""
    rows = conn.execute(f"{_SELECT} WHERE source_system = ?", (source_system,)).fetchall()
    return [ItemRow(*r) for r in rows]


def open_by_status(conn: Connection) -> dict[tuple[str, str], int]:
    """(lane, status) -> count of every item (for info and summaries)."""
    rows = conn.execute("SELECT lane, status, count(*) FROM items GROUP BY lane, status")
    return {(r[0], r[1]): int(r[2]) for r in rows}


def open_held(conn: Connection, owner: str) -> dict[tuple[str, bool], int]:
    """(lane, in a handoff) -> open items ``owner`` holds (what a VMA has on their plate)."""
    rows = conn.execute(
        "SELECT lane, handoff_id IS NOT NULL, count(*) FROM items"
        " WHERE is_open = 1 AND owner = ? GROUP BY lane, handoff_id IS NOT NULL",
        (owner,),
    )
    return {(r[0], bool(r[1])): int(r[2]) for r in rows}


def set_status(
    conn: Connection, item_id: int, status: ItemStatus, at: datetime, **extra: Any
) -> None:
    """Change status (and any extra columns), stamping ``updated_at``/``closed_at``."""
    values: dict[str, Any] = {"status": status.value, "updated_at": to_db(at), **extra}
    values["closed_at"] = None if status.is_open else to_db(at)
    update_item(conn, item_id, values)
