"""The "Held by others" dialog: items another VMA holds, and taking one over with a reason.

It shows no patient detail: the item number, its lane and due time, who holds it, since when,
whether they are working it, it is unattended or done, and which of your calls and notes on it
went to them (work done before your console learnt who holds it is never lost). Taking over
talks to the team hub on a pool thread (its own database connection); the UI thread never waits
on the network.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services.console import Console
from vmadesk.services.errors import ActionRefused
from vmadesk.services.held_by_others import (
    TAKEOVER_REASONS,
    HeldItem,
    TakeoverReason,
    held_by_others,
    parse_reason,
    take_over,
)
from vmadesk.ui import workers
from vmadesk.ui.models.row_table import ACCESSIBLE, DISPLAY, RowTableModel


class HeldItemsModel(RowTableModel[HeldItem]):
    """Items another VMA holds: no patient detail, one row per item."""

    HEADERS = ("Item", "Lane", "Due", "Held by", "Since", "Status", "Your work")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text."""
        held = self.row_at(index.row()) if index.isValid() else None
        if held is None or role not in (DISPLAY, ACCESSIBLE):
            return None
        return (
            str(held.item_id),
            held.lane.label,
            _local(held.due),
            held.held_by,
            _local(held.since),
            held.status_words,
            held.passed_words,
        )[index.column()]


def _local(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at else "–"


def _run_takeover(
    _progress: workers.Progress, console: Console, item_id: int, reason: TakeoverReason
) -> str:
    """On a pool thread: its own connection, the takeover, closed again."""
    with console.for_worker() as worker:
        return take_over(worker.conn, item_id, reason)


class HeldByOthersDialog(QDialog):
    """Items held by other VMAs; select one, pick a reason, take it over."""

    taken_over = Signal(int)

    def __init__(self, console: Console, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.job: workers.Job | None = None
        self.setWindowTitle("Held by others")
        self.setObjectName("heldByOthersDialog")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Items you imported that another VMA holds at the team hub. Take one over only "
                "when you must work it: the reason is recorded, and they and the supervisor "
                "see it.",
                self,
                wordWrap=True,
            )
        )
        self.model = HeldItemsModel(parent=self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setObjectName("heldTable")
        self.table.setAccessibleName("Items held by other VMAs")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        form = QFormLayout()
        self.reason = QComboBox(self)
        self.reason.setObjectName("takeoverReason")
        for code, words in TAKEOVER_REASONS:
            self.reason.addItem(words, code)
        form.addRow("&Reason:", self.reason)
        layout.addLayout(form)
        self.message = QLabel("", self, wordWrap=True)
        self.message.setObjectName("takeoverMessage")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.take_button = QPushButton("&Take over", self)
        self.take_button.setObjectName("takeOverButton")
        buttons.addButton(self.take_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.take_button.clicked.connect(self.take_over_selected)
        layout.addWidget(buttons)
        self.resize(860, 360)
        self.refresh()

    def refresh(self) -> None:
        """Reload the list from the store."""
        rows = held_by_others(self.console.conn)
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self.take_button.setEnabled(bool(rows) and self.job is None)
        if not rows and not self.message.text():
            self.message.setText("Nothing of yours is held by another VMA.")

    def selected_item(self) -> int | None:
        """The selected row's item id."""
        rows = self.table.selectionModel().selectedRows()
        held = self.model.row_at(rows[0].row()) if rows else None
        return held.item_id if held is not None else None

    def chosen_reason(self) -> TakeoverReason:
        """The reason picked in the list."""
        return parse_reason(str(self.reason.currentData()))

    def take_over_selected(self) -> None:
        """Take over the selected item at the hub, on a pool thread."""
        item_id = self.selected_item()
        if item_id is None or self.job is not None:
            return
        self.take_button.setEnabled(False)
        self.message.setText("Asking the team hub…")
        self.job = workers.start(
            _run_takeover,
            self.console,
            item_id,
            self.chosen_reason(),
            on_success=lambda text: self._done(item_id, str(text)),
            on_error=self._failed,
            parent=self,
        )

    def _done(self, item_id: int, text: str) -> None:
        self.job = None
        self.message.setText(text)
        self.refresh()
        self.taken_over.emit(item_id)

    def _failed(self, error: BaseException) -> None:
        self.job = None
        if isinstance(error, ActionRefused):
            self.message.setText(str(error))
        else:
            self.message.setText("The takeover did not go through; nothing changed.")
        self.refresh()
