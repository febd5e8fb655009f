"""Shift handoff dialogs: keys, end shift & hand off, review a packet, apply a receipt.

Sender: :class:`EndShiftDialog` lists every open item of the VMA (a table model, not a
QTableWidget) with an I-PASS note per item (priority, one-line summary, actions with times,
contingency "if … then …"), a shift note and the receiver; it writes the sealed packet, shows
the one-time code if one was used, offers the printable report, then ends the shift.

Receiver: :class:`ReviewPacketDialog` shows each item with the sender's note and history;
Acknowledge needs the next action restated, Decline takes a reason; then Write receipt.

Every dialog here may hold PHI: the idle lock rejects them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vmadesk import paths
from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import HandoffItemState, Lane, Priority
from vmadesk.services.errors import ActionRefused
from vmadesk.services.exports import record_export
from vmadesk.services.handoff import HandoffService, PacketResult
from vmadesk.services.handoff_payload import history_lines
from vmadesk.store.handoffs import HandoffItemRow
from vmadesk.store.items import ItemRow
from vmadesk.ui.context import ConsoleContext
from vmadesk.ui.handoff_report import (
    REPORT_KIND,
    ReportPreviewDialog,
    build_html,
    default_report_name,
    entry_from_item,
    subject_text,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
CHECK = Qt.ItemDataRole.CheckStateRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
ONE_TIME_CODE = "One-time code (read out by phone)"
_TIMED_ACTION = re.compile(r"^\s*(\d{1,2}):(\d{2})\s+(.*)$")


def default_handoff_dir() -> Path:
    """Where packets, receipts and reports go unless the VMA chooses another folder."""
    return paths.handoff_dir()


def _no_parent(index: QModelIndex | QPersistentModelIndex) -> bool:
    return not index.isValid()


# -- keys ------------------------------------------------------------------------------------


class MyKeyDialog(QDialog):
    """Shift → My public key: the key to give colleagues (not secret, not PHI)."""

    def __init__(self, handoffs: HandoffService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My public key")
        self.key = QLineEdit(handoffs.my_public_key())
        self.key.setReadOnly(True)
        self.key.setAccessibleName("My public key")
        self.key.setMinimumWidth(420)
        copy = QPushButton("&Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.key.text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"Give this key to colleagues so they can hand work to you "
                f"(your handle: {handoffs.vma})."
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.key, 1)
        row.addWidget(copy)
        layout.addLayout(row)
        layout.addWidget(buttons)


class AddColleagueDialog(QDialog):
    """Shift → Add colleague key: a handle and their public key."""

    def __init__(self, handoffs: HandoffService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.handoffs = handoffs
        self.setWindowTitle("Add colleague key")
        self.handle = QLineEdit()
        self.handle.setAccessibleName("Colleague handle")
        self.key = QLineEdit()
        self.key.setAccessibleName("Colleague public key")
        self.key.setMinimumWidth(420)
        self.message = QLabel("")
        self.message.setAccessibleName("Add colleague message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Handle", self.handle)
        form.addRow("Public &key", self.key)
        form.addRow(self.message)
        form.addRow(buttons)

    def save(self) -> bool:
        """Store the colleague's key; an inline message on bad input."""
        handle = self.handle.text().strip()
        if not handle or len(handle) > 64 or any(c.isspace() for c in handle):
            self.message.setText("Handle: one word, as your colleague signs in (e.g. ben.k).")
            return False
        try:
            self.handoffs.add_colleague(handle, self.key.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True


# -- sender ----------------------------------------------------------------------------------


@dataclass
class NoteDraft:
    """The form's state for one item (may be half-written)."""

    include: bool = True
    priority: Priority = Priority.ROUTINE
    summary: str = ""
    actions: str = ""
    contingency: str = ""

    def steps(self, now: datetime, tz: str) -> tuple[ActionStep, ...]:
        """Actions, one per line; a leading ``HH:MM`` is the next such time in ``tz``."""
        steps = []
        zone = load_zone(tz)
        local_now = now.astimezone(zone)
        for index, line in enumerate(x for x in self.actions.splitlines() if x.strip()):
            match = _TIMED_ACTION.match(line)
            if not match:
                steps.append(ActionStep(line.strip()))
                continue
            hour, minute, text = int(match[1]), int(match[2]), match[3].strip()
            if hour > 23 or minute > 59:
                raise ValueError(f"actions[{index}].due: {match[1]}:{match[2]} is not a time")
            due = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if due < local_now:
                due += timedelta(days=1)
            steps.append(ActionStep(text, due))
        return tuple(steps)

    def note(self, now: datetime, tz: str) -> HandoffNote:
        """The validated note (ValueError whose message starts with the field name)."""
        note = HandoffNote(
            priority=self.priority,
            summary=self.summary.strip(),
            actions=self.steps(now, tz),
            contingency=self.contingency.strip(),
        )
        note.validate()
        return note


_LANE_NOUN = {
    Lane.CALLBACK: "Callback",
    Lane.CONFIRMATION: "Confirmation",
    Lane.ELIGIBILITY: "Eligibility check",
}


def _auto_summary(item: ItemRow) -> str:
    """A PHI-free starting summary the VMA edits: lane, status, attempts so far."""
    attempts = f"{item.attempt_count} attempt{'s' if item.attempt_count != 1 else ''}"
    return f"{_LANE_NOUN.get(Lane(item.lane), 'Item')} {item.status}, {attempts} so far"


class HandoffItemsModel(QAbstractTableModel):
    """The VMA's open items with a tick to include each in the handoff and its note state."""

    HEADERS = ("Hand off", "Lane", "Patient", "Due", "Priority", "Note")

    def __init__(self, items: list[ItemRow], parent: Any = None) -> None:
        super().__init__(parent)
        self.items = items
        self.drafts = [NoteDraft(summary=_auto_summary(item)) for item in items]
        self.problems: dict[int, str] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """One row per open item."""
        return len(self.items) if _no_parent(parent) else 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Fixed columns."""
        return len(self.HEADERS) if _no_parent(parent) else 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column titles."""
        if (
            role == DISPLAY
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Selectable rows; the first column is checkable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text and the include tick."""
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        row, col = index.row(), index.column()
        item, draft = self.items[row], self.drafts[row]
        if role == CHECK and col == 0:
            return Qt.CheckState.Checked if draft.include else Qt.CheckState.Unchecked
        if role in (DISPLAY, ACCESSIBLE):
            if col == 0:
                return "" if role == DISPLAY else ("included" if draft.include else "kept")
            if col == 1:
                return Lane(item.lane).label
            if col == 2:
                return item.patient_display
            if col == 3:
                return item.effective_due[:16].replace("T", " ") + " UTC"
            if col == 4:
                return draft.priority.value
            if col == 5:
                if not draft.include:
                    return "stays with you"
                return self.problems.get(row, "ok")
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = CHECK
    ) -> bool:
        """Tick or untick an item."""
        if not index.isValid() or index.column() != 0 or role != CHECK:
            return False
        state = value.value if isinstance(value, Qt.CheckState) else value
        self.drafts[index.row()].include = state == Qt.CheckState.Checked.value
        self.dataChanged.emit(index, self.index(index.row(), len(self.HEADERS) - 1))
        return True

    def set_include(self, row: int, include: bool) -> None:
        """Include or keep one item."""
        state = Qt.CheckState.Checked if include else Qt.CheckState.Unchecked
        self.setData(self.index(row, 0), state.value, CHECK)

    def draft_changed(self, row: int) -> None:
        """Repaint one row after its note changed in the form."""
        self.problems.pop(row, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def set_problems(self, problems: dict[int, str]) -> None:
        """Show validation results in the Note column."""
        self.problems = problems
        if self.items:
            self.dataChanged.emit(self.index(0, 5), self.index(len(self.items) - 1, 5))

    def clear(self) -> None:
        """Forget every row (the dialog is closing; drop the PHI)."""
        self.beginResetModel()
        self.items = []
        self.drafts = []
        self.problems = {}
        self.endResetModel()


def open_items(ctx: ConsoleContext) -> list[ItemRow]:
    """Every open item the VMA owns that is not already in a handoff."""
    query = ctx.worklist.query(None)
    total = ctx.worklist.count(query)
    rows = ctx.worklist.page(query, 0, max(total, 1))
    return [row for row in rows if row.handoff_id is None]


class EndShiftDialog(QDialog):
    """Shift → End shift & hand off."""

    packet_written = Signal(object)
    shift_ended = Signal()

    def __init__(
        self,
        ctx: ConsoleContext,
        *,
        out_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_packet: PacketResult | None = None
        self.report_html = ""
        self.report_count = 0
        self.preview: ReportPreviewDialog | None = None
        self._loading = False
        self.setWindowTitle("End shift & hand off")

        self.model = HandoffItemsModel(open_items(ctx), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Open items to hand off")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.priority = QComboBox()
        self.priority.setAccessibleName("Priority")
        for p in Priority:
            self.priority.addItem(p.value, p)
        self.summary = QLineEdit()
        self.summary.setAccessibleName("Summary")
        self.summary.setMaxLength(200)
        self.actions = QPlainTextEdit()
        self.actions.setAccessibleName("Actions")
        self.actions.setPlaceholderText(
            "One per line; start with HH:MM for a time, e.g.\n"
            "14:30 call again after the payer reopens"
        )
        self.contingency = QLineEdit()
        self.contingency.setAccessibleName("Contingency")
        self.contingency.setPlaceholderText("if … then …")
        note_box = QWidget()
        nf = QFormLayout(note_box)
        nf.addRow("&Priority", self.priority)
        nf.addRow("&Summary", self.summary)
        nf.addRow(f"&Actions ({ctx.local_tz} time)", self.actions)
        nf.addRow("&If … then …", self.contingency)
        self.priority.currentIndexChanged.connect(self._form_changed)
        self.summary.textChanged.connect(self._form_changed)
        self.actions.textChanged.connect(self._form_changed)
        self.contingency.textChanged.connect(self._form_changed)

        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(note_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.shift_note = QPlainTextEdit()
        self.shift_note.setAccessibleName("Shift note")
        self.shift_note.setMaximumHeight(80)
        self.receiver = QComboBox()
        self.receiver.setAccessibleName("Receiving VMA")
        for handle in ctx.handoffs.colleagues():
            self.receiver.addItem(handle, handle)
        self.receiver.addItem(ONE_TIME_CODE, None)
        self.code_receiver = QLineEdit()
        self.code_receiver.setAccessibleName("Receiver handle")
        self.code_receiver.setPlaceholderText("receiver's handle")
        self.receiver.currentIndexChanged.connect(self._receiver_changed)
        self.folder = QLineEdit(str(out_dir or default_handoff_dir()))
        self.folder.setAccessibleName("Packet folder")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        receiver_row = QHBoxLayout()
        receiver_row.addWidget(self.receiver, 1)
        receiver_row.addWidget(self.code_receiver, 1)
        bottom = QFormLayout()
        bottom.addRow("Shift &note", self.shift_note)
        bottom.addRow("&Receiver", receiver_row)
        bottom.addRow("&Folder", folder_row)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Handoff message")
        self.write_button = QPushButton("&Write sealed packet")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write_packet)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.write_button)

        compose = QWidget()
        cl = QVBoxLayout(compose)
        cl.addWidget(QLabel("Every open item you own. Untick an item to keep it."))
        cl.addWidget(split, 1)
        cl.addLayout(bottom)
        cl.addWidget(self.message)
        cl.addLayout(buttons)

        self.done_text = QLabel("")
        self.done_text.setWordWrap(True)
        self.done_text.setAccessibleName("Packet written")
        self.done_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_button = QPushButton("&Preview report…")
        self.report_button.clicked.connect(self.preview_report)
        self.end_button = QPushButton("&End shift")
        self.end_button.clicked.connect(self.finish)
        done = QWidget()
        dl = QVBoxLayout(done)
        dl.addWidget(self.done_text)
        dl.addStretch(1)
        done_buttons = QHBoxLayout()
        done_buttons.addStretch(1)
        done_buttons.addWidget(self.report_button)
        done_buttons.addWidget(self.end_button)
        dl.addLayout(done_buttons)

        self.pages = QStackedWidget()
        self.pages.addWidget(compose)
        self.pages.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._receiver_changed()
        self.resize(980, 640)
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.message.setText("You own no open items; End shift needs no packet.")

    # -- form --------------------------------------------------------------------------------

    def _receiver_changed(self) -> None:
        self.code_receiver.setVisible(self.receiver.currentData() is None)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the packet", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def current_row(self) -> int:
        """The item whose note the form shows (-1: none)."""
        return self.table.currentIndex().row()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row()
        if not 0 <= row < len(self.model.drafts):
            return
        draft = self.model.drafts[row]
        self._loading = True
        self.priority.setCurrentIndex(self.priority.findData(draft.priority))
        self.summary.setText(draft.summary)
        self.actions.setPlainText(draft.actions)
        self.contingency.setText(draft.contingency)
        self._loading = False

    def _form_changed(self) -> None:
        row = self.current_row()
        if self._loading or not 0 <= row < len(self.model.drafts):
            return
        draft = self.model.drafts[row]
        draft.priority = Priority(self.priority.currentData())
        draft.summary = self.summary.text()
        draft.actions = self.actions.toPlainText()
        draft.contingency = self.contingency.text()
        self.model.draft_changed(row)

    def select_row(self, row: int) -> None:
        """Show an item's note in the form."""
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 1))

    # -- write -------------------------------------------------------------------------------

    def receiver_handle(self) -> tuple[str, bool]:
        """The receiving VMA's handle and whether a one-time code is used."""
        handle = self.receiver.currentData()
        if handle is None:
            return self.code_receiver.text().strip(), True
        return str(handle), False

    def collect_notes(self) -> dict[int, HandoffNote] | None:
        """Validated notes of the included items, or None with problems shown inline."""
        now = self.ctx.clock()
        notes: dict[int, HandoffNote] = {}
        problems: dict[int, str] = {}
        for row, (item, draft) in enumerate(zip(self.model.items, self.model.drafts, strict=True)):
            if not draft.include:
                continue
            try:
                notes[item.id] = draft.note(now, self.ctx.local_tz)
            except ValueError as exc:
                problems[row] = str(exc)
        self.model.set_problems(problems)
        if problems:
            first = min(problems)
            self.select_row(first)
            self.message.setText(
                f"Row {first + 1}: {problems[first]}"
                + (f" ({len(problems) - 1} more rows to fix)" if len(problems) > 1 else "")
            )
            return None
        return notes

    def write_packet(self) -> PacketResult | None:
        """Seal the included items for the receiver and write the packet file."""
        notes = self.collect_notes()
        if notes is None:
            return None
        if not notes:
            self.message.setText("Tick at least one item to hand off.")
            return None
        receiver, one_time = self.receiver_handle()
        if not receiver or any(c.isspace() for c in receiver):
            self.message.setText("Receiver: enter the receiving VMA's handle (one word).")
            return None
        if receiver == self.ctx.vma:
            self.message.setText("Receiver: hand off to a colleague, not to yourself.")
            return None
        folder = Path(self.folder.text().strip() or default_handoff_dir()).expanduser()
        try:
            result = self.ctx.handoffs.create_packet(
                receiver,
                notes,
                self.shift_note.toPlainText().strip(),
                out_dir=folder,
                one_time_code=one_time,
            )
        except (ValueError, OSError) as exc:
            self.message.setText(str(exc))
            return None
        self.result_packet = result
        included = [(item, notes[item.id]) for item in self.model.items if item.id in notes]
        self.report_count = len(included)
        self.report_html = self._report(result, receiver, included)
        lines = [
            f"Sealed packet for {receiver} written to:\n{result.path}",
            f"{len(notes)} item(s) are now in handoff; they stay yours until {receiver} "
            "acknowledges them.",
        ]
        if result.code:
            lines.append(
                f"One-time code: {result.code}\nRead it to {receiver} by phone; it is not "
                "stored anywhere and is needed to open the packet."
            )
        self.done_text.setText("\n\n".join(lines))
        self.model.clear()
        self.summary.clear()
        self.actions.clear()
        self.contingency.clear()
        self.pages.setCurrentIndex(1)
        self.packet_written.emit(result)
        return result

    def _report(
        self, result: PacketResult, receiver: str, included: list[tuple[ItemRow, HandoffNote]]
    ) -> str:
        names: dict[int, tuple[str, str]] = {}
        entries = []
        for item, note in included:
            if item.practice_id not in names:
                practice = self.ctx.work.practice(item.practice_id)
                names[item.practice_id] = (practice.name, practice.tz)
            name, tz = names[item.practice_id]
            entries.append(entry_from_item(item, name, tz, note))
        now = self.ctx.clock().astimezone(load_zone(self.ctx.local_tz))
        return build_html(
            sender=self.ctx.vma,
            receiver=receiver,
            packet_id=result.packet_id,
            created=now.strftime("%Y-%m-%d %H:%M %Z"),
            shift_note=self.shift_note.toPlainText().strip(),
            entries=entries,
        )

    def preview_report(self) -> ReportPreviewDialog | None:
        """Open the report preview; the PDF is written only on its Save."""
        if self.result_packet is None:
            return None
        name = default_report_name(self.result_packet.packet_id, self.ctx.clock())
        folder = Path(self.folder.text().strip() or default_handoff_dir()).expanduser()
        count = self.report_count

        def audited(_path: Path) -> None:
            record_export(self.ctx.session.conn, REPORT_KIND, count)

        self.preview = ReportPreviewDialog(
            self.report_html, folder / name, on_saved=audited, parent=self
        )
        self.preview.open()
        return self.preview

    def finish(self) -> None:
        """End the running shift and close."""
        try:
            if self.ctx.shifts.current() is not None:
                self.ctx.shifts.end()
        except ActionRefused as exc:
            self.done_text.setText(f"{self.done_text.text()}\n\n{exc}")
            return
        self.shift_ended.emit()
        self.accept()

    def done(self, result: int) -> None:
        """Drop the PHI held by the dialog whatever way it closes."""
        self.report_html = ""
        self.model.clear()
        super().done(result)


