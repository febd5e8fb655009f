"""The Escalations view: every escalation with its state, acknowledged and resolved by hand.

Delivery to the supervisor comes with the hub; until then the lifecycle runs locally.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.time_display import format_dual
from vmadesk.domain.vocabulary import EscalationCategory
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import EscalationService
from vmadesk.store.escalations import EscalationRow
from vmadesk.store.timestamps import from_db
from vmadesk.ui.dialog_parts import error_label, note_edit, ok_cancel, show_error
from vmadesk.ui.outcome_dialogs import code_label
from vmadesk.ui.row_table_model import DISPLAY, RowTableModel

USER = int(Qt.ItemDataRole.UserRole)
EscalationIdRole = USER + 1
ItemIdRole = USER + 2

RESOLUTION_CODES = (
    "resolved_by_supervisor",
    "patient_contacted",
    "no_action_needed",
    "referred_to_clinician",
    "other",
)


def _category(code: str) -> str:
    try:
        return EscalationCategory(code).label
    except ValueError:
        return code


class EscalationTableModel(RowTableModel[EscalationRow]):
    """Escalations as listed by the service (most urgent first)."""

    HEADERS = ("Raised", "Item", "Category", "Urgency", "State", "Situation", "Resolution")

    def __init__(self, local_tz: str, parent: QObject | None = None) -> None:
        super().__init__((), parent)
        self.local_tz = local_tz
        self._cells: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[EscalationRow], now: datetime) -> None:  # type: ignore[override]
        """Replace the rows (a reset; the list is short).

        Unlike the base class this takes ``now``: the cells are formatted once per reset, with
        times relative to it, so that painting never formats a date.
        """
        self.beginResetModel()
        self.rows = list(rows)
        self._cells = [self._format(r, now) for r in self.rows]
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (lock)."""
        self.set_rows([], datetime.now().astimezone())

    def _format(self, r: EscalationRow, now: datetime) -> tuple[str, ...]:
        return (
            format_dual(from_db(r.raised_at), self.local_tz, self.local_tz, now),
            f"#{r.item_id}",
            _category(r.category),
            r.urgency.capitalize(),
            r.state.capitalize(),
            r.situation,
            code_label(r.resolution_code) if r.resolution_code else "",
        )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text and ids."""
        r = index.row()
        if not index.isValid() or r >= len(self.rows):
            return None
        if role == DISPLAY:
            return self._cells[r][index.column()]
        if role == EscalationIdRole:
            return self.rows[r].id
        if role == ItemIdRole:
            return self.rows[r].item_id
        return None


class ResolveDialog(QDialog):
    """Resolve an escalation by hand with a code and an optional note."""

    def __init__(
        self, service: EscalationService, escalation_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.escalation_id = escalation_id
        self.setWindowTitle("Resolve escalation")
        self.setAccessibleName("Resolve escalation")
        self.code = QComboBox()
        self.code.setAccessibleName("Resolution code")
        for code in RESOLUTION_CODES:
            self.code.addItem(code_label(code), code)
        self.note = note_edit("Resolution note")
        form = QFormLayout()
        form.addRow("Resolution:", self.code)
        form.addRow("Note:", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Resolve")
        layout.addWidget(self.buttons_box)

    def accept(self) -> None:
        """Resolve through the service."""
        try:
            self.service.resolve(
                self.escalation_id, self.code.currentData(), self.note.toPlainText().strip()
            )
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()


class EscalationsView(QWidget):
    """Table of escalations with acknowledge / resolve buttons."""

    changed = Signal()
    message = Signal(str)
    item_activated = Signal(int)

    def __init__(
        self, service: EscalationService, local_tz: str, clock: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.clock = clock
        self.dialog: QDialog | None = None
        self.setAccessibleName("Escalations")
        self.model = EscalationTableModel(local_tz, self)
        self.table = QTableView()
        self.table.setAccessibleName("Escalations table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._activated)
        self.show_resolved = QCheckBox("Show resolved")
        self.show_resolved.setAccessibleName("Show resolved escalations")
        self.show_resolved.toggled.connect(self.reload)
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.setAccessibleName("Acknowledge escalation")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.resolve_button = QPushButton("Resolve…")
        self.resolve_button.setAccessibleName("Resolve escalation")
        self.resolve_button.clicked.connect(self.resolve_selected)
        note = QLabel("Resolved by hand until the team hub relays escalations.")
        note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.show_resolved)
        bar.addStretch(1)
        bar.addWidget(self.ack_button)
        bar.addWidget(self.resolve_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)

    def reload(self, *_args: object) -> None:
        """Re-read the listing."""
        rows = self.service.listing(open_only=not self.show_resolved.isChecked())
        self.model.set_rows(rows, self.clock())

    def clear(self) -> None:
        """Forget every row (lock)."""
        self.model.clear()

    def selected(self) -> EscalationRow | None:
        """The selected escalation."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        """Select a row (keyboard or tests)."""
        self.table.selectRow(row)

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.item_activated.emit(row.item_id)

    def acknowledge_selected(self) -> None:
        """Acknowledge the selected escalation."""
        row = self.selected()
        if row is None:
            self.message.emit("Select an escalation first.")
            return
        try:
            self.service.acknowledge(row.id)
        except ActionRefused as exc:
            self.message.emit(str(exc))
            return
        self.message.emit(f"Escalation #{row.id} acknowledged.")
        self.reload()
        self.changed.emit()

    def resolve_selected(self) -> None:
        """Open the resolve dialog for the selected escalation."""
        row = self.selected()
        if row is None:
            self.message.emit("Select an escalation first.")
            return
        self.dialog = ResolveDialog(self.service, row.id, self)
        self.dialog.accepted.connect(self._resolved)
        self.dialog.open()

    def _resolved(self) -> None:
        self.message.emit("Escalation resolved.")
        self.reload()
        self.changed.emit()
