"""The console shell's handoff and evidence actions (a mixin of :class:`ConsoleShell`).

Shift → Handoffs… (the hub inbox and the receivers' answers), reviewing a received packet,
Shift → Evidence requests… and the check after each sync round that tells the VMA, in words
without PHI, when a supervisor's evidence request waits; and keeping the practice filter in
step with practices that arrive with a handoff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from vmadesk.ui.context import ConsoleContext

if TYPE_CHECKING:
    from vmadesk.ui.console.lock import IdleLock
    from vmadesk.ui.dialogs.handoff.inbox import HandoffsDialog
    from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog


class HandoffShellActions:
    """Handoff and evidence actions; mixed into the shell, which provides the attributes."""

    ctx: ConsoleContext
    window: QMainWindow
    handoff_dir: Path
    lock: IdleLock
    evidence_waiting: Any
    #: The background sync's "round now" and its status signal (set by the application).
    sync_now: Callable[[], None] | None = None
    sync_status: Any = None
    _evidence_job: QObject | None = None
    _evidence_seen = 0
    _answers_seen: int | None = None

    if TYPE_CHECKING:

        def _show(self, dialog: QWidget) -> QWidget: ...
        def _warn(self, title: str, text: str) -> QMessageBox: ...
        def _message(self, text: str) -> None: ...
        def _refresh(self) -> None: ...

    def review_packet(self, handoff_id: int) -> ReviewPacketDialog:
        """Review a received packet; one through the hub answers through the hub."""
        from vmadesk.services.handoff_hub import came_through_hub
        from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog

        dialog = ReviewPacketDialog(
            self.ctx.handoffs,
            handoff_id,
            out_dir=self.handoff_dir,
            on_change=self._refresh,
            via_hub=came_through_hub(self.ctx.session.conn, handoff_id),
            parent=self.window,
        )
        dialog.on_settled = self.sync_now
        self._show(dialog)
        return dialog

    def handoffs(self) -> HandoffsDialog:
        """Shift → Handoffs…: the hub inbox and the answers to packets sent."""
        from vmadesk.ui.dialogs.handoff.inbox import HandoffsDialog

        dialog = HandoffsDialog(self.ctx, sync_now=self.sync_now, parent=self.window)
        dialog.review_requested.connect(lambda handoff_id: self._review_from(dialog, handoff_id))
        if self.sync_status is not None:
            self.sync_status.connect(dialog.reload)
        self._show(dialog)
        return dialog

    def evidence_requests(self) -> QWidget:
        """Shift → Evidence requests…: review, send or decline (a hub is needed)."""
        from vmadesk.services.evidence import responder_for
        from vmadesk.ui.dialogs.evidence_prompt import EvidencePromptDialog

        found = responder_for(self.ctx.session.conn)
        if found is None:
            return self._warn(
                "Evidence requests",
                "Evidence requests come through the team hub; this profile is not enrolled.",
            )
        responder, factory = found
        dialog = EvidencePromptDialog(
            responder, factory, local_tz=self.ctx.local_tz, parent=self.window
        )
        self._show(dialog)
        return dialog

    def check_evidence(self, _status: object = None) -> None:
        """After a sync round: say (no PHI) when a supervisor's evidence request waits."""
        from vmadesk.services.evidence import count_requests, responder_for
        from vmadesk.ui import workers

        if self.lock.is_locked or self._evidence_job is not None:
            return
        found = responder_for(self.ctx.session.conn)
        if found is None:
            return
        factory = found[1]
        self._evidence_job = workers.start(
            lambda _p: count_requests(factory),
            on_success=self._evidence_counted,
            on_error=lambda _e: self._evidence_counted(None),
            parent=self,
        )

    def _evidence_counted(self, count: int | None) -> None:
        self._evidence_job = None
        if count is None:  # hub unreachable: the sync indicator already says so
            return
        if count and count != self._evidence_seen:
            self._message(
                f"A supervisor asks for evidence on {count} item(s): "
                "Shift → Evidence requests (Ctrl+Shift+V)."
            )
        self._evidence_seen = count
        self.evidence_waiting.emit(count)

    def check_answers(self, _status: object = None) -> int:
        """After a sync round: say when receivers answered a handoff (their words: Handoffs…)."""
        from vmadesk.services.handoff_hub import answered_count

        count = answered_count(self.ctx.session.conn)
        if self._answers_seen is not None and count > self._answers_seen:
            self._message(
                f"{count - self._answers_seen} handed-off item(s) answered: "
                "Shift → Handoffs (Ctrl+Shift+H) shows what the receiver said."
            )
            self._refresh()  # acknowledged items left this console's lists
        self._answers_seen = count
        return count

    def _review_from(self, inbox: QWidget, handoff_id: int) -> None:
        inbox.close()  # one window-modal dialog at a time
        self.review_packet(handoff_id)

    def _sync_practices(self) -> None:
        """Offer practices that arrived since start (an acknowledged handoff brings its own)."""
        chooser = getattr(self.window, "practice_filter", None)
        if chooser is None:
            return
        known = {chooser.itemData(i) for i in range(chooser.count())}
        for practice in self.ctx.worklist.practices():
            if practice.id not in known:
                chooser.addItem(practice.name, practice.id)