# -- receiver --------------------------------------------------------------------------------


class PacketItemsModel(QAbstractTableModel):
    """The items of a received packet with their state."""

    HEADERS = ("#", "Lane", "Patient", "Priority", "State")

    def __init__(self, rows: list[HandoffItemRow], parent: Any = None) -> None:
        super().__init__(parent)
        self.rows = rows

    def set_rows(self, rows: list[HandoffItemRow]) -> None:
        """Replace the rows (after an acknowledge or decline)."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """One row per item."""
        return len(self.rows) if _no_parent(parent) else 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Fixed columns."""
        return len(self.HEADERS) if _no_parent(parent) else 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column titles."""
        if (
            role == DISPLAY
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Selectable rows."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role not in (DISPLAY, ACCESSIBLE):
            return None
        row = self.rows[index.row()]
        payload = row.payload
        item = payload.get("item", {})
        col = index.column()
        if col == 0:
            return str(index.row() + 1)
        if col == 1:
            return Lane(row.lane).label
        if col == 2:
            family, given = item.get("patient_family", ""), item.get("patient_given", "")
            return f"{family}, {given}" if given else family
        if col == 3:
            return payload.get("note", {}).get("priority", "")
        if col == 4:
            return row.state
        return None


def _review_html(payload: dict[str, Any], sender: str) -> str:
    import html as _html

    e = _html.escape
    note = HandoffNote.from_dict(payload["note"])
    item = payload.get("item", {})
    practice = payload.get("practice", {})
    tz = practice.get("timezone", "UTC")
    actions = "".join(
        f"<li>{e(s.text)}"
        + (
            f" — by {e(s.due.astimezone(load_zone(tz)).strftime('%Y-%m-%d %H:%M %Z'))}"
            if s.due
            else ""
        )
        + "</li>"
        for s in note.actions
    )
    history = "".join(f"<li>{e(line)}</li>" for line in history_lines(payload))
    family, given = item.get("patient_family", ""), item.get("patient_given", "")
    return "\n".join(
        [
            f"<h3>{e(family)}, {e(given)} — {e(Lane(item.get('lane', 'callback')).label)}</h3>",
            f"<p>{e(practice.get('name', ''))} · phone {e(item.get('phone') or '-')}</p>",
            f"<p><b>Subject</b>: {e(subject_text(item, tz))}</p>",
            f"<p><b>From {e(sender)}</b> · priority <b>{e(note.priority.value)}</b></p>",
            f"<p><b>Summary</b>: {e(note.summary)}</p>",
            f"<p><b>Actions</b></p><ul>{actions or '<li>none listed</li>'}</ul>",
            f"<p><b>If / then</b>: {e(note.contingency or '-')}</p>",
            f"<p><b>History</b></p><ul>{history or '<li>no history</li>'}</ul>",
        ]
    )


class ReviewPacketDialog(QDialog):
    """Review a received packet item by item; acknowledge or decline; write the receipt."""

    receipt_written = Signal(object)

    def __init__(
        self,
        handoffs: HandoffService,
        handoff_id: int,
        *,
        out_dir: Path | None = None,
        on_change: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.handoffs = handoffs
        self.handoff_id = handoff_id
        self.on_change = on_change
        self.receipt_path: Path | None = None
        self.setWindowTitle("Review handoff packet")
        header, rows = handoffs.packet(handoff_id)
        self.sender = header.sender
        self.model = PacketItemsModel(rows, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Items in the packet")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._show)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Item under review")
        self.next_action = QLineEdit()
        self.next_action.setAccessibleName("Next action")
        self.next_action.setPlaceholderText("Restate the next action in your own words")
        self.ack_button = QPushButton("&Acknowledge")
        self.ack_button.clicked.connect(self.acknowledge)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Decline reason")
        self.reason.setPlaceholderText("Why it goes back")
        self.decline_button = QPushButton("&Decline")
        self.decline_button.clicked.connect(self.decline)
        self.folder = QLineEdit(str(out_dir or default_handoff_dir()))
        self.folder.setAccessibleName("Receipt folder")
        self.receipt_button = QPushButton("Write &receipt")
        self.receipt_button.clicked.connect(self.write_receipt)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Review message")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.detail, 1)
        form = QFormLayout()
        ack_row = QHBoxLayout()
        ack_row.addWidget(self.next_action, 1)
        ack_row.addWidget(self.ack_button)
        dec_row = QHBoxLayout()
        dec_row.addWidget(self.reason, 1)
        dec_row.addWidget(self.decline_button)
        form.addRow("&Next action", ack_row)
        form.addRow("Re&ason", dec_row)
        rl.addLayout(form)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        receipt_row = QHBoxLayout()
        receipt_row.addWidget(QLabel("Receipt folder"))
        receipt_row.addWidget(self.folder, 1)
        receipt_row.addWidget(self.receipt_button)
        layout = QVBoxLayout(self)
        note = header.shift_note or "-"
        shift = QLabel(f"From {header.sender}. Shift note: {note}")
        shift.setWordWrap(True)
        layout.addWidget(shift)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(receipt_row)
        layout.addWidget(close)
        self.resize(980, 640)
        self._select_next_pending(0)
        self._update_buttons()

    def _select_next_pending(self, start: int) -> None:
        rows = self.model.rows
        order = list(range(start, len(rows))) + list(range(start))
        for row in order:
            if rows[row].state == HandoffItemState.PENDING:
                self.select_row(row)
                return
        if rows:
            self.select_row(min(start, len(rows) - 1))

    def select_row(self, row: int) -> None:
        """Show one item."""
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 1))
        self._show(self.model.index(row, 1), QModelIndex())

    def current(self) -> HandoffItemRow | None:
        """The item under review."""
        row = self.table.currentIndex().row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def _show(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row()
        if not 0 <= row < len(self.model.rows):
            return
        item = self.model.rows[row]
        try:
            self.detail.setHtml(_review_html(item.payload, self.sender))
            first = item.payload["note"].get("actions") or []
            self.next_action.setText(item.ack_action or (first[0]["text"] if first else ""))
        except (KeyError, ValueError, TypeError):
            self.detail.setPlainText("This item's note is damaged; decline it.")
            self.next_action.clear()
        self.reason.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.current()
        pending = item is not None and item.state == HandoffItemState.PENDING
        self.ack_button.setEnabled(pending)
        self.decline_button.setEnabled(pending)
        self.next_action.setReadOnly(not pending)

    def _reload(self, row: int) -> None:
        _, rows = self.handoffs.packet(self.handoff_id)
        self.model.set_rows(rows)
        if self.on_change is not None:
            self.on_change()
        left = sum(1 for r in rows if r.state == HandoffItemState.PENDING)
        self.message.setText(
            f"{left} item(s) still to review." if left else "All reviewed: write the receipt."
        )
        self._select_next_pending(row)

    def acknowledge(self) -> bool:
        """Take the current item over with the restated next action."""
        item = self.current()
        if item is None:
            return False
        row = self.table.currentIndex().row()
        try:
            self.handoffs.acknowledge(item.id, self.next_action.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        self._reload(row)
        return True

    def decline(self) -> bool:
        """Send the current item back to the sender."""
        item = self.current()
        if item is None:
            return False
        row = self.table.currentIndex().row()
        if not self.reason.text().strip():
            self.message.setText("Reason: say why the item goes back.")
            return False
        try:
            self.handoffs.decline(item.id, self.reason.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        self._reload(row)
        return True

    def write_receipt(self) -> Path | None:
        """Write the sealed receipt for the sender."""
        pending = sum(1 for r in self.model.rows if r.state == HandoffItemState.PENDING)
        if pending:
            self.message.setText(
                f"{pending} item(s) are still pending: acknowledge or decline each first."
            )
            return None
        folder = Path(self.folder.text().strip() or default_handoff_dir()).expanduser()
        try:
            path = self.handoffs.write_receipt(self.handoff_id, folder)
        except (ValueError, OSError) as exc:
            self.message.setText(str(exc))
            return None
        self.receipt_path = path
        self.message.setText(f"Receipt written to {path}; send it back to {self.sender}.")
        self.receipt_written.emit(path)
        return path

    def done(self, result: int) -> None:
        """Drop the PHI held by the dialog whatever way it closes."""
        self.model.set_rows([])
        self.detail.clear()
        super().done(result)


# -- flows for the Shift menu -----------------------------------------------------------------


def open_packet(
    handoffs: HandoffService,
    path: Path,
    ask_code: Callable[[], str | None],
) -> int:
    """Open a packet file, asking for the one-time code when it needs one.

    Raises:
        ValueError: The file is not a packet for this VMA, or the code is wrong (the message
            says which); ``ActionRefused("cancelled")`` when the VMA cancels the code prompt.
    """
    try:
        return handoffs.open_packet(path)
    except ActionRefused as exc:
        if "one-time code" not in str(exc):
            raise
    code = ask_code()
    if not code:
        raise ActionRefused("Opening the packet was cancelled.")
    return handoffs.open_packet(path, code=code.strip())


def ask_code_dialog(parent: QWidget | None) -> str | None:
    """Ask for the one-time code the sender read out."""
    code, ok = QInputDialog.getText(
        parent, "One-time code", "The code the sender read out to you:", QLineEdit.EchoMode.Normal
    )
    return code if ok else None
