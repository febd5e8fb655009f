"""Unattended work: items whose holder's console has been away (lease lapsed), to reassign.

Such work is never granted to another VMA silently: it waits here. The supervisor picks a VMA
and a reason and reassigns (``Ctrl+Shift+R`` inside the tab); the hub records it, both VMAs'
consoles show a note, and it appears under Conflicts & takeovers. Hub calls run on a pool
thread through the window's runner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services import hub_records
from vmadesk.services.held_by_others import TAKEOVER_REASONS
from vmadesk.services.supervisor import SupervisorService
from vmadesk.ui.supervisor.board_tabs import table_view
from vmadesk.ui.supervisor.models import Column, RowModel, short
from vmadesk.ui.supervisor.tab_action import tab_action

Runner = Callable[..., Any]

UNATTENDED_COLUMNS: tuple[Column[hub_records.UnattendedClaim], ...] = (
    Column("item", "Item", lambda u: short(u.pseudonym)),
    Column("lane", "Lane", lambda u: u.lane.label if u.lane else "–"),
    Column("holder", "Held by", lambda u: u.holder),
    Column("since", "Held since", lambda u: u.since.astimezone().strftime("%Y-%m-%d %H:%M")),
    Column(
        "lapsed",
        "Unattended since",
        lambda u: u.lease_expired_at.astimezone().strftime("%Y-%m-%d %H:%M"),
    ),
)


class UnattendedTab(QWidget):
    """Unattended items; reassign the selected one to a VMA with a reason."""

    reassigned = Signal()

    def __init__(self, service: SupervisorService, run: Runner, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self._run = run
        self.model: RowModel[hub_records.UnattendedClaim] = RowModel(UNATTENDED_COLUMNS, self)
        self.view = table_view("unattended", self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Unattended work")
        self.vma = QComboBox(self)
        self.vma.setObjectName("reassignTo")
        self.reason = QComboBox(self)
        self.reason.setObjectName("reassignReason")
        for code, words in TAKEOVER_REASONS:
            self.reason.addItem(words, code)
        self.button = QPushButton("Reassi&gn", self)
        self.button.setObjectName("reassignButton")
        self.button.clicked.connect(self.reassign_selected)
        self.status = QLabel("", self)
        self.status.setObjectName("unattendedStatus")
        self.status.setWordWrap(True)
        self.reassign_action = tab_action(self, "Reassign", "Ctrl+Shift+R", self.reassign_selected)
        form = QFormLayout()
        form.addRow("&To:", self.vma)
        form.addRow("Rea&son:", self.reason)
        row = QHBoxLayout()
        row.addLayout(form)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Work whose holder's console has been away (its lease lapsed). Nobody else is "
                "given it until you reassign it.",
                self,
                wordWrap=True,
            )
        )
        layout.addWidget(self.view)
        layout.addLayout(row)
        layout.addWidget(self.status)

    def set_vmas(self, handles: list[str]) -> None:
        """The VMAs work can be reassigned to (kept selected across refreshes)."""
        current = self.vma.currentText()
        if [self.vma.itemText(i) for i in range(self.vma.count())] == handles:
            return
        self.vma.clear()
        self.vma.addItems(handles)
        if current in handles:
            self.vma.setCurrentText(current)

    def refresh(self) -> None:
        """Fetch the list (worker thread)."""
        self._run(self.service.unattended, on_success=self.show_unattended)

    def show_unattended(self, claims: list[hub_records.UnattendedClaim]) -> None:
        """Replace the list."""
        self.model.set_rows(claims)
        if claims and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        self.view.resizeColumnsToContents()

    def selected(self) -> hub_records.UnattendedClaim | None:
        """The selected item."""
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def reassign_selected(self) -> None:
        """Reassign the selected item to the chosen VMA with the chosen reason."""
        claim = self.selected()
        to = self.vma.currentText()
        if claim is None or not to:
            self.status.setText("Select an item and a VMA first.")
            return
        if to == claim.holder:
            self.status.setText(f"{to} holds it already: pick another VMA.")
            return
        reason = hub_records.TakeoverReason(self.reason.currentData())
        self._run(self.service.reassign, claim.pseudonym, to, reason, on_success=self._done)

    def _done(self, result: hub_records.TakeoverResult) -> None:
        self.status.setText(
            f"Reassigned {short(result.claim.pseudonym)} from "
            f"{result.previous_holder or 'nobody'} to {result.claim.held_by}."
        )
        self.reassigned.emit()
        self.refresh()
