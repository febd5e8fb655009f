"""The item table's model: one page of the store at a time, in the store's urgency order.

Rows are fetched 100 at a time through ``canFetchMore``/``fetchMore`` (never a row that is not
on screen or just below it); search and practice filter are a new store query plus a model
reset; the "due in" tick re-renders two columns through ``dataChanged`` and never resets.
Role and flag enums are bound once to module constants: each repaint calls ``data()``
about 1,500 times (DESIGN.md, Known traps).
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from vmadesk.domain.time_display import format_dual, format_due_in
from vmadesk.domain.vocabulary import DueState, ItemStatus, Lane
from vmadesk.services.clock import Clock
from vmadesk.services.worklist import WorkList
from vmadesk.store.items import ItemQuery, ItemRow
from vmadesk.store.timestamps import from_db
from vmadesk.ui.due_style import state_colour, state_icon
from vmadesk.ui.icons import icon

#: About two screens of rows: enough to scroll at once, cheap to fetch on every switch.
PAGE_SIZE = 100

DISPLAY = Qt.ItemDataRole.DisplayRole
DECORATION = Qt.ItemDataRole.DecorationRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
USER = int(Qt.ItemDataRole.UserRole)
HORIZONTAL = Qt.Orientation.Horizontal
FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
NO_FLAGS = Qt.ItemFlag.NoItemFlags

ItemIdRole = USER + 1
DueStateRole = USER + 2
ItemRowRole = USER + 3
EscalationStateRole = USER + 4


class Column(IntEnum):
    """The table's columns, in order."""

    STATE = 0
    DUE_IN = 1
    PATIENT = 2
    PHONE = 3
    PRACTICE = 4
    LANE = 5
    REASON = 6
    ATTEMPTS = 7
    STATUS = 8
    ESCALATION = 9


HEADERS = {
    Column.STATE: "State",
    Column.DUE_IN: "Due in",
    Column.PATIENT: "Patient",
    Column.PHONE: "Phone",
    Column.PRACTICE: "Practice",
    Column.LANE: "Lane",
    Column.REASON: "Reason",
    Column.ATTEMPTS: "Attempts",
    Column.STATUS: "Status",
    Column.ESCALATION: "Escalation",
}
_N_COLS = len(Column)
_STATE, _DUE_IN, _ATTEMPTS = int(Column.STATE), int(Column.DUE_IN), int(Column.ATTEMPTS)
_STATUS_LABELS = {s.value: s.value.replace("-", " ").capitalize() for s in ItemStatus} | {
    "on-hold": "On hold",
    "in-progress": "In progress",
}
_ESC_LABELS = {"raised": "⚑ Raised", "acknowledged": "⚑ Acknowledged", "resolved": "✓ Resolved"}
_CENTER = int(Qt.AlignmentFlag.AlignCenter)


def due_state_of(row: ItemRow, now: datetime) -> DueState:
    """Due state from the stored due and due-soon instants (the store's lane-count rule)."""
    if row.status == "on-hold":
        return DueState.PAUSED
    if now > from_db(row.effective_due):
        return DueState.OVERDUE
    if now >= from_db(row.due_soon_at):
        return DueState.DUE_SOON
    return DueState.ON_TRACK


#: The Status column of an item the VMA has put in a handoff packet: still theirs, for now.
IN_HANDOFF = "In handoff · awaiting ack"


def waiting_until(row: ItemRow, now: datetime) -> datetime | None:
    """When a running item may be tried again, if that is still ahead (None: workable now)."""
    if row.status == "on-hold" or not row.next_attempt_at:
        return None
    at = from_db(row.next_attempt_at)
    return at if at > now else None


def waiting_text(at: datetime, now: datetime, local_tz: str) -> str:
    """State text of a waiting item, e.g. "Waiting · next try 14:10" (the VMA's clock)."""
    return f"Waiting · next try {format_dual(at, local_tz, local_tz, now)}"


def due_text(row: ItemRow, now: datetime) -> str:
    """The live "due in" text (paused while on hold)."""
    if row.status == "on-hold":
        until = f", until {row.hold_until[11:16]} UTC" if row.hold_until else ""
        return f"paused{until}"
    return format_due_in(now, from_db(row.effective_due))


