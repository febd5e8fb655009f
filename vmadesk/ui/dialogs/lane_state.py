"""Record a prior authorization's or a referral's next state, by digit key.

The states the item may move to are listed in digit-key order (1–9 picks one); below them,
the inputs the chosen state needs (the authorization number of an approval, the payer's
reason code of a denial, the day a consult report arrived). A denied request lists "Appeal
submitted" and "Closed" next, with the appeal deadline in the detail pane.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.payer_programs import PaChannel
from vmadesk.services.errors import ActionRefused
from vmadesk.services.lane_states import LaneStateService
from vmadesk.ui.form_parts import error_label, fit_to_screen, ok_cancel, show_error

#: Inputs per target state: (field key, words, kind). Kinds: text, count, date, instant.
_INPUTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "approved": (
        ("auth_number", "Authorization number", "text"),
        ("valid_from", "Valid from (YYYY-MM-DD)", "date"),
        ("valid_to", "Valid to (YYYY-MM-DD)", "date"),
    ),
    "partially_approved": (
        ("auth_number", "Authorization number", "text"),
        ("units_approved", "Units approved", "count"),
        ("valid_from", "Valid from (YYYY-MM-DD)", "date"),
        ("valid_to", "Valid to (YYYY-MM-DD)", "date"),
    ),
    "denied": (("denial_reason", "Payer's denial reason code", "text"),),
    "appointment_scheduled": (("appointment_at", "Visit (YYYY-MM-DD HH:MM)", "instant"),),
    "scheduled": (("appointment_at", "Visit (YYYY-MM-DD HH:MM)", "instant"),),
    "visit_done": (("visit_on", "Visit done on (YYYY-MM-DD)", "date"),),
    "loop_closed": (("report_received_on", "Consult report received on (YYYY-MM-DD)", "date"),),
}


class LaneStateDialog(QDialog):
    """The next state of a prior authorization or referral, with what it needs."""

    def __init__(
        self, service: LaneStateService, item_id: int, zone: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record the next state")
        self.service = service
        self.item_id = item_id
        self.zone = ZoneInfo(zone)
        self.choices = service.choices(item_id)
        layout = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        for i, (_code, words) in enumerate(self.choices[:9]):
            radio = QRadioButton(f"{i + 1}  {words}")
            radio.setAccessibleName(words)
            self.group.addButton(radio, i)
            layout.addWidget(radio)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.inputs: dict[str, tuple[QLineEdit, str]] = {}
        self.channel = QComboBox()
        self.channel.setAccessibleName("Sent by")
        for channel in PaChannel:
            self.channel.addItem(channel.label, channel.value)
        self.error = error_label()
        layout.addWidget(self.error)
        box, _ = ok_cancel(self, "&Record")
        layout.addWidget(box)
        self.group.idToggled.connect(self._chosen)
        # Room for the longest set of inputs up front: the dialog does not grow as they change.
        fit_to_screen(self, 560, 460)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits 1–9 pick a state."""
        key = event.key()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not isinstance(self.focusWidget(), QLineEdit):
            self.choose(key - Qt.Key.Key_1)
            return
        super().keyPressEvent(event)

    def choose(self, index: int) -> None:
        """Pick the ``index``-th state (0-based), if offered."""
        button = self.group.button(index)
        if button is not None:
            button.setChecked(True)

    def chosen(self) -> str | None:
        """The code of the chosen state, or None."""
        index = self.group.checkedId()
        return self.choices[index][0] if index >= 0 else None

    def _chosen(self, _index: int, checked: bool) -> None:
        if not checked:
            return
        while self.form.rowCount():
            self.form.removeRow(0)
        self.channel = QComboBox()
        self.channel.setAccessibleName("Sent by")
        for channel in PaChannel:
            self.channel.addItem(channel.label, channel.value)
        self.inputs = {}
        code = self.chosen()
        if code == "submitted":
            self.form.addRow("Sent by", self.channel)
        first: QWidget | None = None
        for key, words, kind in _INPUTS.get(code or "", ()):
            edit = QLineEdit()
            edit.setAccessibleName(words)
            self.form.addRow(words, edit)
            self.inputs[key] = (edit, kind)
            first = first or edit
        if first is not None:
            first.setFocus()

    def changes(self) -> dict[str, Any]:
        """The typed inputs as field values (ValueError names the field in words)."""
        out: dict[str, Any] = {}
        if self.chosen() == "submitted":
            out["channel"] = self.channel.currentData()
        for key, (edit, kind) in self.inputs.items():
            text = edit.text().strip()
            if not text:
                continue
            try:
                if kind == "date":
                    out[key] = date.fromisoformat(text)
                elif kind == "instant":
                    out[key] = datetime.fromisoformat(text).replace(tzinfo=self.zone)
                elif kind == "count":
                    out[key] = int(text)
                else:
                    out[key] = text
            except ValueError:
                raise ValueError(f"{edit.accessibleName()}: not in the form asked for") from None
        return out

    def accept(self) -> None:
        """Record through the service; stay open on refusal."""
        code = self.chosen()
        if code is None:
            show_error(self.error, "Choose the next state (digits 1–9).")
            return
        try:
            self.service.move(self.item_id, code, **self.changes())
        except (ActionRefused, ValueError) as exc:
            show_error(self.error, str(exc))
            return
        super().accept()
