"""The detail pane: who, how to reach them, the work at hand, its full history and the SOP.

Answers "why am I calling this again?" at a glance. Holds PHI only while it shows it:
:meth:`DetailPane.clear` empties every widget (lock, item closed).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.appointment_time import given_note
from vmadesk.domain.time_display import format_dual
from vmadesk.domain.vocabulary import DueState, ItemStatus, Lane
from vmadesk.services.views import ItemRow, from_db
from vmadesk.services.worklist import ItemDetail
from vmadesk.ui.icons import icon
from vmadesk.ui.lane_forms import lane_form
from vmadesk.ui.models.due_style import state_colour
from vmadesk.ui.models.history_text import (
    date_words,
    history_html,
    outcome_words,
    reason_words,
    status_words,
)
from vmadesk.ui.models.item_table import IN_HANDOFF, due_state_of, due_text

#: The longest phone line to show whole: E.164 has at most 15 digits.
PHONE_SAMPLE = "Phone: +000 000 000 000 000"


def outcome_label(code: str) -> str:
    """Label of an outcome code, in words."""
    return outcome_words(code)


class DetailPane(QWidget):
    """Everything about the selected item."""

    copy_requested = Signal(str)
    call_requested = Signal()
    #: The item shown changed (another item, the same one re-read, or none).
    shown_changed = Signal()
    #: The VMA chose one of the patient's other open items (its id).
    other_item_chosen = Signal(int)

    def __init__(
        self, local_tz: str, parent: QWidget | None = None, *, compact: bool = False
    ) -> None:
        """Build the pane.

        Args:
            local_tz: The VMA's time zone, for times on screen.
            parent: The owning widget.
            compact: A small screen (1280×720, or any screen at 150 %): Copy and Call go
                under the number instead of beside it, so that the item table keeps the
                room for its Patient and State columns.
        """
        super().__init__(parent)
        self.local_tz = local_tz
        self.detail: ItemDetail | None = None
        self.setAccessibleName("Item detail")

        self.name = QLabel()
        self.name.setAccessibleName("Patient name")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name.setWordWrap(True)

        self.practice = QLabel()
        self.practice.setAccessibleName("Practice")
        self.practice.setWordWrap(True)
        self.state = QLabel()
        self.state.setAccessibleName("Due state")
        self.state.setWordWrap(True)

        self.phone = QLabel()
        self.phone.setAccessibleName("Phone number")
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton(icon("copy"), "Copy")
        self.copy_button.setAccessibleName("Copy phone number")
        self.copy_button.setToolTip("Copy the number; the clipboard is cleared after 30 s")
        self.copy_button.clicked.connect(self._copy)
        self.call_button = QPushButton(icon("call"), "Call")
        self.call_button.setAccessibleName("Call the patient")
        self.call_button.setToolTip("Open the number in the softphone (C)")
        self.call_button.clicked.connect(self.call_requested)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.copy_button)
        buttons_row.addWidget(self.call_button)
        if compact:
            buttons_row.addStretch(1)
            phone_row = QVBoxLayout()
            phone_row.addWidget(self.phone)
            phone_row.addLayout(buttons_row)
        else:
            phone_row = QHBoxLayout()
            phone_row.addWidget(self.phone, 1)
            phone_row.addLayout(buttons_row)

        self.at_hand = QLabel()
        self.at_hand.setAccessibleName("Work at hand")
        self.at_hand.setWordWrap(True)
        self.at_hand.setTextFormat(Qt.TextFormat.PlainText)
        self.at_hand.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        self.others_label = QLabel("Also open for this patient (Enter opens one):")
        self.others = QListWidget()
        self.others.setAccessibleName("Patient's other open items")
        self.others.setMaximumHeight(self.others.fontMetrics().lineSpacing() * 4 + 8)
        self.others.itemActivated.connect(self._other_chosen)
        self.others.itemClicked.connect(self._other_chosen)
        self.others_label.setBuddy(self.others)

        form = QVBoxLayout()
        form.addWidget(self.practice)
        form.addWidget(self.state)
        form.addLayout(phone_row)
        form.addWidget(self.at_hand)
        form.addWidget(self.others_label)
        form.addWidget(self.others)

        self.history = QTextBrowser()
        self.history.setAccessibleName("Item history")
        self.history.setOpenLinks(False)
        self.sop = QTextBrowser()
        self.sop.setAccessibleName("Lane SOP")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Detail tabs")
        self.tabs.addTab(self.history, "History")
        self.tabs.addTab(self.sop, "SOP")

        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)
        # The number is never clipped: the pane is as wide as the longest phone row needs.
        self.phone.setMinimumWidth(self.phone.fontMetrics().horizontalAdvance(PHONE_SAMPLE))
        margins = layout.contentsMargins()
        buttons = self.copy_button.sizeHint().width() + self.call_button.sizeHint().width()
        buttons += max(buttons_row.spacing(), 0)
        if compact:
            row = max(self.phone.minimumWidth(), buttons)
        else:
            row = self.phone.minimumWidth() + max(phone_row.spacing(), 0) + buttons
        self.setMinimumWidth(row + margins.left() + margins.right())
        self.clear()

    # -- content -----------------------------------------------------------------------------

    def clear(self) -> None:
        """Show nothing (no PHI left in any widget)."""
        self.detail = None
        self.name.setText("No item selected")
        for label in (self.practice, self.state, self.phone, self.at_hand):
            label.clear()
        self.history.clear()
        self.sop.clear()
        self._show_others((), None)
        self.copy_button.setEnabled(False)
        self.call_button.setEnabled(False)
        self.shown_changed.emit()

    def show_detail(self, detail: ItemDetail, now: datetime) -> None:
        """Render one item's detail."""
        self.detail = detail
        item, practice = detail.item, detail.practice
        self.name.setText(item.patient_display)
        self.practice.setText(f"Practice: {practice.name} ({practice.tz})")
        if ItemStatus(item.status).is_open:
            state = due_state_of(item, now)
            self.state.setText(self._state_text(state, detail, now))
            colour = state_colour(state, self.palette()).name()
            self.state.setStyleSheet(f"color: {colour}; font-weight: bold;")
        else:
            # A closed item is done with its SLA: its outcome, never "overdue", and no alarm
            # colour.
            self.state.setText(self._closed_text(detail, now))
            self.state.setStyleSheet("font-weight: bold;")
        number = item.phone or item.phone_raw or ""
        self.phone.setText(f"Phone: {number}" if number else "Phone: (no number)")
        self.copy_button.setEnabled(bool(number))
        # Calling is part of working an open item; a closed one is reopened first.
        self.call_button.setEnabled(bool(number) and ItemStatus(item.status).is_open)
        self.at_hand.setText(self._at_hand(detail, now))
        self._show_others(detail.others, now)
        self.history.setHtml(self._history_html(detail, now))
        self.sop.setPlainText(detail.sop)
        self._fit_wrapped()
        self.shown_changed.emit()

    def _show_others(self, others: tuple[ItemRow, ...], now: datetime | None) -> None:
        """List the patient's other open items (hidden when there are none)."""
        self.others.clear()
        for other in others:
            what = other.reason or other.appointment_type or ""
            text = Lane(other.lane).label + (f": {what}" if what else "")
            if now is not None:
                text += f" · {due_text(other, now)}"
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, other.id)
            self.others.addItem(entry)
        self.others_label.setVisible(bool(others))
        self.others.setVisible(bool(others))

    def _other_chosen(self, entry: QListWidgetItem) -> None:
        self.other_item_chosen.emit(int(entry.data(Qt.ItemDataRole.UserRole)))

    def _fit_wrapped(self) -> None:
        """Give each wrapped label the height its text needs at the pane's current width.

        Inside the splitter the layout sized them for one line, so in a narrow pane the
        wrapped lines were drawn over each other.
        """
        for label in (self.name, self.practice, self.state, self.at_hand):
            width = label.width() if label.width() > 0 else self.width()
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-fit the wrapped labels to the new width."""
        super().resizeEvent(event)
        self._fit_wrapped()

    def _copy(self) -> None:
        if self.detail is not None:
            number = self.detail.item.phone or self.detail.item.phone_raw
            if number:
                self.copy_requested.emit(number)

    def _dual(self, at: datetime | str | None, now: datetime) -> str:
        """A time in the practice's and the VMA's zones (history rows carry stored text)."""
        if not at or self.detail is None:
            return ""
        when = from_db(at) if isinstance(at, str) else at
        return format_dual(when, self.detail.practice.tz, self.local_tz, now)

    def _state_text(self, state: DueState, detail: ItemDetail, now: datetime) -> str:
        item = detail.item
        text = f"{state.label} — {due_text(item, now)}"
        if state is not DueState.PAUSED:  # "On hold" already says it
            text += f" · {status_words(item.status).lower()}"
        if state is DueState.PAUSED:
            text += " (SLA clock paused"
            if item.hold_until:
                text += f" until {self._dual(item.hold_until, now)}"
            text += ")"
        else:
            text += f" · due {self._dual(item.effective_due, now)}"
        if item.next_attempt_at:
            text += f" · next attempt {self._dual(item.next_attempt_at, now)}"
        if item.handoff_id is not None:
            text += f"\n{IN_HANDOFF} (yours until the receiver acknowledges it)"
        return text

    def _closed_text(self, detail: ItemDetail, now: datetime) -> str:
        """E.g. "Completed · confirmed at 14:05", "Cancelled · duplicate at 09:12"."""
        item = detail.item
        status = status_words(item.status)
        why = item.outcome and outcome_label(item.outcome)
        if item.status != ItemStatus.COMPLETED and item.status_reason:
            why = reason_words(item.status_reason)
        head = f"{status} · {why.lower()}" if why else status
        return f"{head} at {self._dual(item.closed_at, now)}" if item.closed_at else head

    def _at_hand(self, detail: ItemDetail, now: datetime) -> str:
        item = detail.item
        lane = Lane(item.lane)
        lines = [f"{lane.label}: {item.reason}" if item.reason else lane.label]
        if (start := item.appointment_start) is not None:
            what = " ".join(
                part
                for part in (
                    item.appointment_type or "Appointment",
                    f"with {item.provider}" if item.provider else "",
                    f"at {item.location}" if item.location else "",
                )
                if part
            )
            lines.append(
                f"{what}: {self._dual(item.appointment_start, now)}"
                f"{given_note(start, item.appointment_offset_min, detail.practice.tz)}"
            )
        lines += lane_form(lane).detail_lines(item, detail.practice.tz, now)
        if item.requested_at:
            lines.append(f"Requested {self._dual(item.requested_at, now)}")
        if item.window_start or item.window_end:
            lines.append(
                f"Requested window {self._dual(item.window_start, now) or '…'}"
                f" – {self._dual(item.window_end, now) or '…'}"
            )
        if item.patient_dob:
            lines.append(f"Date of birth: {date_words(item.patient_dob)}")
        if item.outcome:
            lines.append(f"Outcome: {outcome_label(item.outcome)}")
        return "\n".join(lines)

    def _history_html(self, detail: ItemDetail, now: datetime) -> str:
        return history_html(detail, lambda stamp: self._dual(stamp, now))
