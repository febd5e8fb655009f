"""Quick-add a callback request in one dialog: practice, name, phone, reason, window."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services.console import Console
from vmadesk.services.errors import ActionRefused
from vmadesk.services.intake import quick_add_callback
from vmadesk.services.views import PracticeRow
from vmadesk.ui.form_parts import error_label, fit_to_screen, ok_cancel, show_error
from vmadesk.ui.qt_time import datetime_edit, from_wall_clock


class QuickAddDialog(QDialog):
    """A new callback item, typed in by the VMA."""

    def __init__(
        self,
        ctx: Console,
        practices: list[PracticeRow],
        practice_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item_id: int | None = None
        self.setWindowTitle("Quick-add callback")
        self.setAccessibleName("Quick-add callback")
        self.practice = QComboBox()
        self.practice.setAccessibleName("Practice")
        # The patient names the window in their own time: the practice's, not the VMA's.
        self._zones = {p.id: p.timezone for p in practices}
        for p in practices:
            self.practice.addItem(p.name, p.id)
        if practice_id is not None:
            self.practice.setCurrentIndex(max(0, self.practice.findData(practice_id)))
        self.family = QLineEdit()
        self.family.setAccessibleName("Family name")
        self.given = QLineEdit()
        self.given.setAccessibleName("Given name")
        self.phone = QLineEdit()
        self.phone.setAccessibleName("Phone")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.with_window = QCheckBox("Requested a time window")
        self.with_window.setAccessibleName("Requested a time window")
        now = ctx.clock()
        zone = self.zone() or "UTC"
        self.window_start = datetime_edit(now + timedelta(hours=1), "Window start", zone=zone)
        self.window_end = datetime_edit(now + timedelta(hours=3), "Window end", zone=zone)
        self.window_label = QLabel()
        self._show_zone()
        self.practice.currentIndexChanged.connect(self._show_zone)
        self.with_window.toggled.connect(self._update)
        form = QFormLayout()
        form.addRow("Practice:", self.practice)
        form.addRow("Family name:", self.family)
        form.addRow("Given name:", self.given)
        form.addRow("Phone:", self.phone)
        form.addRow("Reason:", self.reason)
        form.addRow(self.with_window)
        form.addRow(self.window_label, self.window_start)
        form.addRow("To:", self.window_end)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Add callback")
        layout.addWidget(self.buttons_box)
        self._update()
        fit_to_screen(self)
        self.family.setFocus()

    def zone(self) -> str | None:
        """The chosen practice's time zone (None before any practice exists)."""
        return self._zones.get(self.practice.currentData())

    def _show_zone(self, *_args: object) -> None:
        self.window_label.setText(f"From (practice time, {self.zone() or 'UTC'}):")

    def _update(self, *_args: object) -> None:
        on = self.with_window.isChecked()
        self.window_start.setEnabled(on)
        self.window_end.setEnabled(on)

    def accept(self) -> None:
        """Create the item through the intake service; stay open on refusal."""
        if self.practice.currentData() is None:
            show_error(self.error, "Practice: add a practice first (Settings).")
            return
        start = end = None
        if self.with_window.isChecked():
            zone = self.zone() or "UTC"
            start = from_wall_clock(self.window_start.dateTime(), zone)
            end = from_wall_clock(self.window_end.dateTime(), zone)
        try:
            self.item_id = quick_add_callback(
                self.ctx.session.conn,
                practice_id=self.practice.currentData(),
                family=self.family.text(),
                given=self.given.text(),
                phone=self.phone.text(),
                reason=self.reason.text(),
                window_start=start,
                window_end=end,
                vma=self.ctx.vma,
                clock=self.ctx.clock,
                on_change=self.ctx.change_hook,
            )
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()
