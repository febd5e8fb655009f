"""Put an item on hold until a time, with a reason: the SLA clock pauses meanwhile."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QVBoxLayout, QWidget

from vmadesk.domain.vocabulary import HoldReason, code_label
from vmadesk.services.errors import ActionRefused
from vmadesk.services.work import WorkService
from vmadesk.ui.form_parts import error_label, fit_to_screen, note_edit, ok_cancel, show_error
from vmadesk.ui.qt_time import datetime_edit, from_qdatetime

PAUSE_TEXT = (
    "The SLA clock pauses while the item is on hold and runs again when it resumes "
    "(at the time below, or with R): the due time moves later by the time held."
)


class HoldDialog(QDialog):
    """Hold one item."""

    def __init__(self, work: WorkService, item_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item_id
        self.setWindowTitle("Put on hold")
        self.setAccessibleName("Put on hold")
        explain = QLabel(PAUSE_TEXT)
        explain.setWordWrap(True)
        explain.setAccessibleName("SLA pause explanation")
        self.until = datetime_edit(work.clock() + timedelta(hours=2), "Hold until")
        self.reason = QComboBox()
        self.reason.setAccessibleName("Hold reason")
        for reason in HoldReason:
            self.reason.addItem(code_label(reason.value), reason.value)
        self.note = note_edit("Hold note")
        form = QFormLayout()
        form.addRow("Until (your local time):", self.until)
        form.addRow("Reason:", self.reason)
        form.addRow("Note:", self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Hold")
        layout.addWidget(self.buttons_box)
        fit_to_screen(self)

    def accept(self) -> None:
        """Hold through the service; stay open on refusal."""
        try:
            self.work.hold(
                self.item_id,
                from_qdatetime(self.until.dateTime()),
                HoldReason(self.reason.currentData()),
                self.note.toPlainText().strip(),
            )
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()
