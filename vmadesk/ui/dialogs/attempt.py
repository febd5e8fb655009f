"""Log a call: its result on a digit key, the identity check once, and the lane's outcome.

Keys 1..7 pick the call result in ``CONTACT_OUTCOMES`` order; Enter logs. "Reached" on an item
whose lane finishes with an outcome (confirmation, eligibility) offers that outcome in the same
dialog: the cursor goes to the identity check (I or Space ticks it), the digits then pick the
lane's outcome (Backspace goes back to the call result), and Enter logs the call and records
the outcome. A confirmation is thus N, C, 1, I, 1, Enter. The dialog calls the services itself
and stays open with the refusal message when they say no; a call already logged is never
logged twice.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.vocabulary import (
    CONTACT_OUTCOMES,
    NEEDS_IDENTITY_CHECK,
    Lane,
    Outcome,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.views import ItemRow
from vmadesk.services.work import AttemptResult, WorkService
from vmadesk.ui.form_parts import error_label, fit_to_screen, note_edit, ok_cancel, show_error
from vmadesk.ui.qt_time import datetime_edit, from_qdatetime
from vmadesk.ui.widgets.identity_check import IDENTITY_TEXT, identity_checkbox
from vmadesk.ui.widgets.lane_outcome_panel import LaneOutcomePanel

__all__ = ["IDENTITY_TEXT", "AttemptDialog"]

_CONTACT_KEYS = f"keys 1–{len(CONTACT_OUTCOMES)}"


class AttemptDialog(QDialog):
    """One call on one item, and the lane's outcome when the patient was reached."""

    def __init__(
        self,
        work: WorkService,
        item_id: int,
        *,
        number: str = "",
        item: ItemRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item_id
        self.result_: AttemptResult | None = None
        #: The lane outcome recorded with this call, if any.
        self.lane_outcome_recorded: Outcome | None = None
        self.setWindowTitle("Log attempt")
        self.setAccessibleName("Log attempt")
        lane = Lane(item.lane) if item is not None else Lane.CALLBACK

        self.box = QGroupBox(f"Call result ({_CONTACT_KEYS})")
        self.box.setAccessibleName("Outcome")
        box_layout = QGridLayout(self.box)
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        for i, outcome in enumerate(CONTACT_OUTCOMES, start=1):
            button = QRadioButton(f"{i}  {outcome.label}")
            button.setAccessibleName(outcome.label)
            self.group.addButton(button, i - 1)
            box_layout.addWidget(button, i - 1, 0)
            self.buttons.append(button)
        self.group.idToggled.connect(self._update)

        self.identity = identity_checkbox()
        self.identity.toggled.connect(self._update)

        self.panel: LaneOutcomePanel | None = None
        if item is not None and lane_definition(lane).finishes_with_outcome:
            zone = work.practice(item.practice_id).tz
            self.panel = LaneOutcomePanel(
                lane, plan=item.plan or "", date_of_service=item.date_of_service(zone)
            )
            self.panel.changed.connect(self._update)

        self.number = QLineEdit(number)
        self.number.setAccessibleName("Number dialled")
        self.note = note_edit("Attempt note", lines=3)
        self.callback_at = datetime_edit(work.clock() + timedelta(hours=2), "Callback time")
        self.callback_label = QLabel("Callback at (your local time):")
        self.callback_label.setBuddy(self.callback_at)

        form = QFormLayout()
        form.addRow("Number dialled:", self.number)
        form.addRow(self.callback_label, self.callback_at)
        form.addRow("Note:", self.note)

        self.error = error_label()
        self.buttons_box, self.ok_button = ok_cancel(self, "Log attempt")

        left = QVBoxLayout()
        left.addWidget(self.box)
        left.addWidget(self.identity)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left)
        if self.panel is not None:
            right = QVBoxLayout()
            right.addWidget(self.panel)
            right.addStretch(1)
            columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons_box)
        self._update()
        fit_to_screen(self)
        self.buttons[0].setFocus()

    # -- keys --------------------------------------------------------------------------------

    def _lane_keys(self) -> bool:
        """Whether the digits pick the lane's outcome (the patient was reached)."""
        return self.panel is not None and self.outcome() is Outcome.REACHED

    def _pick(self, button: QRadioButton) -> None:
        button.setChecked(True)
        # Reached: the identity check comes next (it discusses the patient's care).
        (self.identity if self.outcome() in NEEDS_IDENTITY_CHECK else button).setFocus()

    def keyPressEvent(self, event) -> None:
        """Digits pick the call result, then (after Reached) the lane's outcome; I ticks ID."""
        text = event.text()
        if self.result_ is None or self.panel is not None:
            if len(text) == 1 and text.isdigit():
                digit = int(text)
                if self._lane_keys():
                    assert self.panel is not None
                    self.panel.pick_digit(digit)
                elif self.result_ is None and 1 <= digit <= len(self.buttons):
                    self._pick(self.buttons[digit - 1])
                return
            if text.lower() == "i":
                self.identity.toggle()
                return
            if event.key() == Qt.Key.Key_Backspace and self._lane_keys() and self.result_ is None:
                self._clear_result()
                return
        super().keyPressEvent(event)

    def _clear_result(self) -> None:
        """Back to choosing the call result (the lane's outcome is dropped with it)."""
        self.group.setExclusive(False)
        for button in self.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)
        if self.panel is not None:
            self.panel.clear()
        self._update()
        self.buttons[0].setFocus()

    # -- state -------------------------------------------------------------------------------

    def outcome(self) -> Outcome | None:
        """The chosen call result."""
        i = self.group.checkedId()
        return CONTACT_OUTCOMES[i] if i >= 0 else None

    def lane_outcome(self) -> Outcome | None:
        """The lane's outcome chosen with a Reached call, if any."""
        return self.panel.outcome() if self._lane_keys() and self.panel is not None else None

    def _update(self, *_args: object) -> None:
        outcome = self.outcome()
        callback = outcome is Outcome.CALLBACK_REQUESTED
        self.callback_at.setEnabled(callback and self.result_ is None)
        self.callback_label.setEnabled(callback and self.result_ is None)
        needs_id = outcome in NEEDS_IDENTITY_CHECK or self.lane_outcome() in NEEDS_IDENTITY_CHECK
        self.identity.setText(IDENTITY_TEXT + (" — required" if needs_id else ""))
        self.ok_button.setEnabled(outcome is not None)
        self.ok_button.setText(
            "Log call and record outcome" if self.lane_outcome() is not None else "Log attempt"
        )
        if self.result_ is None:
            self.box.setTitle(
                "Call result (Backspace to change)"
                if self._lane_keys()
                else f"Call result ({_CONTACT_KEYS})"
            )
        if self.panel is not None:
            lane_on = self._lane_keys()
            self.panel.setEnabled(lane_on)
            count = len(self.panel.outcomes)
            self.panel.set_title(
                f"Outcome of the call (keys 1–{count})"
                if lane_on
                else "Outcome of the call (after 1 Reached)"
            )

    def summary(self) -> str:
        """What was done, for the status bar (no PHI)."""
        outcome = self.outcome()
        text = f"Attempt logged: {outcome.label if outcome else ''}."
        if self.lane_outcome_recorded is not None:
            text += f" Outcome recorded: {self.lane_outcome_recorded.label}; item completed."
        return text

    def show_error(self, message: str) -> None:
        """Show why the service refused."""
        show_error(self.error, message)

    # -- confirm -----------------------------------------------------------------------------

    def accept(self) -> None:
        """Log the call, then record the lane outcome; stay open on refusal."""
        outcome = self.outcome()
        if outcome is None:
            self.show_error(f"Choose the call result ({_CONTACT_KEYS}).")
            return
        lane_outcome = self.lane_outcome()
        # Check the lane outcome first: a refusal then leaves nothing half written.
        if lane_outcome is not None and self.panel is not None:
            problem = self.panel.problem(self.identity.isChecked())
            if problem:
                self.show_error(problem)
                return
        if self.result_ is None and not self._log(outcome):
            return
        if lane_outcome is not None and self.panel is not None:
            try:
                self.work.record_outcome(
                    self.item_id,
                    lane_outcome,
                    details=self.panel.details(),
                    identity_verified=self.identity.isChecked(),
                )
            except ActionRefused as exc:
                self.show_error(f"The call is logged; the outcome was not recorded: {exc}")
                return
            self.lane_outcome_recorded = lane_outcome
        super().accept()

    def _log(self, outcome: Outcome) -> bool:
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
            return False
        # Logged: the call's own fields are settled; only the lane's outcome may follow.
        for widget in (*self.buttons, self.number, self.note):
            widget.setEnabled(False)
        self._update()
        return True
