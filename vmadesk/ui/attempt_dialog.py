"""Log a contact attempt: outcome on a digit key, number dialled, note, identity check.

Keys 1..7 pick the contact outcomes in ``CONTACT_OUTCOMES`` order; Enter logs. The dialog calls
the service itself and stays open with the refusal message when the service says no.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import CONTACT_OUTCOMES, NEEDS_IDENTITY_CHECK, Outcome
from vmadesk.services.errors import ActionRefused
from vmadesk.services.work import AttemptResult, WorkService
from vmadesk.ui.dialog_parts import error_label, ok_cancel, show_error
from vmadesk.ui.qt_time import datetime_edit, from_qdatetime

IDENTITY_TEXT = "Identity verified with two identifiers (name + DOB)"


class AttemptDialog(QDialog):
    """One contact attempt on one item."""

    def __init__(
        self,
        work: WorkService,
        item_id: int,
        *,
        number: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item_id
        self.result_: AttemptResult | None = None
        self.setWindowTitle("Log attempt")
        self.setAccessibleName("Log attempt")

        box = QGroupBox("Outcome (keys 1–7)")
        box.setAccessibleName("Outcome")
        box_layout = QVBoxLayout(box)
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        for i, outcome in enumerate(CONTACT_OUTCOMES, start=1):
            button = QRadioButton(f"{i}  {outcome.label}")
            button.setAccessibleName(outcome.label)
            self.group.addButton(button, i - 1)
            box_layout.addWidget(button)
            self.buttons.append(button)
        self.group.idToggled.connect(self._update)

        self.number = QLineEdit(number)
        self.number.setAccessibleName("Number dialled")
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Attempt note")
        self.note.setTabChangesFocus(True)
        self.identity = QCheckBox(IDENTITY_TEXT)
        self.identity.setAccessibleName("Identity verified")
        self.identity.toggled.connect(self._update)
        self.callback_at = datetime_edit(work.clock() + timedelta(hours=2), "Callback time")
        self.callback_label = QLabel("Callback at (your local time):")

        form = QFormLayout()
        form.addRow("Number dialled:", self.number)
        form.addRow("Note:", self.note)
        form.addRow(self.callback_label, self.callback_at)

        self.error = error_label()
        self.buttons_box, self.ok_button = ok_cancel(self, "Log attempt")

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(form)
        layout.addWidget(self.identity)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons_box)
        self._update()
        self.buttons[0].setFocus()

    def _pick(self, button: QRadioButton) -> None:
        button.setChecked(True)
        button.setFocus()

    def keyPressEvent(self, event) -> None:
        """Digit keys 1..7 pick the outcome (text fields keep their digits)."""
        text = event.text()
        if len(text) == 1 and "1" <= text <= str(len(self.buttons)):
            self._pick(self.buttons[int(text) - 1])
            return
        super().keyPressEvent(event)

    def outcome(self) -> Outcome | None:
        """The chosen outcome."""
        i = self.group.checkedId()
        return CONTACT_OUTCOMES[i] if i >= 0 else None

    def _update(self, *_args: object) -> None:
        outcome = self.outcome()
        callback = outcome is Outcome.CALLBACK_REQUESTED
        self.callback_at.setEnabled(callback)
        self.callback_label.setEnabled(callback)
        needs_id = outcome in NEEDS_IDENTITY_CHECK
        self.identity.setText(IDENTITY_TEXT + (" — required" if needs_id else ""))
        self.ok_button.setEnabled(outcome is not None)

    def show_error(self, message: str) -> None:
        """Show why the service refused."""
        show_error(self.error, message)

    def accept(self) -> None:
        """Log through the service; stay open on refusal."""
        outcome = self.outcome()
        if outcome is None:
            self.show_error("Choose an outcome (keys 1–7).")
            return
        try:
            self.result_ = self.work.log_attempt(
                self.item_id,
                outcome,
                number_dialled=self.number.text().strip() or None,
                note=self.note.toPlainText().strip(),
                identity_verified=self.identity.isChecked(),
                callback_at=from_qdatetime(self.callback_at.dateTime())
                if outcome is Outcome.CALLBACK_REQUESTED
                else None,
            )
        except ActionRefused as exc:
            self.show_error(str(exc))
            return
        super().accept()
