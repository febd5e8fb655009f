"""The lane's finishing outcomes as one panel, with the details its form adds.

Shared by the attempt dialog (offered right after "Reached", in the same call) and the outcome
dialog (O). Digits pick an outcome and put the cursor in the first detail it still needs (see
the lane's form in :mod:`vmadesk.ui.lane_forms`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.money import parse_amount
from vmadesk.domain.vocabulary import NEEDS_IDENTITY_CHECK, Lane, Outcome
from vmadesk.ui.lane_forms import OutcomeDetails, lane_form


class LaneOutcomePanel(QWidget):
    """Radio buttons for a lane's outcomes, and the detail inputs its form gives them."""

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
        self.definition = lane_definition(lane)
        self.outcomes: tuple[Outcome, ...] = self.definition.outcomes
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

        factory = lane_form(lane).outcome_details
        self.extra: OutcomeDetails | None = (
            factory(plan, date_of_service) if factory is not None else None
        )
        self.fields: dict[str, QLineEdit] = self.extra.fields if self.extra is not None else {}
        if self.extra is not None:
            layout.addWidget(self.extra)
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
        focused = self.extra is not None and self.extra.focus_for(self.outcome())
        if not focused and fallback is not None:
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
        if self.extra is not None:
            self.extra.enable_for(self.outcome())
        self.changed.emit()

    def details(self) -> dict[str, str]:
        """The detail fields the chosen outcome carries."""
        return self.extra.details(self.outcome()) if self.extra is not None else {}

    def problem(self, identity_verified: bool) -> str | None:
        """Why the chosen outcome cannot be recorded yet, in words (None: it can)."""
        outcome = self.outcome()
        if outcome is None:
            return None
        if outcome in NEEDS_IDENTITY_CHECK and not identity_verified:
            return f"Tick the identity check (two identifiers) before recording '{outcome.label}'."
        details = self.details()
        required = self.definition.required_details(outcome)
        missing = [self._label(f) for f in required if not details.get(f)]
        if missing:
            return f"'{outcome.label}' needs: {', '.join(missing)}."
        for key, label in self.definition.amount_fields().items():
            if key in details:
                try:
                    parse_amount(details[key])
                except ValueError as exc:
                    return f"{label}: {exc}."
        return None

    def _label(self, key: str) -> str:
        return self.extra.label(key) if self.extra is not None else key
