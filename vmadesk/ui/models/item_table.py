"""The item table's model: one page of the store at a time, in the store's urgency order.

Rows are fetched a page at a time through ``canFetchMore``/``fetchMore`` (never a row that is
not on screen or just below it); search and practice filter are a new store query plus a
model reset; the "due in" tick re-renders two columns through ``dataChanged`` and never resets.

A page holds :class:`~vmadesk.store.items.ListRow` values, only the columns the table shows.
What a row looks like (texts, colour, icon) is worked out the first time the row is painted
and kept until the next tick: a repaint calls ``data()`` about 1,200 times (seven roles per
visible cell, DESIGN.md Known traps), so each call is a tuple look-up, and roles the table
does not use return None after a few integer comparisons.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QPalette

from vmadesk.domain.time_display import format_dual, format_due_in
from vmadesk.domain.vocabulary import DueState, ItemStatus, Lane
from vmadesk.services.clock import Clock
from vmadesk.services.views import ItemQuery, ItemRow, ListRow
from vmadesk.services.worklist import WorkList
from vmadesk.ui.icons import icon
from vmadesk.ui.models.due_style import state_colour, state_icon

#: A little over two screens of rows at 900 px: a taller view fetches the next page itself.
PAGE_SIZE = 80

DISPLAY = Qt.ItemDataRole.DisplayRole
DECORATION = Qt.ItemDataRole.DecorationRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
USER = int(Qt.ItemDataRole.UserRole)
HORIZONTAL = Qt.Orientation.Horizontal

ItemIdRole = USER + 1
DueStateRole = USER + 2
ItemRowRole = USER + 3
EscalationStateRole = USER + 4

# PySide passes the role as a plain int: comparing it with ints skips the enum machinery.
_DISPLAY, _DECORATION, _FOREGROUND = int(DISPLAY), int(DECORATION), int(FOREGROUND)
_TOOLTIP, _ACCESSIBLE, _ALIGN = int(TOOLTIP), int(ACCESSIBLE), int(ALIGN)


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
_HEADER_TEXTS = tuple(HEADERS[c] for c in Column)
#: The store's sort key per column (State sorts by urgency, the list's own order).
SORT_KEYS = {
    Column.STATE: "",
    Column.DUE_IN: "due",
    Column.PATIENT: "patient",
    Column.PHONE: "phone",
    Column.PRACTICE: "practice",
    Column.LANE: "lane",
    Column.REASON: "reason",
    Column.ATTEMPTS: "attempts",
    Column.STATUS: "status",
    Column.ESCALATION: "escalation",
}
_N_COLS = len(Column)
_STATE, _DUE_IN, _ATTEMPTS = int(Column.STATE), int(Column.DUE_IN), int(Column.ATTEMPTS)
_STATUS_LABELS = {s.value: s.value.replace("-", " ").capitalize() for s in ItemStatus}
#: Bound once as a plain string: compared on every repaint.
_ON_HOLD = ItemStatus.ON_HOLD.value
_LANE_LABELS = {lane.value: lane.label for lane in Lane}
_ESC_LABELS = {"raised": "⚑ Raised", "acknowledged": "⚑ Acknowledged", "resolved": "✓ Resolved"}
_CENTER = int(Qt.AlignmentFlag.AlignCenter)

#: A row as the table lists it or as the detail pane reads it: both carry the due fields.
DueRow = ItemRow | ListRow

#: How one row looks: (cell texts, due state, state colour, state icon, state text brush).
Look = tuple[tuple[str, ...], DueState, QColor, QIcon, QBrush]


def due_state_of(row: DueRow, now: datetime) -> DueState:
    """Due state from the stored due and due-soon instants (the store's lane-count rule)."""
    if row.status == _ON_HOLD:
        return DueState.PAUSED
    if now > row.effective_due:
        return DueState.OVERDUE
    if now >= row.due_soon_at:
        return DueState.DUE_SOON
    return DueState.ON_TRACK


#: The Status column of an item the VMA has put in a handoff packet: still theirs, for now.
IN_HANDOFF = "In handoff · awaiting ack"


def waiting_until(row: DueRow, now: datetime) -> datetime | None:
    """When a running item may be tried again, if that is still ahead (None: workable now)."""
    at = row.next_attempt_at
    if row.status == _ON_HOLD or at is None:
        return None
    return at if at > now else None


def waiting_text(at: datetime, now: datetime, local_tz: str) -> str:
    """State text of a waiting item, e.g. "Waiting · next try 14:10" (the VMA's clock)."""
    return f"Waiting · next try {format_dual(at, local_tz, local_tz, now)}"


def due_text(row: DueRow, now: datetime) -> str:
    """The live "due in" text (paused while on hold)."""
    if row.status == _ON_HOLD:
        until = f", until {row.hold_until.astimezone(UTC):%H:%M} UTC" if row.hold_until else ""
        return f"paused{until}"
    return format_due_in(now, row.effective_due)


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
        #: The column sort the VMA chose: (store key, descending); ("", False) is urgency.
        self._sort: tuple[str, bool] = ("", False)
        self._rows: list[ListRow] = []
        #: How each loaded row looks, once painted (None: not worked out since the last tick).
        self._looks: list[Look | None] = []
        self._practices: dict[int, str] = {}
        self._more = False
        self._now = clock()
        self._palette: QPalette = QGuiApplication.palette()
        # One colour per state, chosen once per palette (used by every painted row).
        self._colours = {state: state_colour(state, self._palette) for state in DueState}
        self._brushes = {state: QBrush(colour) for state, colour in self._colours.items()}

    # -- queries -----------------------------------------------------------------------------

    @property
    def query(self) -> ItemQuery | None:
        """The query shown (None while locked or before the first one)."""
        return self._query

    def set_query(self, query: ItemQuery) -> None:
        """Show another query: reset and load its first page."""
        if not self._practices:
            self._practices = {p.id: p.name for p in self._worklist.practices()}
        rows = self._worklist.list_page(self._sorted(query), 0, PAGE_SIZE)
        self.beginResetModel()
        self._query = query
        self._now = self._clock()
        self._rows = rows
        self._looks = [None] * len(rows)
        self._more = len(rows) == PAGE_SIZE
        self.endResetModel()

    def _sorted(self, query: ItemQuery) -> ItemQuery:
        """The query in the VMA's column order (the shown query stays the plain one)."""
        key, descending = self._sort
        return replace(query, sort=key, descending=descending) if key else query

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in the store (State: back to urgency order)."""
        key = SORT_KEYS.get(Column(column), "") if 0 <= column < _N_COLS else ""
        sort = (key, bool(key) and order == Qt.SortOrder.DescendingOrder)
        if sort != self._sort:
            self._sort = sort
            if self._query is not None:
                self.set_query(self._query)

    @property
    def sort_key(self) -> tuple[str, bool]:
        """The store's sort key and direction ("" : urgency order)."""
        return self._sort

    def reload(self) -> None:
        """Re-read the current query (after an action changed items)."""
        if self._query is not None:
            self._practices = {}
            self.set_query(self._query)

    def clear_for_lock(self) -> None:
        """Forget every row (PHI) until :meth:`set_query` is called again."""
        self.beginResetModel()
        self._query = None
        self._rows, self._looks = [], []
        self._more = False
        self._practices = {}
        self.endResetModel()

    # -- paging ------------------------------------------------------------------------------

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        """Whether another page may follow."""
        return not parent.isValid() and self._more and self._query is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        """Load the next page."""
        if parent.isValid() or self._query is None:
            return
        page = self._worklist.list_page(self._sorted(self._query), len(self._rows), PAGE_SIZE)
        self._more = len(page) == PAGE_SIZE
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self._looks.extend([None] * len(page))
        self.endInsertRows()

    # -- the live tick -----------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> None:
        """Re-render "due in" and state for loaded rows; no reset.

        Only rows painted again are worked out again, so a tick costs the same at any size.
        """
        self._now = now or self._clock()
        n = len(self._rows)
        if not n:
            return
        self._looks = [None] * n
        last = n - 1
        self.dataChanged.emit(
            self.index(0, _DUE_IN), self.index(last, _DUE_IN), [DISPLAY, FOREGROUND]
        )
        self.dataChanged.emit(self.index(0, _STATE), self.index(last, _STATE))

    def _waiting_text(self, row: ListRow, now: datetime) -> str | None:
        at = waiting_until(row, now)
        return waiting_text(at, now, self._local_tz) if at is not None else None

    def look(self, row: int) -> Look | None:
        """How a loaded row looks (None past the loaded rows), for the table's delegate."""
        if 0 <= row < len(self._looks):
            return self._looks[row] or self._look(row)
        return None

    def _look(self, r: int) -> Look:
        """Work out and keep how row ``r`` looks."""
        row, now = self._rows[r], self._now
        closed = not ItemStatus(row.status).is_open
        # A closed item (listed on request) is no longer due: its state says how it ended.
        state = DueState.ON_TRACK if closed else due_state_of(row, now)
        waiting = None if closed else self._waiting_text(row, now)
        badge = row.escalation
        status = _STATUS_LABELS.get(row.status, row.status)
        cells = (
            f"Closed · {status}" if closed else waiting or state.label,
            "—" if closed else due_text(row, now),
            row.patient_display,
            row.phone or row.phone_raw or "",
            self._practices.get(row.practice_id, f"#{row.practice_id}"),
            _LANE_LABELS.get(row.lane, row.lane),
            row.reason or "",
            str(row.attempt_count),
            IN_HANDOFF
            if row.handoff_id is not None
            else _STATUS_LABELS.get(row.status, row.status),
            _ESC_LABELS.get(badge, "") if badge else "",
        )
        # A waiting item gets its own shape, not just its own words.
        shape = icon("done_today") if closed else icon("attempt") if waiting else state_icon(state)
        look = self._looks[r] = (cells, state, self._colours[state], shape, self._brushes[state])
        return look

    # -- look-ups for the window -------------------------------------------------------------

    def item_at(self, row: int) -> ListRow | None:
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
    # No flags() here: QAbstractTableModel's own (enabled, selectable, read-only) is what the
    # table needs, and a Python override would cost one more call per painted cell.

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows loaded (0 under a valid parent: a table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Fixed columns (0 under a valid parent)."""
        return 0 if parent.isValid() else _N_COLS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column titles."""
        if role == _DISPLAY and orientation == HORIZONTAL and 0 <= section < _N_COLS:
            return _HEADER_TEXTS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell data: a look-up in the row's look, worked out on its first paint."""
        r = index.row()
        looks = self._looks
        # An invalid index has row -1: that must not read the last row.
        if r < 0 or r >= len(looks):
            return None
        if role == _DISPLAY or role == _ACCESSIBLE:  # noqa: SIM109 (ints, fastest first)
            return (looks[r] or self._look(r))[0][index.column()]
        if role == _FOREGROUND:
            return (looks[r] or self._look(r))[2] if index.column() <= _DUE_IN else None
        if role == _DECORATION:
            return (looks[r] or self._look(r))[3] if index.column() == _STATE else None
        if role == _ALIGN:
            return _CENTER if index.column() == _ATTEMPTS else None
        if role < USER:
            if role == _TOOLTIP and index.column() == _STATE:
                return self._tooltip(r)
            return None
        if role == ItemIdRole:
            return self._rows[r].id
        if role == DueStateRole:
            return (looks[r] or self._look(r))[1].value
        if role == EscalationStateRole:
            return self._rows[r].escalation
        if role == ItemRowRole:
            return self._rows[r]
        return None

    def _tooltip(self, r: int) -> str:
        look = self._looks[r] or self._look(r)
        state = look[1]
        tip = f"{state.label}: {look[0][_DUE_IN]}"
        waiting = look[0][_STATE]
        return f"{waiting} ({tip})" if waiting != state.label else tip
