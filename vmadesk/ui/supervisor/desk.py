"""The escalation desk: open escalations team-wide, most urgent first.

Keys (on the desk): ``A`` acknowledges the selected escalation; ``R`` then a digit resolves it
with that resolution code (the digits are listed in the status line while ``R`` waits); ``Esc``
cancels; ``D`` shows the SBAR details the VMA's console sealed to this supervisor (opened with
the supervisor profile's key, audited, cleared on close). Opening the tab puts the focus on the
list with a row selected, so ``A`` works at once
(the keys are scoped to the desk, and the tab bar keeps the focus otherwise). "Show resolved"
lists resolved escalations too (for looking back; they cannot be acknowledged or resolved
again). Every hub call runs on a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from vmadesk.services import hub_records
from vmadesk.services.errors import ActionRefused
from vmadesk.services.supervisor import SupervisorService
from vmadesk.ui.supervisor.board_tabs import table_view
from vmadesk.ui.supervisor.models import ESCALATION_COLUMNS, ROW_ROLE, RowModel
from vmadesk.ui.supervisor.spotchecks import EvidenceDialog
from vmadesk.ui.supervisor.tab_action import tab_action

#: Resolution codes in digit order (1…8).
RESOLUTION_KEYS: tuple[hub_records.ResolutionCode, ...] = tuple(hub_records.ResolutionCode)

Runner = Callable[..., Any]


def resolution_help() -> str:
    """``1 advice given · 2 forwarded to clinician · …``."""
    return " · ".join(
        f"{i} {code.value.replace('_', ' ')}" for i, code in enumerate(RESOLUTION_KEYS, 1)
    )


class EscalationDesk(QWidget):
    """Acknowledge with A, resolve with R + digit; the list refreshes after each change."""

    changed = Signal()

    def __init__(self, service: SupervisorService, run: Runner, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self._run = run
        self.resolving = False
        self.model: RowModel[hub_records.EscalationRecord] = RowModel(ESCALATION_COLUMNS, self)
        self.view = table_view("escalationDesk", self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Open escalations")
        self.status = QLabel("A acknowledge · R then 1–8 resolve · F5 refresh", self)
        self.status.setObjectName("deskStatus")
        self.status.setWordWrap(True)
        self.show_resolved = QCheckBox("Show resol&ved", self)
        self.show_resolved.setObjectName("deskShowResolved")
        self.show_resolved.toggled.connect(lambda _on: self.refresh())
        layout = QVBoxLayout(self)
        layout.addWidget(self.show_resolved)
        layout.addWidget(self.view)
        layout.addWidget(self.status)
        self.ack_action = tab_action(
            self, "&Acknowledge escalation", "A", self.acknowledge_selected
        )
        self.resolve_action = tab_action(self, "&Resolve escalation…", "R", self.start_resolve)
        self.details_action = tab_action(self, "Escalation &details…", "D", self.show_details)
        #: Opens sealed details with the supervisor profile's key (None: no profile, no key).
        self.open_details: Callable[[hub_records.EscalationRecord], list[str]] | None = None
        self.details_dialog: EvidenceDialog | None = None
        tab_action(self, "Cancel resolve", "Esc", self.cancel_resolve)
        for digit in range(1, len(RESOLUTION_KEYS) + 1):
            tab_action(
                self,
                f"Resolution {digit}",
                str(digit),
                lambda _checked=False, d=digit: self.resolve_with_digit(d),
            )

    # -- data ------------------------------------------------------------------------------

    def show_escalations(self, records: list[hub_records.EscalationRecord]) -> None:
        """Replace the list, keeping the selection on the same escalation when possible."""
        chosen = self.selected()
        self.model.set_rows(records)
        self.view.resizeColumnsToContents()
        row = 0
        if chosen is not None:
            ids = [r.escalation_id for r in records]
            row = ids.index(chosen.escalation_id) if chosen.escalation_id in ids else 0
        if records:
            self.view.selectRow(row)

    def focus_list(self) -> None:
        """Put the keyboard on the list, with a row selected (the tab was just opened)."""
        self.view.setFocus()
        if not self.view.currentIndex().isValid() and self.model.rowCount():
            self.view.selectRow(0)

    def include_resolved(self) -> bool:
        """Whether resolved escalations are listed too (read on the UI thread)."""
        return self.show_resolved.isChecked()

    def selected(self) -> hub_records.EscalationRecord | None:
        """The escalation under the cursor."""
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def refresh(self) -> None:
        """Reload the list (worker thread): open escalations, and resolved ones when shown."""
        self._run(
            self.service.desk_escalations, self.include_resolved(), on_success=self.show_escalations
        )

    def _actionable(self) -> hub_records.EscalationRecord | None:
        record = self.selected()
        if record is not None and record.state is hub_records.EscalationState.RESOLVED:
            self.status.setText(f"{record.category.label} ({record.vma}) is already resolved.")
            return None
        return record

    # -- actions ---------------------------------------------------------------------------

    def acknowledge_selected(self) -> None:
        """A: acknowledge the selected escalation."""
        record = self._actionable()
        if record is None:
            return
        self.status.setText(f"Acknowledging {record.category.label} ({record.vma})…")
        self._run(self.service.acknowledge, record.escalation_id, on_success=self._done)

    def start_resolve(self) -> None:
        """R: wait for a digit naming the resolution code."""
        if self._actionable() is None:
            return
        self.resolving = True
        self.status.setText("Resolve with: " + resolution_help() + " (Esc cancels)")

    def cancel_resolve(self) -> None:
        """Esc: leave resolve mode."""
        if self.resolving:
            self.resolving = False
            self.status.setText("Resolve cancelled.")

    def resolve_with_digit(self, digit: int) -> None:
        """A digit after R: resolve with that code."""
        record = self.selected()
        if not self.resolving or record is None:
            return
        self.resolving = False
        code = RESOLUTION_KEYS[digit - 1]
        self.status.setText(f"Resolving as {code.value.replace('_', ' ')}…")
        self._run(self.service.resolve, record.escalation_id, code, on_success=self._done)

    def show_details(self) -> None:
        """D: the selected escalation's SBAR text, opened from the box sealed to this supervisor."""
        record = self.selected()
        if record is None:
            return
        if self.open_details is None:
            self.status.setText(
                "Details open with a supervisor profile's key: start with --profile."
            )
            return
        try:
            lines = self.open_details(record)
        except ActionRefused as error:
            self.status.setText(str(error))
            return
        self.details_dialog = EvidenceDialog(
            lines,
            self,
            title="Escalation details",
            intro="The VMA's SBAR note, sealed to you. Viewing is audited; nothing is kept "
            "after you close this.",
        )
        del lines
        self.details_dialog.destroyed.connect(self._details_gone)
        self.details_dialog.open()

    def _details_gone(self) -> None:
        self.details_dialog = None

    def _done(self, record: hub_records.EscalationRecord) -> None:
        self.status.setText(f"{record.category.label} ({record.vma}): {record.state.value}.")
        self.changed.emit()
        self.refresh()
