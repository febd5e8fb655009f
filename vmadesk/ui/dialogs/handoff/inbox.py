"""Shift → Handoffs…: packets that came through the hub, and what receivers answered.

The upper list holds packets addressed to this VMA (fetched by the background sync) with how
many items are still to decide; Review opens
:class:`~vmadesk.ui.dialogs.handoff.review.ReviewPacketDialog` on one. The lower list shows
the items of packets this VMA sent: acknowledged with the receiver's restated next action,
declined with the receiver's reason, or still waiting.

The dialog holds PHI (patient names in the lower list): the idle lock rejects it, and it drops
its rows however it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import HandoffItemState, Lane
from vmadesk.services.console import Console
from vmadesk.services.handoff_hub import InboxEntry, SentLine, inbox, sent_lines
from vmadesk.ui.dialogs.handoff.parts import fit_to_screen, items_table
from vmadesk.ui.models.row_table import ACCESSIBLE, DISPLAY, RowTableModel

_SENT_STATE = {
    HandoffItemState.PENDING: "Waiting for the receiver",
    HandoffItemState.ACKNOWLEDGED: "Acknowledged",
    HandoffItemState.DECLINED: "Declined — back with you",
}


def _when(stamp: str, tz: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone(load_zone(tz)).strftime("%a %d %b %H:%M")
    except (ValueError, TypeError):
        return ""


class InboxModel(RowTableModel[InboxEntry]):
    """Packets received through the hub (handles and counts only)."""

    HEADERS = ("From", "Received", "Items", "To decide")

    def __init__(self, rows: list[InboxEntry], tz: str, parent: Any = None) -> None:
        super().__init__(rows, parent)
        self.tz = tz

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text."""
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or role not in (DISPLAY, ACCESSIBLE):
            return None
        return (
            row.sender,
            _when(row.received_at, self.tz),
            str(row.items),
            str(row.pending) if row.pending else "none (answered)",
        )[index.column()]


class SentModel(RowTableModel[SentLine]):
    """Items of packets sent, with the receiver's next action or reason."""

    HEADERS = ("To", "Sent", "Patient", "Lane", "Answer", "Their words")

    def __init__(self, rows: list[SentLine], tz: str, parent: Any = None) -> None:
        super().__init__(rows, parent)
        self.tz = tz

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text."""
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or role not in (DISPLAY, ACCESSIBLE):
            return None
        return (
            row.receiver,
            _when(row.sent_at, self.tz),
            row.patient,
            Lane(row.lane).label,
            _SENT_STATE.get(HandoffItemState(row.state), row.state),
            row.words,
        )[index.column()]


class HandoffsDialog(QDialog):
    """Shift → Handoffs…: the hub inbox and the answers to packets sent."""

    review_requested = Signal(int)

    def __init__(
        self,
        ctx: Console,
        *,
        sync_now: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sync_now = sync_now
        self.setWindowTitle("Handoffs")
        self.inbox_model = InboxModel([], ctx.local_tz, self)
        self.inbox_table = items_table(self.inbox_model, "Handoffs received through the hub")
        self.inbox_table.doubleClicked.connect(lambda _i: self.review())
        self.sent_model = SentModel([], ctx.local_tz, self)
        self.sent_table = items_table(self.sent_model, "Items you handed off")
        for table in (self.inbox_table, self.sent_table):
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
        self.review_button = QPushButton("&Review…")
        self.review_button.setDefault(True)
        self.review_button.clicked.connect(self.review)
        self.check_button = QPushButton("&Check the hub now")
        self.check_button.clicked.connect(self._check)
        self.check_button.setEnabled(sync_now is not None)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Handoffs message")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Received through the hub, to acknowledge or decline:"))
        layout.addWidget(self.inbox_table, 1)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Handed off by you — what the receiver answered:"))
        layout.addWidget(self.sent_table, 2)
        layout.addWidget(self.message)
        layout.addWidget(close)
        fit_to_screen(self, 960, 600)
        self.reload()

    def reload(self, _status: object = None) -> None:
        """Read the inbox and the answers again (after a sync round: ``_status`` is its report)."""
        conn = self.ctx.session.conn
        self.inbox_model.set_rows(inbox(conn))
        self.sent_model.set_rows(sent_lines(conn))
        if self.inbox_model.rowCount():
            self.inbox_table.selectRow(0)
            self.message.setText("")
        else:
            self.message.setText("Nothing waits for you from the hub.")
        self.review_button.setEnabled(bool(self.inbox_model.rowCount()))

    def _check(self) -> None:
        if self.sync_now is not None:
            self.sync_now()
            self.message.setText("Asked the hub; the lists update when the round is done.")

    def review(self) -> int | None:
        """Open the review of the selected packet; returns its local id."""
        entry = self.inbox_model.row_at(self.inbox_table.currentIndex().row())
        if entry is None:
            return None
        self.review_requested.emit(entry.handoff_id)
        return entry.handoff_id

    def done(self, result: int) -> None:
        """Drop the PHI held by the dialog whatever way it closes."""
        self.sent_model.set_rows([])
        self.inbox_model.set_rows([])
        super().done(result)
