"""Lane outcomes, cancel with a reason, and complete/fail notes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import (
    NEEDS_IDENTITY_CHECK,
    CloseReason,
    Lane,
    Outcome,
    code_label,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.views import ItemRow
from vmadesk.services.work import WorkService
from vmadesk.ui.form_parts import error_label, fit_to_screen, note_edit, ok_cancel, show_error
from vmadesk.ui.widgets.identity_check import identity_checkbox
from vmadesk.ui.widgets.lane_outcome_panel import LaneOutcomePanel

__all__ = ["CancelDialog", "NoteActionDialog", "OutcomeDialog"]


class OutcomeDialog(QDialog):
    """The lane's finishing outcome for one item (a lane that has outcomes).

    Digits pick the outcome; "Coverage active" puts the cursor in the first empty figure
    (the plan comes prefilled), so N, O, 1, the figures with Tab between them and Enter
    record it. ``identity_checked`` carries a check already made in this call.
    """

    def __init__(
        self,
        work: WorkService,
        item: ItemRow,
        date_of_service: str = "",
        parent: QWidget | None = None,
        *,
        identity_checked: bool = False,
    ) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item.id
        self.lane = Lane(item.lane)
        self.setWindowTitle(f"Record outcome — {self.lane.label}")
        self.setAccessibleName("Record outcome")
        self.panel = LaneOutcomePanel(
            self.lane, plan=item.plan or "", date_of_service=date_of_service
        )
        self.panel.set_title(f"Outcome (keys 1–{len(self.panel.outcomes)})")
        self.panel.changed.connect(self._update)
        self.radios = self.panel.radios
        self.outcomes = self.panel.outcomes
        self.fields = self.panel.fields
        self.note = note_edit("Outcome note", lines=3)
        form = QFormLayout()
        form.addRow("Note:", self.note)
        self.identity = identity_checkbox()
        self.identity.setChecked(identity_checked)
        self.error = error_label()
        self.buttons_box, self.ok_button = ok_cancel(self, "Record outcome")
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addLayout(form)
        layout.addWidget(self.identity)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons_box)
        self._update()
        fit_to_screen(self)
        if self.radios:
            self.radios[0].setFocus()

    def choose(self, outcome: Outcome) -> None:
        """Pick an outcome (as the VMA's click or key would)."""
        self.panel.choose(outcome)

    def outcome(self) -> Outcome | None:
        """The chosen outcome."""
        return self.panel.outcome()

    def _update(self, *_args: object) -> None:
        outcome = self.outcome()
        self.identity.setVisible(outcome is None or outcome in NEEDS_IDENTITY_CHECK)
        self.ok_button.setEnabled(outcome is not None)

    def details(self) -> dict[str, str]:
        """The detail fields the chosen outcome carries."""
        return self.panel.details()

    def accept(self) -> None:
        """Record through the service; stay open on refusal."""
        outcome = self.outcome()
        if outcome is None:
            show_error(self.error, "Choose an outcome.")
            return
        problem = self.panel.problem(self.identity.isChecked())
        if problem:
            show_error(self.error, problem)
            return
        try:
            self.work.record_outcome(
                self.item_id,
                outcome,
                details=self.details(),
                note=self.note.toPlainText().strip(),
                identity_verified=self.identity.isChecked(),
            )
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()

    def keyPressEvent(self, event) -> None:
        """Digit keys pick outcomes and I ticks the identity check (text fields keep theirs)."""
        text = event.text()
        if text.isdigit() and self.panel.pick_digit(int(text)):
            return
        if text.lower() == "i" and self.identity.isVisible():
            self.identity.toggle()
            return
        super().keyPressEvent(event)


class CancelDialog(QDialog):
    """Cancel an item with a reason code."""

    def __init__(self, work: WorkService, item_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item_id
        self.setWindowTitle("Cancel item")
        self.setAccessibleName("Cancel item")
        self.reason = QComboBox()
        self.reason.setAccessibleName("Cancel reason")
        for reason in CloseReason:
            self.reason.addItem(code_label(reason.value), reason.value)
        self.note = note_edit("Cancel note")
        form = QFormLayout()
        form.addRow("Reason:", self.reason)
        form.addRow("Note:", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Cancel item")
        layout.addWidget(self.buttons_box)
        fit_to_screen(self)

    def accept(self) -> None:
        """Cancel through the service."""
        try:
            self.work.cancel(
                self.item_id,
                CloseReason(self.reason.currentData()),
                self.note.toPlainText().strip(),
            )
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()


class NoteActionDialog(QDialog):
    """Confirm a closing action (complete, fail) with an optional note."""

    def __init__(
        self,
        title: str,
        prompt: str,
        action: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.action = action
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.note = note_edit(f"{title} note")
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(QLabel("Note (optional):"))
        layout.addWidget(self.note)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, title)
        layout.addWidget(self.buttons_box)
        fit_to_screen(self)

    def accept(self) -> None:
        """Run the action; stay open on refusal."""
        try:
            self.action(self.note.toPlainText().strip())
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()
