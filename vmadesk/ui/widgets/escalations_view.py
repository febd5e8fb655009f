"""The Escalations view: every escalation with its state, acknowledged and resolved by hand.

Each row names the patient, practice and lane (PHI on screen only), most urgent first; the
selected escalation's full SBAR text shows under the table. Without a team hub the
supervisor answers by phone and the VMA records it here; with a hub it updates itself.
"""

from __future__ import annotations

from collections.abc import Callable
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
from vmadesk.domain.vocabulary import EscalationCategory, code_label
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import EscalationService
from vmadesk.services.views import EscalationRow, from_db
from vmadesk.services.worklist import EscalationSubject
from vmadesk.ui.form_parts import error_label, note_edit, ok_cancel, show_error
from vmadesk.ui.models.row_table import DISPLAY, RowTableModel

USER = int(Qt.ItemDataRole.UserRole)
EscalationIdRole = USER + 1
ItemIdRole = USER + 2

FOOTER = (
    "Acknowledge/resolve here when your supervisor tells you by phone; "
    "with a team hub this updates itself."
)
#: Item id -> patient, practice and lane of the item escalated.
SubjectLookup = Callable[[list[int]], dict[int, EscalationSubject]]

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
    """Escalations as listed by the service (most urgent first, then oldest)."""

    HEADERS = (
        "Urgency",
        "Raised",
        "Patient",
        "Practice",
        "Lane",
        "Category",
        "State",
        "Resolution",
        "Situation",
    )

    def __init__(
        self,
        local_tz: str,
        parent: QObject | None = None,
        *,
        subjects: SubjectLookup | None = None,
    ) -> None:
        super().__init__((), parent)
        self.local_tz = local_tz
        self._subjects = subjects
        self._about: dict[int, EscalationSubject] = {}
        self._cells: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[EscalationRow], now: datetime) -> None:  # type: ignore[override]
        """Replace the rows (a reset; the list is short).

        Unlike the base class this takes ``now``: the cells are formatted once per reset, with
        times relative to it, so that painting never formats a date.
        """
        self.beginResetModel()
        self.rows = list(rows)
        ids = [r.item_id for r in self.rows]
        self._about = self._subjects(ids) if self._subjects is not None and ids else {}
        self._cells = [self._format(r, now) for r in self.rows]
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (lock)."""
        self.set_rows([], datetime.now().astimezone())

    def _format(self, r: EscalationRow, now: datetime) -> tuple[str, ...]:
        about = self._about.get(r.item_id)
        return (
            r.urgency.capitalize(),
            format_dual(from_db(r.raised_at), self.local_tz, self.local_tz, now),
            about.patient if about else f"item #{r.item_id}",
            about.practice if about else "",
            about.lane.label if about else "",
            _category(r.category),
            r.state.capitalize(),
            code_label(r.resolution_code) if r.resolution_code else "",
            " ".join(r.situation.split()),
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
    #: The item of the selected escalation (None: no escalation selected).
    item_selected = Signal(object)

    def __init__(
        self,
        service: EscalationService,
        local_tz: str,
        clock: Any,
        parent: QWidget | None = None,
        *,
        subjects: SubjectLookup | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.clock = clock
        self.dialog: QDialog | None = None
        #: Only escalations of this practice's items are listed (None: every practice).
        self.practice_id: int | None = None
        self._subjects = subjects
        self.setAccessibleName("Escalations")
        self.model = EscalationTableModel(local_tz, self, subjects=subjects)
        self.table = QTableView()
        self.table.setAccessibleName("Escalations table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._show_sbar)
        self.table.setWordWrap(False)
        # The whole SBAR of the selected row: the Situation cell is one line and cut off.
        self.sbar = QLabel()
        self.sbar.setAccessibleName("Escalation SBAR")
        self.sbar.setWordWrap(True)
        self.sbar.setTextFormat(Qt.TextFormat.PlainText)
        self.sbar.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_resolved = QCheckBox("Show resolved")
        self.show_resolved.setAccessibleName("Show resolved escalations")
        self.show_resolved.toggled.connect(self.reload)
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.setAccessibleName("Acknowledge escalation")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.resolve_button = QPushButton("Resolve…")
        self.resolve_button.setAccessibleName("Resolve escalation")
        self.resolve_button.clicked.connect(self.resolve_selected)
        note = QLabel(FOOTER)
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
        layout.addWidget(self.sbar)
        layout.addWidget(note)

    def rows_shown(self, *, open_only: bool) -> list[EscalationRow]:
        """The escalations of the practice in view (every practice when none is chosen)."""
        rows = self.service.listing(open_only=open_only)
        if self.practice_id is None or self._subjects is None or not rows:
            return rows
        about = self._subjects([r.item_id for r in rows])
        return [
            r
            for r in rows
            if r.item_id in about and about[r.item_id].practice_id == self.practice_id
        ]

    def reload(self, *_args: object) -> None:
        """Re-read the listing, keeping the selected escalation when it is still listed."""
        keep = self.selected_id()
        rows = self.rows_shown(open_only=not self.show_resolved.isChecked())
        self.model.set_rows(rows, self.clock())
        self.sbar.clear()
        # Fit every column but the last (Situation), which takes the rest of the width.
        for column in range(len(self.model.HEADERS) - 1):
            self.table.resizeColumnToContents(column)
        if keep is None or not self.select_escalation(keep):
            # A reset leaves no current row and says nothing: whoever follows the
            # selection (the detail pane, Call) must let go of the previous patient.
            self.item_selected.emit(None)

    def clear(self) -> None:
        """Forget every row (lock)."""
        self.model.clear()
        self.sbar.clear()

    def selected_id(self) -> int | None:
        """Id of the selected escalation, if any."""
        row = self.selected()
        return row.id if row is not None else None

    def select_escalation(self, escalation_id: int) -> bool:
        """Select an escalation if it is listed; returns whether it is."""
        return self.model.select_id(self.table, escalation_id)

    def _show_sbar(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        self.item_selected.emit(row.item_id if row is not None else None)
        if row is None:
            self.sbar.clear()
            return
        parts = [("Situation", row.situation), ("Background", row.background)]
        parts += [("Assessment", row.assessment), ("Request", row.request)]
        if row.resolution_note:
            parts.append(("Resolution note", row.resolution_note))
        self.sbar.setText("\n".join(f"{name}: {text}" for name, text in parts if text))

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
