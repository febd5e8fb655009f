"""Shift → End shift & hand off: the sender's dialog.

:class:`EndShiftDialog` lists every open item of the VMA (model/view: a table model)
with an I-PASS note per item (priority, one-line summary, actions with times, contingency
"if … then …"), a shift note and the receiver; it writes the sealed packet, shows the one-time
code if one was used, offers the printable report, then ends the shift.

The dialog holds PHI: the idle lock rejects it, and it drops its rows however it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.vocabulary import Priority
from vmadesk.services.console import Console
from vmadesk.services.errors import ActionRefused
from vmadesk.services.exports import record_export
from vmadesk.services.handoff import PacketResult
from vmadesk.services.handoff_hub import (
    fetch_public_keys,
    hub_target,
    queue_handoff,
    receivers_from,
)
from vmadesk.services.views import ItemRow
from vmadesk.ui import workers
from vmadesk.ui.dialogs.handoff.note_form import NoteForm, actions_label
from vmadesk.ui.dialogs.handoff.notes_model import HandoffItemsModel
from vmadesk.ui.dialogs.handoff.parts import (
    chosen_folder,
    default_handoff_dir,
    fit_to_screen,
    items_table,
)
from vmadesk.ui.dialogs.handoff.report import (
    REPORT_KIND,
    ReportPreviewDialog,
    default_report_name,
    report_html,
)

ONE_TIME_CODE = "One-time code (read out by phone)"
FILE, HUB = "file", "hub"


def open_items(ctx: Console) -> list[ItemRow]:
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
        ctx: Console,
        *,
        out_dir: Path | None = None,
        sync_now: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_packet: PacketResult | None = None
        self.report_html = ""
        self.report_count = 0
        self.preview: ReportPreviewDialog | None = None
        self._loading = False
        self.setWindowTitle("End shift and hand off")

        items = open_items(ctx)
        self.escalations = ctx.worklist.escalations_for([item.id for item in items])
        self.model = HandoffItemsModel(
            items, self, escalations=self.escalations, local_tz=ctx.local_tz
        )
        self.table = items_table(self.model, "Open items to hand off")
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        note_box = NoteForm(actions_label(ctx.local_tz, ctx.clock()))
        self.priority, self.summary = note_box.priority, note_box.summary
        self.actions, self.contingency = note_box.actions, note_box.contingency
        note_box.changed.connect(self._form_changed)

        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(note_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.split = split

        self.shift_note = QPlainTextEdit()
        self.shift_note.setAccessibleName("Shift note")
        self.shift_note.setMaximumHeight(self.shift_note.fontMetrics().lineSpacing() * 3)
        self.receiver = QComboBox()
        self.receiver.setAccessibleName("Receiving VMA")
        for handle in ctx.handoffs.colleagues():
            self.receiver.addItem(f"{handle} — packet file", (FILE, handle))
        self.receiver.addItem(ONE_TIME_CODE, None)
        #: Set once the hub's receiver list is in (or failed); the file route works meanwhile.
        self.receivers_loaded = False
        self.sync_now = sync_now
        self.hub = hub_target(ctx.session.conn)
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
        # Rows holding a layout get no buddy from QFormLayout: without one the "&" would
        # show as a literal ampersand instead of underlining the mnemonic.
        receiver_label = QLabel("&Receiver")
        receiver_label.setBuddy(self.receiver)
        folder_label = QLabel("&Folder")
        folder_label.setBuddy(self.folder)
        bottom.addRow(receiver_label, receiver_row)
        bottom.addRow(folder_label, folder_row)

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
        fit_to_screen(self, 1180, 700)
        self.split.setSizes([self.width() * 11 // 20, self.width() * 9 // 20])
        if self.hub is not None:
            self.message.setText("Fetching your colleagues from the hub…")
            self._job = workers.start(
                lambda _progress, target: fetch_public_keys(target),
                self.hub,
                on_success=self._receivers_arrived,
                on_error=self._receivers_failed,
                parent=self,
            )
        else:
            self.receivers_loaded = True
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.message.setText("You own no open items; End shift needs no packet.")

    # -- form --------------------------------------------------------------------------------

    def _receiver_changed(self) -> None:
        route = self.receiver.currentData()
        self.code_receiver.setVisible(route is None)
        self.folder.setEnabled(route is None or route[0] == FILE)

    def _receivers_arrived(self, records: list[Any]) -> None:
        """Put the hub's VMAs first (keys pinned now); a changed key is shown, not offered."""
        assert self.hub is not None
        listed = receivers_from(self.ctx.session.conn, records, self.hub.handle)
        usable = [r for r in listed if r.usable]
        for index, receiver in enumerate(usable):
            self.receiver.insertItem(
                index, f"{receiver.handle} — through the hub", (HUB, receiver.handle)
            )
        if usable:
            self.receiver.setCurrentIndex(0)
        problems = [r.problem for r in listed if not r.usable]
        self.message.setText(" ".join(problems))
        self.receivers_loaded = True

    def _receivers_failed(self, _error: BaseException) -> None:
        self.message.setText(
            "The hub cannot be reached: hand off with a packet file or a one-time code."
        )
        self.receivers_loaded = True

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
        route = self.receiver.currentData()
        if route is None:
            return self.code_receiver.text().strip(), True
        return str(route[1]), False

    def through_hub(self) -> bool:
        """Whether the chosen receiver gets the packet through the hub (no file)."""
        route = self.receiver.currentData()
        return route is not None and route[0] == HUB

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
        folder = chosen_folder(self.folder)
        try:
            if self.through_hub():
                envelope_id = queue_handoff(
                    self.ctx.session.conn,
                    receiver,
                    notes,
                    self.shift_note.toPlainText().strip(),
                    vma=self.ctx.vma,
                    now=self.ctx.clock(),
                    on_change=self.ctx.change_hook,
                )
                result = PacketResult(None, envelope_id, 0, None)
            else:
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
        if result.path is None and self.sync_now is not None:
            self.sync_now()  # the packet goes out now, not at the next timed round
        self.result_packet = result
        included = [(item, notes[item.id]) for item in self.model.items if item.id in notes]
        self.report_count = len(included)
        self.report_html = report_html(
            self.ctx,
            packet_id=result.packet_id,
            receiver=receiver,
            included=included,
            escalations=self.escalations,
            shift_note=self.shift_note.toPlainText().strip(),
        )
        where = (
            "queued for the hub (it goes out with this sync; no file to carry)"
            if result.path is None
            else f"written to:\n{result.path}"
        )
        lines = [
            f"Sealed packet for {receiver} {where}",
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

    def preview_report(self) -> ReportPreviewDialog | None:
        """Open the report preview; the PDF is written only on its Save."""
        if self.result_packet is None:
            return None
        name = default_report_name(self.result_packet.packet_id, self.ctx.clock())
        folder = chosen_folder(self.folder)
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
        self.escalations = {}
        self.model.clear()
        super().done(result)
