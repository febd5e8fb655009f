"""Shift → Evidence requests…: a supervisor asks for a sampled item's details; the VMA decides.

The VMA sees who asks and exactly what would be sent (the item's patient, subject and history,
read from this profile), then either sends it — sealed here to the requesting supervisor's key,
the hub relays ciphertext — or declines with a reason the supervisor sees. Hub calls run on a
worker thread; reading and sealing the item run on the UI thread's connection.

The dialog holds PHI (the preview): the idle lock rejects it, and it drops the preview however
it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.instants import load_zone
from vmadesk.services import hub_records
from vmadesk.services.evidence import (
    DECLINE_LABELS,
    EvidenceError,
    EvidenceResponder,
    fetch_requests,
    post_answer,
    post_decline,
)
from vmadesk.services.hub_access import HubClient
from vmadesk.ui import workers
from vmadesk.ui.dialogs.handoff.parts import fit_to_screen, items_table
from vmadesk.ui.models.row_table import ACCESSIBLE, DISPLAY, RowTableModel

Pending = tuple[hub_records.EvidenceRecord, hub_records.PublicKeyRecord | None]


class RequestsModel(RowTableModel[Pending]):
    """Evidence requests waiting for the VMA (no PHI: who asked, when)."""

    HEADERS = ("From", "Requested")

    def __init__(self, tz: str, parent: Any = None) -> None:
        super().__init__([], parent)
        self.tz = tz

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text."""
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or role not in (DISPLAY, ACCESSIBLE):
            return None
        request = row[0]
        if index.column() == 0:
            return request.requested_by
        at: datetime = request.requested_at
        return at.astimezone(load_zone(self.tz)).strftime("%a %d %b %H:%M")


class EvidencePromptDialog(QDialog):
    """Review each evidence request; send the item's details or decline with a reason."""

    def __init__(
        self,
        responder: EvidenceResponder,
        client_factory: Callable[[], HubClient],
        *,
        local_tz: str = "UTC",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.responder = responder
        self.client_factory = client_factory
        self.setWindowTitle("Evidence requests")
        #: Set once the hub answered (or failed) the first fetch.
        self.loaded = False
        self.busy = False
        self.model = RequestsModel(local_tz, self)
        self.table = items_table(self.model, "Evidence requests")
        self.table.selectionModel().currentRowChanged.connect(self._show)
        self.preview = QTextBrowser()
        self.preview.setAccessibleName("What would be sent")
        self.approve_button = QPushButton("&Send these details")
        self.approve_button.clicked.connect(self.approve)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Decline reason")
        self.reason.addItem("Choose why not…", None)
        for code, label in DECLINE_LABELS.items():
            self.reason.addItem(label, code)
        self.decline_button = QPushButton("&Decline")
        self.decline_button.clicked.connect(self.decline)
        self.message = QLabel("Asking the hub for requests…")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Evidence message")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("What the supervisor would receive, sealed to their key:"))
        rl.addWidget(self.preview, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.approve_button)
        actions.addStretch(1)
        actions.addWidget(self.reason)
        actions.addWidget(self.decline_button)
        rl.addLayout(actions)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        fit_to_screen(self, 900, 560)
        self._update_buttons()
        self.refresh()

    # -- fetch -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask the hub for the requests waiting for this VMA (worker thread)."""
        self.busy = True
        workers.start(
            lambda _p: fetch_requests(self.client_factory),
            on_success=self._arrived,
            on_error=self._failed,
            parent=self,
        )

    def _arrived(self, pending: list[Pending]) -> None:
        self.busy = False
        self.loaded = True
        self.model.set_rows(pending)
        if pending:
            self.message.setText(
                f"{len(pending)} request(s): review what would be sent, then send or decline."
            )
            self.table.selectRow(0)
            self._show(self.model.index(0, 0), QModelIndex())
        else:
            self.preview.clear()
            self.message.setText("No evidence request waits for you.")
        self._update_buttons()

    def _failed(self, _error: BaseException) -> None:
        self.busy = False
        self.loaded = True
        self.message.setText("The hub cannot be reached; the requests wait there. Try later.")
        self._update_buttons()

    # -- review ------------------------------------------------------------------------------

    def current(self) -> Pending | None:
        """The request under review."""
        return self.model.row_at(self.table.currentIndex().row())

    def _show(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row())
        if row is None:
            return
        try:
            lines = self.responder.preview(row[0])
        except EvidenceError as exc:
            self.preview.setPlainText(f"{exc} You can only decline it.")
        else:
            self.preview.setPlainText("\n".join(lines))
        self.reason.setCurrentIndex(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.current()
        known = row is not None and self.responder.item_for(row[0]) is not None
        self.approve_button.setEnabled(not self.busy and known and row[1] is not None)
        self.decline_button.setEnabled(not self.busy and row is not None)

    # -- decide ------------------------------------------------------------------------------

    def approve(self) -> bool:
        """Seal the item's details to the requesting supervisor here, then post them."""
        row = self.current()
        if row is None or row[1] is None or self.busy:
            return False
        request, key = row
        try:
            answer = self.responder.seal(request, key.public_key)
        except (EvidenceError, ValueError) as exc:
            self.message.setText(str(exc))
            return False
        self.busy = True
        self._update_buttons()
        workers.start(
            lambda _p: post_answer(self.client_factory, answer),
            on_success=lambda _r: self._decided(request, "approved", answer.item_id),
            on_error=self._post_failed,
            parent=self,
        )
        return True

    def decline(self) -> bool:
        """Tell the supervisor, with the chosen reason, that nothing will be sent."""
        row = self.current()
        code = self.reason.currentData()
        if row is None or self.busy:
            return False
        if code is None:
            self.message.setText("Reason: choose why you decline.")
            self.reason.setFocus()
            return False
        request, code = row[0], hub_records.EvidenceDeclineReason(code)  # Qt hands back a plain str
        self.busy = True
        self._update_buttons()
        workers.start(
            lambda _p: post_decline(self.client_factory, request.request_id, code),
            on_success=lambda _r: self._decided(
                request, "declined", self.responder.item_for(request), code
            ),
            on_error=self._post_failed,
            parent=self,
        )
        return True

    def _decided(
        self,
        request: hub_records.EvidenceRecord,
        action: str,
        item_id: int | None,
        reason: hub_records.EvidenceDeclineReason | None = None,
    ) -> None:
        self.responder.record(request, action, item_id, reason=reason)
        self.busy = False
        rows = [r for r in self.model.rows if r[0].request_id != request.request_id]
        self.model.set_rows(rows)
        done = "Sent, sealed to" if action == "approved" else "Declined; the hub tells"
        self.message.setText(f"{done} {request.requested_by}.")
        if rows:
            self.table.selectRow(0)
            self._show(self.model.index(0, 0), QModelIndex())
        else:
            self.preview.clear()
        self._update_buttons()

    def _post_failed(self, _error: BaseException) -> None:
        self.busy = False
        self.message.setText("The hub did not take it; nothing changed. Try again.")
        self._update_buttons()

    def done(self, result: int) -> None:
        """Drop the preview (PHI) however the dialog closes."""
        self.preview.clear()
        self.model.set_rows([])
        super().done(result)
