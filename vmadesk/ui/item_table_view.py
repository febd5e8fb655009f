"""The item table's view: fixed row height, no per-row sizing, widths from the font.

Rows never size to their contents (0.5 s at 10,000 rows, DESIGN.md Known traps); widths come
from the font's metrics so they grow with 150 % scaling instead of clipping.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from vmadesk.ui.item_delegate import ItemDelegate
from vmadesk.ui.item_table_model import Column, ItemTableModel

#: Sample text per column: widths follow the font, so 150 % scaling never clips.
_SAMPLES = {
    Column.STATE: "WW Waiting · next try 14:10",
    Column.DUE_IN: "overdue 23 h 59 min",
    Column.PATIENT: "Montgomery-Smith, Alexandra",
    Column.PHONE: "+1 212 555 0199",
    Column.PRACTICE: "Riverside Family Medicine",
    Column.LANE: "Eligibility checks",
    Column.REASON: "Prescription refill request",
    Column.ATTEMPTS: "Attempts",
    Column.STATUS: "In handoff · awaiting ack",
    Column.ESCALATION: "⚑ Acknowledged",
}


class ItemTableView(QTableView):
    """A read-only, row-selecting table tuned for long lists."""

    #: Emitted once, right after the first paint: the lane is on screen.
    first_painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._painted = False
        self.setAccessibleName("Items")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setShowGrid(False)
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(int(self.fontMetrics().height() * 1.6))
        vertical.hide()
        horizontal = self.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setStretchLastSection(True)
        horizontal.setHighlightSections(False)
        # Paints from the model's worked-out looks: one Python call per cell, not seven.
        self._delegate = ItemDelegate(self)
        self.setItemDelegate(self._delegate)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Show a model; an :class:`ItemTableModel` is painted by the fast delegate."""
        super().setModel(model)
        self._delegate.model = model if isinstance(model, ItemTableModel) else None

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint; the first time, tell whoever waits for the lane to be on screen."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def apply_widths(self) -> None:
        """Column widths from the current font (call after setModel)."""
        metrics = self.fontMetrics()
        pad = metrics.averageCharWidth() * 3
        for column, sample in _SAMPLES.items():
            self.setColumnWidth(int(column), metrics.horizontalAdvance(sample) + pad)
        # Who to call must always be on screen: Patient is shown right after State (which
        # already says overdue / due soon), and the table never gets narrower than those two;
        # the columns after them may scroll.
        header = self.horizontalHeader()
        header.moveSection(header.visualIndex(int(Column.PATIENT)), 1)
        first = (Column.STATE, Column.PATIENT)
        frame = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(sum(self.columnWidth(int(c)) for c in first) + frame)
