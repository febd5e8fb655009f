"""Done today: the items closed this shift, searchable, each reopened with a reason.

Completing, failing or cancelling the wrong item is undone here: Reopen asks why (audited,
in the item's history) and puts the item back in its lane. Selecting a row drives the detail
pane, as every list of items does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.time_display import format_dual
from vmadesk.domain.vocabulary import ItemStatus, Lane, ReopenReason
from vmadesk.services.done_today import DoneToday
from vmadesk.services.errors import ActionRefused
from vmadesk.services.views import ItemRow
from vmadesk.services.work import WorkService
from vmadesk.ui.form_parts import error_label, note_edit, ok_cancel, show_error
from vmadesk.ui.models.history_text import outcome_words, reason_words, status_words
from vmadesk.ui.models.row_table import DISPLAY, RowTableModel

SEARCH_DEBOUNCE_MS = 150


def result_words(item: ItemRow) -> str:
    """How an item was closed: "Completed · confirmed", "Cancelled · duplicate"."""
    why = ""
    if item.status == ItemStatus.COMPLETED and item.outcome:
        why = outcome_words(item.outcome)
    elif item.status_reason:
        why = reason_words(item.status_reason)
    status = status_words(item.status)
    return f"{status} · {why.lower()}" if why else status


class DoneTableModel(RowTableModel[ItemRow]):
    """Closed items, newest first, with when and how each was closed."""

    HEADERS = ("Closed", "Patient", "Lane", "Result", "Attempts")

    def __init__(self, local_tz: str, parent: Any = None) -> None:
        super().__init__((), parent)
        self.local_tz = local_tz
        self._cells: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[ItemRow], now: datetime) -> None:  # type: ignore[override]
        """Replace the rows; cells are worded once per reset, not at each paint."""
        self.beginResetModel()
        self.rows = list(rows)
        self._cells = [
            (
                format_dual(r.closed_at, self.local_tz, self.local_tz, now) if r.closed_at else "",
                r.patient_display,
                Lane(r.lane).label,
                result_words(r),
                str(r.attempt_count),
            )
            for r in self.rows
        ]
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text."""
        if role == DISPLAY and index.isValid() and index.row() < len(self._cells):
            return self._cells[index.row()][index.column()]
        return None


class ReopenDialog(QDialog):
    """Reopen a closed item, with the reason why and an optional note."""

    def __init__(self, work: WorkService, item_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item_id
        self.setWindowTitle("Reopen item")
        self.setAccessibleName("Reopen item")
        explain = QLabel("The item goes back to its lane, not started; its history stays.")
        explain.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Reopen reason")
        for reason in ReopenReason:
            self.reason.addItem(reason.label, reason.value)
        self.note = note_edit("Reopen note")
        form = QFormLayout()
        form.addRow("&Reason:", self.reason)
        form.addRow("&Note:", self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Reopen")
        layout.addWidget(self.buttons_box)
        self.reason.setFocus()

    def accept(self) -> None:
        """Reopen through the service; stay open on refusal."""
        reason = ReopenReason(self.reason.currentData())
        note = self.note.toPlainText().strip()
        try:
            if reason is ReopenReason.OTHER and not note:
                raise ActionRefused("Say why in the note (the reason is 'Other').")
            self.work.reopen(self.item_id, reason, note)
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()


class DoneTodayView(QWidget):
    """The items closed this shift, a search box, and Reopen."""

    #: The item of the selected row (None: no row selected).
    item_selected = Signal(object)
    reopen_requested = Signal()

    def __init__(
        self,
        done: DoneToday,
        local_tz: str,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.done = done
        self.clock = clock
        #: Only this practice's items are listed (None: every practice).
        self.practice_id: int | None = None
        self.setAccessibleName("Done today")
        self.search = QLineEdit()
        self.search.setAccessibleName("Search done today")
        self.search.setPlaceholderText("Search what you closed: name, phone or reason")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._to_table)
        self.since = QLabel()
        self.since.setAccessibleName("Closed since")
        self.model = DoneTableModel(local_tz, self)
        self.table = QTableView()
        self.table.setAccessibleName("Items closed today")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.reopen_button = QPushButton("Re&open…")
        self.reopen_button.setAccessibleName("Reopen the selected item")
        self.reopen_button.setEnabled(False)
        self.reopen_button.clicked.connect(self.reopen_requested)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.reopen_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.since)
        layout.addWidget(self.table, 1)

    def reload(self, *_args: object) -> None:
        """Re-read the list, keeping the selected item when it is still listed."""
        self._search_timer.stop()
        keep = self.selected_id()
        now = self.clock()
        rows = self.done.items(search=self.search.text().strip(), practice_id=self.practice_id)
        self.model.set_rows(rows, now)
        since = self.done.since()
        tz = self.model.local_tz
        self.since.setText(
            f"{len(rows)} closed since {format_dual(since, tz, tz, now)}"
            " (the start of your shift, or of your day without one)"
        )
        for column in range(len(self.model.HEADERS) - 1):
            self.table.resizeColumnToContents(column)
        if keep is None or not self.select_item(keep):
            self._row_changed(QModelIndex(), QModelIndex())

    def clear(self) -> None:
        """Forget every row and the search (lock)."""
        self._search_timer.stop()
        self.model.set_rows([], self.clock())
        self.since.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)

    def selected_id(self) -> int | None:
        """The selected item's id."""
        index = self.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        return row.id if row is not None else None

    def select_item(self, item_id: int) -> bool:
        """Select an item's row if listed; returns whether it is."""
        return self.model.select_id(self.table, item_id)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        self.reopen_button.setEnabled(row is not None)
        self.item_selected.emit(row.id if row is not None else None)

    def _to_table(self) -> None:
        self.reload()
        if self.model.rows:
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, 0))
            self.table.setFocus()

    def keyPressEvent(self, event: Any) -> None:
        """Down from the search box goes into the list."""
        if event.key() == Qt.Key.Key_Down and self.search.hasFocus():
            self._to_table()
            return
        super().keyPressEvent(event)
