"""Lane outcomes (confirmation, eligibility), cancel with a reason, and complete/fail notes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import (
    LANE_OUTCOMES,
    NEEDS_IDENTITY_CHECK,
    CloseReason,
    Lane,
    Outcome,
    code_label,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.work import WorkService
from vmadesk.store.items import ItemRow
from vmadesk.ui.attempt_dialog import IDENTITY_TEXT
from vmadesk.ui.dialog_parts import error_label, note_edit, ok_cancel, show_error

#: Detail fields of "coverage active", with their labels.
COVERAGE_FIELDS = (
    ("plan", "Plan"),
    ("copay", "Copay"),
    ("deductible_remaining", "Deductible remaining"),
    ("reference_number", "Reference number"),
)


class OutcomeDialog(QDialog):
    """The lane's finishing outcome for one item (confirmation or eligibility)."""

    def __init__(
        self,
        work: WorkService,
        item: ItemRow,
        date_of_service: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item.id
        self.lane = Lane(item.lane)
        self.setWindowTitle(f"Record outcome — {self.lane.label}")
        self.setAccessibleName("Record outcome")
        outcomes = LANE_OUTCOMES[self.lane]

        box = QGroupBox(f"Outcome (keys 1–{len(outcomes)})")
        box.setAccessibleName("Outcome")
        box_layout = QVBoxLayout(box)
        self.group = QButtonGroup(self)
        self.outcomes = outcomes
        self.radios: list[QRadioButton] = []
        for i, outcome in enumerate(outcomes):
            radio = QRadioButton(f"{i + 1}  {outcome.label}")
            radio.setAccessibleName(outcome.label)
            self.group.addButton(radio, i)
            box_layout.addWidget(radio)
            self.radios.append(radio)
        self.group.idToggled.connect(self._update)

        layout = QVBoxLayout(self)
        layout.addWidget(box)

        self.fields: dict[str, QLineEdit] = {}
        self.coverage = QGroupBox("Coverage details")
        self.coverage.setAccessibleName("Coverage details")
        cov_form = QFormLayout(self.coverage)
        if self.lane is Lane.ELIGIBILITY:
            dos = QLabel(date_of_service or "(no appointment date)")
            dos.setAccessibleName("Date of service")
            cov_form.addRow("Checked for date of service:", dos)
            for key, label in COVERAGE_FIELDS:
                edit = QLineEdit(item.plan or "" if key == "plan" else "")
                edit.setAccessibleName(label)
                self.fields[key] = edit
                cov_form.addRow(f"{label}:", edit)
            layout.addWidget(self.coverage)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason unable to verify")
        self.reason.setPlaceholderText("e.g. payer portal down")
        self.reason_label = QLabel("Reason (unable to verify):")
        self.note = note_edit("Outcome note")
        form = QFormLayout()
        if self.lane is Lane.ELIGIBILITY:
            form.addRow(self.reason_label, self.reason)
        form.addRow("Note:", self.note)
        layout.addLayout(form)
        self.identity = QCheckBox(IDENTITY_TEXT)
        self.identity.setAccessibleName("Identity verified")
        layout.addWidget(self.identity)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Record outcome")
        layout.addWidget(self.buttons_box)
        self._update()

    def choose(self, outcome: Outcome) -> None:
        """Pick an outcome (as the VMA's click or key would)."""
        self.radios[self.outcomes.index(outcome)].setChecked(True)

    def outcome(self) -> Outcome | None:
        """The chosen outcome."""
        i = self.group.checkedId()
        return self.outcomes[i] if i >= 0 else None

    def _update(self, *_args: object) -> None:
        outcome = self.outcome()
        self.coverage.setEnabled(outcome is Outcome.COVERAGE_ACTIVE)
        self.reason.setEnabled(outcome is Outcome.UNABLE_TO_VERIFY)
        self.reason_label.setEnabled(outcome is Outcome.UNABLE_TO_VERIFY)
        self.identity.setVisible(outcome is None or outcome in NEEDS_IDENTITY_CHECK)
        self.ok_button.setEnabled(outcome is not None)

    def details(self) -> dict[str, str]:
        """The detail fields the chosen outcome carries."""
        outcome = self.outcome()
        if outcome is Outcome.COVERAGE_ACTIVE:
            return {k: e.text().strip() for k, e in self.fields.items()}
        if outcome is Outcome.UNABLE_TO_VERIFY:
            return {"reason": self.reason.text().strip()}
        return {}

    def accept(self) -> None:
        """Record through the service; stay open on refusal."""
        outcome = self.outcome()
        if outcome is None:
            show_error(self.error, "Choose an outcome.")
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
        """Digit keys pick outcomes when no text field has focus."""
        text = event.text()
        if text.isdigit() and 1 <= int(text) <= len(self.radios):
            self.radios[int(text) - 1].setChecked(True)
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

    def accept(self) -> None:
        """Run the action; stay open on refusal."""
        try:
            self.action(self.note.toPlainText().strip())
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()
