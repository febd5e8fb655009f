"""The lane's finishing outcomes (confirmation, eligibility) as one panel, with their details.

Shared by the attempt dialog (offered right after "Reached", in the same call) and the outcome
dialog (O). Digits pick an outcome; choosing "Coverage active" puts the cursor in the first
coverage figure still empty, so the figures are typed with Tab between them and Enter confirms.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.money import parse_amount
from vmadesk.domain.vocabulary import LANE_OUTCOMES, NEEDS_IDENTITY_CHECK, Lane, Outcome
from vmadesk.services.work import AMOUNT_DETAILS, REQUIRED_DETAILS
from vmadesk.ui.dialog_parts import money_edit

#: Detail fields of "coverage active", with their labels, in typing order.
COVERAGE_FIELDS = (
    ("plan", "Plan"),
    ("copay", "Copay ($)"),
    ("deductible_remaining", "Deductible remaining ($)"),
    ("reference_number", "Reference number"),
)
_LABELS = {key: label.removesuffix(" ($)") for key, label in COVERAGE_FIELDS} | {"reason": "Reason"}


class LaneOutcomePanel(QWidget):
    """Radio buttons for a lane's outcomes, the coverage figures and the unable-to-verify reason."""

    changed = Signal()

    def __init__(
        self,
        lane: Lane,
        *,
        plan: str = "",
        date_of_service: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lane = lane
        self.outcomes: tuple[Outcome, ...] = LANE_OUTCOMES[lane]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.box = QGroupBox()
        self.box.setAccessibleName("Lane outcome")
        grid = QGridLayout(self.box)
        self.group = QButtonGroup(self)
        self.radios: list[QRadioButton] = []
        for i, outcome in enumerate(self.outcomes):
            radio = QRadioButton(f"{i + 1}  {outcome.label}")
            radio.setAccessibleName(outcome.label)
            self.group.addButton(radio, i)
            grid.addWidget(radio, i // 2, i % 2)
            self.radios.append(radio)
        self.group.idToggled.connect(self._update)
        layout.addWidget(self.box)

        self.fields: dict[str, QLineEdit] = {}
        self.coverage = QGroupBox("Coverage details")
        self.coverage.setAccessibleName("Coverage details")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason unable to verify")
        self.reason.setPlaceholderText("e.g. payer portal down")
        self.reason_label = QLabel("Reason (unable to verify):")
        self.reason_label.setBuddy(self.reason)
        if lane is Lane.ELIGIBILITY:
            cov = QGridLayout(self.coverage)
            dos = QLabel(date_of_service or "(no appointment date)")
            dos.setAccessibleName("Date of service")
            cov.addWidget(QLabel("Checked for date of service:"), 0, 0)
            cov.addWidget(dos, 0, 1)
            for n, (key, label) in enumerate(COVERAGE_FIELDS):
                if key in AMOUNT_DETAILS:
                    edit = money_edit(label.removesuffix(" ($)"))
                else:
                    edit = QLineEdit(plan if key == "plan" else "")
                    edit.setAccessibleName(label)
                self.fields[key] = edit
                caption = QLabel(f"{label}:")
                caption.setBuddy(edit)
                cov.addWidget(caption, 1 + n, 0)
                cov.addWidget(edit, 1 + n, 1)
            layout.addWidget(self.coverage)
            reason_row = QGridLayout()
            reason_row.addWidget(self.reason_label, 0, 0)
            reason_row.addWidget(self.reason, 0, 1)
            layout.addLayout(reason_row)
        else:
            self.coverage.hide()
            self.reason.hide()
            self.reason_label.hide()
        self.set_title("Outcome")
        self._update()

    def set_title(self, text: str) -> None:
        """The outcome box's title (the dialog says which keys pick here)."""
        self.box.setTitle(text)

    def choose(self, outcome: Outcome) -> None:
        """Pick an outcome (as the VMA's click or key would)."""
        self.radios[self.outcomes.index(outcome)].setChecked(True)

    def pick_digit(self, digit: int) -> bool:
        """Pick the outcome of a digit key and put the cursor where typing goes next."""
        if not 1 <= digit <= len(self.radios):
            return False
        radio = self.radios[digit - 1]
        radio.setChecked(True)
        self.focus_next_input(radio)
        return True

    def focus_next_input(self, fallback: QWidget | None = None) -> None:
        """The first empty figure the chosen outcome needs, else ``fallback``."""
        outcome = self.outcome()
        if outcome is Outcome.COVERAGE_ACTIVE:
            empty = [e for e in self.fields.values() if not e.text().strip()]
            (empty[0] if empty else self.fields["plan"]).setFocus()
        elif outcome is Outcome.UNABLE_TO_VERIFY:
            self.reason.setFocus()
        elif fallback is not None:
            fallback.setFocus()

    def clear(self) -> None:
        """No outcome chosen."""
        self.group.setExclusive(False)
        for radio in self.radios:
            radio.setChecked(False)
        self.group.setExclusive(True)
        self._update()

    def outcome(self) -> Outcome | None:
        """The chosen outcome."""
        i = self.group.checkedId()
        return self.outcomes[i] if i >= 0 else None

    def _update(self, *_args: object) -> None:
        outcome = self.outcome()
        self.coverage.setEnabled(outcome is Outcome.COVERAGE_ACTIVE)
        self.reason.setEnabled(outcome is Outcome.UNABLE_TO_VERIFY)
        self.reason_label.setEnabled(outcome is Outcome.UNABLE_TO_VERIFY)
        self.changed.emit()

    def details(self) -> dict[str, str]:
        """The detail fields the chosen outcome carries."""
        outcome = self.outcome()
        if outcome is Outcome.COVERAGE_ACTIVE:
            return {k: e.text().strip() for k, e in self.fields.items()}
        if outcome is Outcome.UNABLE_TO_VERIFY:
            return {"reason": self.reason.text().strip()}
        return {}

    def problem(self, identity_verified: bool) -> str | None:
        """Why the chosen outcome cannot be recorded yet, in words (None: it can)."""
        outcome = self.outcome()
        if outcome is None:
            return None
        if outcome in NEEDS_IDENTITY_CHECK and not identity_verified:
            return f"Tick the identity check (two identifiers) before recording '{outcome.label}'."
        details = self.details()
        missing = [_LABELS[f] for f in REQUIRED_DETAILS.get(outcome, ()) if not details.get(f)]
        if missing:
            return f"'{outcome.label}' needs: {', '.join(missing)}."
        for key, label in AMOUNT_DETAILS.items():
            if key in details:
                try:
                    parse_amount(details[key])
                except ValueError as exc:
                    return f"{label}: {exc}."
        return None
