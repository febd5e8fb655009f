"""Start a shift: choose the lanes held."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import Lane
from vmadesk.services.shift import ShiftService


class StartShiftDialog(QDialog):
    """Shift → Start shift: a checkbox per lane; Start records the shift."""

    def __init__(self, shifts: ShiftService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shifts = shifts
        self.shift_id: int | None = None
        self.setWindowTitle("Start shift")
        self.boxes = {lane: QCheckBox(lane.label) for lane in Lane}
        for box in self.boxes.values():
            box.setChecked(True)
            box.setAccessibleName(f"Hold {box.text()}")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Start shift message")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Start shift")
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Lanes you hold this shift:"))
        for box in self.boxes.values():
            layout.addWidget(box)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        current = shifts.current()
        if current is not None:
            self.message.setText("A shift is already running; end it first.")

    def lanes(self) -> list[Lane]:
        """The ticked lanes."""
        return [lane for lane, box in self.boxes.items() if box.isChecked()]

    def start(self) -> int | None:
        """Start the shift; an inline message when it cannot."""
        try:
            self.shift_id = self.shifts.start(self.lanes())
        except ValueError as exc:
            self.message.setText(str(exc))
            return None
        self.accept()
        return self.shift_id
