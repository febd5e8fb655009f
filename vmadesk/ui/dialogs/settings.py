"""The Settings dialog: practices and the console's own preferences.

Per practice: name, zone, hours, holidays, lane policies, SOP texts. Console: auto-lock
minutes, clipboard-clear seconds.

Practice settings go to the encrypted store through :mod:`vmadesk.services.practice_settings`
(validated as a whole; bad input is an inline message naming the field and changes nothing).
Console preferences carry no PHI and go to :class:`~vmadesk.ui.ui_settings.UiSettings`.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from typing import Literal
from zoneinfo import available_timezones

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.lanes import DueAnchor, lane_definition
from vmadesk.domain.vocabulary import Lane
from vmadesk.services import practice_settings
from vmadesk.services.console import Console
from vmadesk.services.practice_settings import PracticeSettings, policy_from_fields
from vmadesk.ui.form_parts import NoteEdit, fit_to_screen
from vmadesk.ui.qt_time import DateEdit, TimeEdit
from vmadesk.ui.ui_settings import AUTO_LOCK_RANGE, CLIPBOARD_RANGE, UiSettings

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=1)
def _zone_names() -> list[str]:
    return sorted(available_timezones())


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


def _pytime(value: QTime) -> time:
    return time(value.hour(), value.minute())


def _scrolling(page: QWidget) -> QScrollArea:
    """A tab page that scrolls when the screen is too small for it."""
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


class _DayRow:
    """One weekday: open or closed, opening and closing time (one interval a day)."""

    def __init__(self, name: str) -> None:
        self.open = QCheckBox(name)
        self.open.setAccessibleName(f"{name} open")
        self.start = TimeEdit()
        self.start.setDisplayFormat("HH:mm")
        self.start.setAccessibleName(f"{name} opens")
        self.end = TimeEdit()
        self.end.setDisplayFormat("HH:mm")
        self.end.setAccessibleName(f"{name} closes")
        self.open.toggled.connect(self.start.setEnabled)
        self.open.toggled.connect(self.end.setEnabled)

    def load(self, intervals: tuple[tuple[time, time], ...]) -> None:
        # More than one interval (a lunch break) shows as the day's span; saving keeps the
        # stored intervals unless the span was edited.
        self.original = intervals
        if intervals:
            self.open.setChecked(True)
            self.start.setTime(_qtime(intervals[0][0]))
            self.end.setTime(_qtime(intervals[-1][1]))
        else:
            self.open.setChecked(False)
            self.start.setTime(QTime(8, 0))
            self.end.setTime(QTime(17, 0))
        self.start.setEnabled(bool(intervals))
        self.end.setEnabled(bool(intervals))

    def intervals(self) -> tuple[tuple[time, time], ...]:
        if not self.open.isChecked():
            return ()
        span = (_pytime(self.start.time()), _pytime(self.end.time()))
        if self.original and (self.original[0][0], self.original[-1][1]) == span:
            return self.original
        return (span,)


class _LaneEditor(QWidget):
    """One lane's policy numbers, SOP text and red-flag guidance."""

    def __init__(self, lane: Lane) -> None:
        super().__init__()
        self.lane = lane
        self.due_offset = QDoubleSpinBox()
        self.due_offset.setRange(0, 24 * 30)
        self.due_offset.setDecimals(1)
        self.due_offset.setSuffix(" h")
        self.due_soon = QSpinBox()
        self.due_soon.setRange(0, 60 * 24 * 7)
        self.due_soon.setSuffix(" min")
        self.max_attempts = QSpinBox()
        self.max_attempts.setRange(1, 20)
        self.attempt_gap = QSpinBox()
        self.attempt_gap.setRange(1, 60 * 24 * 7)
        self.attempt_gap.setSuffix(" min")
        # Only lanes with a horizon make items that far ahead (a confirmation's window is fixed).
        definition = lane_definition(lane)
        self.horizon: QSpinBox | None = None
        if definition.due.horizon_days is not None:
            self.horizon = QSpinBox()
            self.horizon.setRange(0, 366)
            self.horizon.setSuffix(" days")
            self.horizon.setSpecialValueText("No limit")  # 0: every future appointment
            self.horizon.setAccessibleName(f"{lane.label} horizon")
        # Enter starts a new line in these texts; Ctrl+Enter saves, Tab moves on.
        self.sop = NoteEdit()
        self.red_flags = NoteEdit()
        for text in (self.sop, self.red_flags):
            text.setTabChangesFocus(True)
        for widget, name in (
            (self.due_offset, "due offset"),
            (self.due_soon, "due soon"),
            (self.max_attempts, "max attempts"),
            (self.attempt_gap, "attempt gap"),
            (self.sop, "SOP text"),
            (self.red_flags, "red-flag text"),
        ):
            widget.setAccessibleName(f"{lane.label} {name}")
        anchor = (
            "after the request, business time"
            if definition.due.anchor is DueAnchor.REQUEST
            else "before the appointment"
        )
        form = QFormLayout(self)
        form.addRow(f"Due &offset ({anchor})", self.due_offset)
        form.addRow("Due &soon window", self.due_soon)
        form.addRow("&Max attempts", self.max_attempts)
        form.addRow("Attempt &gap", self.attempt_gap)
        if self.horizon is not None:
            form.addRow("Create items &within (before the date of service)", self.horizon)
        form.addRow("SO&P", self.sop)
        form.addRow("&Red flags", self.red_flags)

    def load(self, settings: PracticeSettings) -> None:
        policy = settings.policies[self.lane]
        self.due_offset.setValue(policy.due_offset.total_seconds() / 3600)
        self.due_soon.setValue(int(policy.due_soon.total_seconds() // 60))
        self.max_attempts.setValue(policy.max_attempts)
        self.attempt_gap.setValue(int(policy.attempt_gap.total_seconds() // 60))
        if self.horizon is not None:
            self.horizon.setValue(policy.horizon_days or 0)
        self.sop.setPlainText(settings.sop.get(self.lane, ""))
        self.red_flags.setPlainText(settings.red_flags.get(self.lane, ""))

    def horizon_days(self) -> int | Literal["default"] | None:
        """The horizon as edited (None: no limit); lanes without the field keep theirs."""
        if self.horizon is None:
            return "default"
        return self.horizon.value() or None


class SettingsDialog(QDialog):
    """File → Settings: practices and console preferences."""

    saved = Signal()
    console_prefs_changed = Signal()

    def __init__(
        self, ctx: Console, ui_settings: UiSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui_settings = ui_settings
        self._current: PracticeSettings | None = None
        self.setWindowTitle("Settings")

        self.practice = QComboBox()
        self.practice.setAccessibleName("Practice")
        for row in ctx.worklist.practices():
            self.practice.addItem(row.name, row.id)
        self.name = QLineEdit()
        self.name.setAccessibleName("Practice name")
        self.timezone = QLineEdit()
        self.timezone.setAccessibleName("Practice time zone")
        self.timezone.setPlaceholderText("IANA name, e.g. America/New_York")
        completer = QCompleter(_zone_names(), self.timezone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone.setCompleter(completer)

        self.days = [_DayRow(name) for name in WEEKDAYS]
        hours_box = QGroupBox("Business hours (practice time)")
        grid = QGridLayout(hours_box)
        for row, day in enumerate(self.days):
            grid.addWidget(day.open, row, 0)
            grid.addWidget(day.start, row, 1)
            grid.addWidget(QLabel("to"), row, 2)
            grid.addWidget(day.end, row, 3)

        self.holidays = QListWidget()
        self.holidays.setAccessibleName("Holidays")
        self.holiday_date = DateEdit(QDate.currentDate())
        self.holiday_date.setCalendarPopup(True)
        self.holiday_date.setDisplayFormat("yyyy-MM-dd")
        self.holiday_date.setAccessibleName("Holiday date")
        add_holiday = QPushButton("&Add holiday")
        remove_holiday = QPushButton("Re&move holiday")
        add_holiday.clicked.connect(self._add_holiday)
        remove_holiday.clicked.connect(self._remove_holiday)
        holidays_box = QGroupBox("Holidays (closed all day)")
        hl = QVBoxLayout(holidays_box)
        hl.addWidget(self.holidays)
        row_l = QHBoxLayout()
        row_l.addWidget(self.holiday_date)
        row_l.addWidget(add_holiday)
        row_l.addWidget(remove_holiday)
        hl.addLayout(row_l)

        self.lanes = {lane: _LaneEditor(lane) for lane in Lane}

        # The practice and its name and zone sit above the tabs: every practice tab edits it.
        form = QFormLayout()
        form.addRow("&Practice", self.practice)
        names = QHBoxLayout()
        names.addWidget(self.name, 3)
        zone_label = QLabel("&Time zone")
        zone_label.setBuddy(self.timezone)
        names.addWidget(zone_label)
        names.addWidget(self.timezone, 2)
        name_label = QLabel("&Name")
        name_label.setBuddy(self.name)
        form.addRow(name_label, names)
        hours_page = QWidget()
        top = QHBoxLayout(hours_page)
        top.addWidget(hours_box)
        top.addWidget(holidays_box)

        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(*AUTO_LOCK_RANGE)
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setAccessibleName("Auto-lock minutes")
        self.auto_lock.setValue(ui_settings.auto_lock_minutes)
        self.clipboard = QSpinBox()
        self.clipboard.setRange(*CLIPBOARD_RANGE)
        self.clipboard.setSuffix(" s")
        self.clipboard.setAccessibleName("Clipboard clear seconds")
        self.clipboard.setValue(ui_settings.clipboard_seconds)
        console_page = QWidget()
        cf = QFormLayout(console_page)
        cf.addRow("&Lock after idle", self.auto_lock)
        cf.addRow("&Clear copied numbers after", self.clipboard)

        # One level of tabs, each page scrolling if it must: the dialog and its buttons fit
        # a 1280×720 screen at 150 % scaling.
        self.tabs = QTabWidget()
        self.tabs.addTab(_scrolling(hours_page), "&Hours and holidays")
        for lane, editor in self.lanes.items():
            self.tabs.addTab(_scrolling(editor), lane.label)
        self.tabs.addTab(_scrolling(console_page), "Console")

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Settings message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setDefault(True)
        save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.practice.currentIndexChanged.connect(self._load_practice)
        #: The message shows a refusal: each edit checks the form again and clears it once
        #: the field is corrected.
        self._refused = False
        self._watch_edits()
        self._load_practice()
        # As large as the largest page wants (a scroll area's own hint is capped), within
        # the screen.
        areas = [self.tabs.widget(i) for i in range(self.tabs.count())]
        pages = [a.widget().sizeHint() for a in areas if isinstance(a, QScrollArea)]
        hint = self.sizeHint()
        shown = max((a.sizeHint() for a in areas), key=lambda size: size.height())
        extra_w = max(p.width() for p in pages) - shown.width()
        extra_h = max(p.height() for p in pages) - shown.height()
        fit_to_screen(
            self, hint.width() + max(0, extra_w) + 24, hint.height() + max(0, extra_h) + 8
        )

    # -- a refusal clears once corrected ------------------------------------------------------

    def _watch_edits(self) -> None:
        self.name.textChanged.connect(self._recheck)
        self.timezone.textChanged.connect(self._recheck)
        for day in self.days:
            day.open.toggled.connect(self._recheck)
            day.start.timeChanged.connect(self._recheck)
            day.end.timeChanged.connect(self._recheck)
        self.holidays.model().rowsInserted.connect(self._recheck)
        self.holidays.model().rowsRemoved.connect(self._recheck)
        for editor in self.lanes.values():
            spins = (editor.due_offset, editor.due_soon, editor.max_attempts, editor.attempt_gap)
            for spin in (*spins, *([editor.horizon] if editor.horizon else [])):
                spin.valueChanged.connect(self._recheck)
            editor.sop.textChanged.connect(self._recheck)
            editor.red_flags.textChanged.connect(self._recheck)

    def _recheck(self, *_args: object) -> None:
        """After a refusal: the message follows the form (cleared once it is right)."""
        if not self._refused or self._current is None:
            return
        try:
            self.edited_settings().validate()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self._refused = False
        self.message.clear()

    # -- practice ----------------------------------------------------------------------------

    def practice_id(self) -> int | None:
        """The practice being edited."""
        data = self.practice.currentData()
        return int(data) if data is not None else None

    def _load_practice(self) -> None:
        practice_id = self.practice_id()
        self.message.clear()
        self._refused = False
        if practice_id is None:
            self._current = None
            return
        settings = practice_settings.load(self.ctx.session.conn, practice_id)
        self._current = settings
        self.name.setText(settings.name)
        self.timezone.setText(settings.timezone)
        for index, day in enumerate(self.days):
            day.load(settings.weekly.get(index, ()))
        self.holidays.clear()
        for day in sorted(settings.holidays):
            self.holidays.addItem(day.isoformat())
        for editor in self.lanes.values():
            editor.load(settings)

    def _add_holiday(self) -> None:
        text = self.holiday_date.date().toString("yyyy-MM-dd")
        existing = {self.holidays.item(i).text() for i in range(self.holidays.count())}
        if text not in existing:
            self.holidays.addItem(text)
            self.holidays.sortItems()

    def _remove_holiday(self) -> None:
        for item in self.holidays.selectedItems():
            self.holidays.takeItem(self.holidays.row(item))

    def edited_settings(self) -> PracticeSettings:
        """The practice settings as the form holds them (ValueError naming a field)."""
        assert self._current is not None
        policies = {
            lane: policy_from_fields(
                lane,
                due_offset_hours=editor.due_offset.value(),
                due_soon_minutes=editor.due_soon.value(),
                max_attempts=editor.max_attempts.value(),
                attempt_gap_minutes=editor.attempt_gap.value(),
                horizon_days=editor.horizon_days(),
            )
            for lane, editor in self.lanes.items()
        }
        weekly = {i: day.intervals() for i, day in enumerate(self.days) if day.intervals()}
        holidays = frozenset(
            date.fromisoformat(self.holidays.item(i).text()) for i in range(self.holidays.count())
        )
        return PracticeSettings(
            name=self.name.text(),
            timezone=self.timezone.text().strip(),
            weekly=weekly,
            holidays=holidays,
            policies=policies,
            sop={lane: e.sop.toPlainText() for lane, e in self.lanes.items()},
            red_flags={lane: e.red_flags.toPlainText() for lane, e in self.lanes.items()},
            region=self._current.region,
        )

    # -- save --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the console preferences and the current practice; True when all was saved."""
        prefs_changed = (
            self.auto_lock.value() != self.ui_settings.auto_lock_minutes
            or self.clipboard.value() != self.ui_settings.clipboard_seconds
        )
        practice_id = self.practice_id()
        if practice_id is not None:
            try:
                practice_settings.save(self.ctx.session.conn, practice_id, self.edited_settings())
            except ValueError as exc:
                self.message.setText(str(exc))
                self._refused = True
                return False
            self._refused = False
            self.ctx.work.forget_practices()
            self.practice.setItemText(self.practice.currentIndex(), self.name.text().strip())
            self._current = practice_settings.load(self.ctx.session.conn, practice_id)
        if prefs_changed:
            self.ui_settings.auto_lock_minutes = self.auto_lock.value()
            self.ui_settings.clipboard_seconds = self.clipboard.value()
            self.ui_settings.sync()
            self.console_prefs_changed.emit()
        self.message.setText("Saved.")
        self.saved.emit()
        return True
