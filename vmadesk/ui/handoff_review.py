"""Receiving a handoff: open a packet (with its one-time code), review it, write the receipt.

:class:`ReviewPacketDialog` shows each item with the sender's note and history; Acknowledge
needs the next action restated, Decline takes a reason; then Write receipt.
:func:`open_packet` and :func:`ask_code_dialog` are the Shift menu's way in.

The dialog holds PHI: the idle lock rejects it, and it drops its rows however it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import HandoffItemState, Lane
from vmadesk.services.errors import ActionRefused
from vmadesk.services.handoff import HandoffService
from vmadesk.services.handoff_payload import history_lines
from vmadesk.store.handoffs import HandoffItemRow
from vmadesk.ui.dialog_parts import fit_to_screen
from vmadesk.ui.handoff_parts import chosen_folder, default_handoff_dir, items_table
from vmadesk.ui.handoff_report import escalations_html, subject_text
from vmadesk.ui.row_table_model import ACCESSIBLE, DISPLAY, RowTableModel


class PacketItemsModel(RowTableModel[HandoffItemRow]):
    """The items of a received packet with their state (set_rows after each decision)."""

    HEADERS = ("#", "Lane", "Patient", "Priority", "State")

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
            escalations_html(payload.get("escalations", [])),
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
        self.table = items_table(self.model, "Items in the packet")
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
        fit_to_screen(self, 980, 640)
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
        folder = chosen_folder(self.folder)
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