class ItemTableModel(QAbstractTableModel):
    """Open items of one query, paged from the store."""

    def __init__(
        self, worklist: WorkList, clock: Clock, parent: Any = None, *, local_tz: str = "UTC"
    ) -> None:
        super().__init__(parent)
        self._worklist = worklist
        self._clock = clock
        self._local_tz = local_tz
        self._query: ItemQuery | None = None
        self._rows: list[ItemRow] = []
        self._states: list[DueState] = []
        #: State text of rows waiting for their next attempt (None: workable now).
        self._waiting: list[str | None] = []
        self._cells: list[tuple[str, ...] | None] = []
        self._due: list[str | None] = []
        self._badges: dict[int, str] = {}
        self._practices: dict[int, str] = {}
        self._more = False
        self._now = clock()
        self._palette: QPalette = QGuiApplication.palette()
        # Looked up ~1,000 times a repaint: one colour per state, chosen once per palette.
        self._colours = {state: state_colour(state, self._palette) for state in DueState}

    # -- queries -----------------------------------------------------------------------------

    @property
    def query(self) -> ItemQuery | None:
        """The query shown (None while locked or before the first one)."""
        return self._query

    def set_query(self, query: ItemQuery) -> None:
        """Show another query: reset and load its first page."""
        self.beginResetModel()
        self._query = query
        self._clear_rows()
        self._now = self._clock()
        self._append(self._worklist.page(query, 0, PAGE_SIZE))
        self.endResetModel()

    def reload(self) -> None:
        """Re-read the current query (after an action changed items)."""
        if self._query is not None:
            self._practices = {}
            self.set_query(self._query)

    def clear_for_lock(self) -> None:
        """Forget every row (PHI) until :meth:`set_query` is called again."""
        self.beginResetModel()
        self._query = None
        self._clear_rows()
        self._practices = {}
        self.endResetModel()

    def _clear_rows(self) -> None:
        self._rows, self._states, self._cells, self._due = [], [], [], []
        self._waiting = []
        self._badges = {}
        self._more = False

    def _append(self, rows: list[ItemRow]) -> None:
        if not self._practices:
            self._practices = {p.id: p.name for p in self._worklist.practices()}
        now = self._now
        self._rows.extend(rows)
        self._states.extend(due_state_of(r, now) for r in rows)
        self._waiting.extend(self._waiting_text(r, now) for r in rows)
        self._cells.extend([None] * len(rows))
        self._due.extend([None] * len(rows))
        self._badges.update(self._worklist.escalation_badges([r.id for r in rows]))
        self._more = len(rows) == PAGE_SIZE

    # -- paging ------------------------------------------------------------------------------

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        """Whether another page may follow."""
        return not parent.isValid() and self._more and self._query is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        """Load the next page."""
        if parent.isValid() or self._query is None:
            return
        page = self._worklist.page(self._query, len(self._rows), PAGE_SIZE)
        if not page:
            self._more = False
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._append(page)
        self.endInsertRows()

    # -- the live tick -----------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> None:
        """Re-render "due in" (and changed states) for loaded rows; no reset."""
        self._now = now or self._clock()
        n = len(self._rows)
        if not n:
            return
        self._due = [None] * n
        changed = []
        for i, row in enumerate(self._rows):
            state = due_state_of(row, self._now)
            waiting = self._waiting_text(row, self._now)
            if state is not self._states[i] or waiting != self._waiting[i]:
                self._states[i] = state
                self._waiting[i] = waiting
                changed.append(i)
        self.dataChanged.emit(self.index(0, _DUE_IN), self.index(n - 1, _DUE_IN), [DISPLAY])
        if changed:
            self.dataChanged.emit(self.index(changed[0], _STATE), self.index(changed[-1], _STATE))

    def _waiting_text(self, row: ItemRow, now: datetime) -> str | None:
        at = waiting_until(row, now)
        return waiting_text(at, now, self._local_tz) if at is not None else None

    # -- look-ups for the window -------------------------------------------------------------

    def item_at(self, row: int) -> ItemRow | None:
        """The item on a row, if loaded."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, item_id: int) -> int | None:
        """The row showing an item, if loaded."""
        for i, r in enumerate(self._rows):
            if r.id == item_id:
                return i
        return None

    def loaded_count(self) -> int:
        """Rows fetched so far."""
        return len(self._rows)

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows loaded (0 under a valid parent: a table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Fixed columns (0 under a valid parent)."""
        return 0 if parent.isValid() else _N_COLS

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Selectable, read-only."""
        return FLAGS if index.isValid() else NO_FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column titles."""
        if role == DISPLAY and orientation == HORIZONTAL and 0 <= section < _N_COLS:
            return HEADERS[Column(section)]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell data; formatted strings are cached per row."""
        r = index.row()
        if not index.isValid() or r >= len(self._rows):
            return None
        c = index.column()
        if role == DISPLAY or role == ACCESSIBLE:  # noqa: SIM109 (fast path first)
            if c == _DUE_IN:
                text = self._due[r]
                if text is None:
                    text = self._due[r] = due_text(self._rows[r], self._now)
                return text
            if c == _STATE:
                return self._waiting[r] or self._states[r].label
            cells = self._cells[r]
            if cells is None:
                cells = self._cells[r] = self._format(r)
            return cells[c]
        if c == _STATE:
            if role == DECORATION:
                # A waiting item gets its own shape, not just its own words.
                return icon("attempt") if self._waiting[r] else state_icon(self._states[r])
            if role == FOREGROUND:
                return self._colours[self._states[r]]
            if role == TOOLTIP:
                tip = f"{self._states[r].label}: {due_text(self._rows[r], self._now)}"
                return f"{self._waiting[r]} ({tip})" if self._waiting[r] else tip
        elif c == _DUE_IN and role == FOREGROUND:
            return self._colours[self._states[r]]
        elif c == _ATTEMPTS and role == ALIGN:
            return _CENTER
        if role == ItemIdRole:
            return self._rows[r].id
        if role == DueStateRole:
            return self._states[r].value
        if role == EscalationStateRole:
            return self._badges.get(self._rows[r].id)
        if role == ItemRowRole:
            return self._rows[r]
        return None

    def _format(self, r: int) -> tuple[str, ...]:
        row = self._rows[r]
        badge = self._badges.get(row.id)
        status = _STATUS_LABELS.get(row.status, row.status)
        return (
            "",
            "",
            row.patient_display,
            row.phone or row.phone_raw or "",
            self._practices.get(row.practice_id, f"#{row.practice_id}"),
            Lane(row.lane).label,
            row.reason or "",
            str(row.attempt_count),
            IN_HANDOFF if row.handoff_id is not None else status,
            _ESC_LABELS.get(badge, "") if badge else "",
        )
