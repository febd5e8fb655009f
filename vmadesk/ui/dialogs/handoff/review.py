"""Receiving a handoff: open a packet (with its one-time code), review it, write the receipt.

:class:`ReviewPacketDialog` shows each item with the sender's note and history; Acknowledge
needs the next action restated, Decline takes a reason; then Write receipt.
:func:`open_packet` and :func:`ask_code_dialog` are the Shift menu's way in.

The dialog holds PHI: the idle lock rejects it, and it drops its rows however it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import (
    DeclineReason,
    HandoffItemState,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.handoff import HandoffService
from vmadesk.services.handoff_payload import first_action
from vmadesk.services.views import HandoffItemRow
from vmadesk.ui.dialogs.handoff.packet_model import PacketItemsModel, review_html
from vmadesk.ui.dialogs.handoff.parts import (
    chosen_folder,
    default_handoff_dir,
    fit_to_screen,
    items_table,
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
        via_hub: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.handoffs = handoffs
        self.handoff_id = handoff_id
        self.on_change = on_change
        #: Called once every item is decided (the shell then syncs, sending the receipt).
        self.on_settled: Callable[[], None] | None = None
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
        self.reason_code = QComboBox()
        self.reason_code.setAccessibleName("Decline reason")
        self.reason_code.addItem("Choose why it goes back…", None)
        for code in DeclineReason:
            self.reason_code.addItem(code.label, code)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Decline detail")
        self.reason.setPlaceholderText("In a few words (needed for Other)")
        self.decline_button = QPushButton("&Decline")
        self.decline_button.clicked.connect(self.decline)
        self.ack_all_button = QPushButton("Acknowledge all &with actions")
        self.ack_all_button.setToolTip(
            "Take over every item still to decide whose note lists the sender's actions; "
            "the first action stands as your next action. Decide the rest one by one."
        )
        self.ack_all_button.clicked.connect(self.acknowledge_all)
        self.via_hub = via_hub
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
        dec_row.addWidget(self.reason_code, 1)
        dec_row.addWidget(self.decline_button)
        # Rows holding a layout get no buddy from QFormLayout: without one the "&" would show.
        action_label = QLabel("&Next action")
        action_label.setBuddy(self.next_action)
        reason_label = QLabel("Re&ason")
        reason_label.setBuddy(self.reason_code)
        form.addRow(action_label, ack_row)
        form.addRow(reason_label, dec_row)
        form.addRow("", self.reason)
        rl.addLayout(form)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.ack_all_button)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        receipt_row = QHBoxLayout()
        receipt_row.addWidget(QLabel("Receipt folder"))
        receipt_row.addWidget(self.folder, 1)
        receipt_row.addWidget(self.receipt_button)
        if via_hub:  # the receipt goes back through the hub: no file to carry
            self.folder.hide()
            self.receipt_button.hide()
            receipt_row.itemAt(0).widget().setText(
                "Your decisions go back to the sender through the hub once each item is decided."
            )
        layout = QVBoxLayout(self)
        note = header.shift_note or "-"
        shift = QLabel(f"From {header.sender}. Shift note: {note}")
        shift.setWordWrap(True)
        layout.addWidget(shift)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(receipt_row)
        layout.addWidget(close)
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header_view.setStretchLastSection(True)
        fit_to_screen(self, 1180, 700)
        split.setSizes([self.width() * 11 // 20, self.width() * 9 // 20])
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
            self.detail.setHtml(review_html(item.payload, self.sender))
            first = item.payload["note"].get("actions") or []
            self.next_action.setText(item.ack_action or (first[0]["text"] if first else ""))
        except (KeyError, ValueError, TypeError):
            self.detail.setPlainText("This item's note is damaged; decline it.")
            self.next_action.clear()
        self.reason.clear()
        self.reason_code.setCurrentIndex(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.current()
        pending = item is not None and item.state == HandoffItemState.PENDING
        self.ack_button.setEnabled(pending)
        self.decline_button.setEnabled(pending)
        self.next_action.setReadOnly(not pending)
        self.ack_all_button.setEnabled(
            any(
                r.state == HandoffItemState.PENDING and first_action(r.payload)
                for r in self.model.rows
            )
        )

    def _reload(self, row: int) -> None:
        _, rows = self.handoffs.packet(self.handoff_id)
        self.model.set_rows(rows)
        if self.on_change is not None:
            self.on_change()
        left = sum(1 for r in rows if r.state == HandoffItemState.PENDING)
        done = (
            "All reviewed: your decisions go back through the hub."
            if self.via_hub
            else ("All reviewed: write the receipt.")
        )
        self.message.setText(f"{left} item(s) still to review." if left else done)
        self._select_next_pending(row)
        if not left and self.on_settled is not None:
            self.on_settled()

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
        code = self.reason_code.currentData()
        if code is None:
            self.message.setText("Reason: choose why the item goes back.")
            self.reason_code.setFocus()
            return False
        try:
            self.handoffs.decline(item.id, code, self.reason.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        self._reload(row)
        return True

    def acknowledge_all(self) -> int:
        """Take over in one step every item still to decide whose note lists actions."""
        row = max(self.table.currentIndex().row(), 0)
        try:
            taken = self.handoffs.acknowledge_all(self.handoff_id)
        except ValueError as exc:
            self.message.setText(str(exc))
            return 0
        self._reload(row)
        left = sum(1 for r in self.model.rows if r.state == HandoffItemState.PENDING)
        if left:
            self.message.setText(
                f"{len(taken)} acknowledged with the sender's actions; {left} to decide one "
                "by one (their notes list no action)."
            )
        return len(taken)

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
