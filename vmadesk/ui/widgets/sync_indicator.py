"""The status-bar sync indicator and the controller that runs the background sync worker.

The worker (:class:`vmadesk.sync.worker.SyncWorker`) runs on its own thread with its own
connection; it reports :class:`~vmadesk.sync.worker.SyncStatus` values, which reach the UI thread
through a Qt signal (queued across threads). The label shows counts and times only — "synced ·
12:04", "12 pending", "offline since 12:00 · 12 pending" — never PHI.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from vmadesk.services.console import Console
from vmadesk.services.hub_access import SyncStatus, SyncWorker


def _clock(at: datetime | None) -> str:
    return at.astimezone().strftime("%H:%M") if at else "never"


def status_text(status: SyncStatus) -> str:
    """The indicator's text for a status."""
    tail = ""
    if status.conflicts:
        tail = f" · {status.conflicts} held by others"
        if status.worked_elsewhere:  # work done here went to them: the VMA must know
            tail += f" ({status.worked_elsewhere} you worked: see Ctrl+Shift+T)"
    if status.in_handoff:
        tail += f" · {status.in_handoff} in handoff"
    if status.rejected:
        tail += f" · {status.rejected} refused"
    if status.state == "not_enrolled":
        return "not enrolled"
    if status.state == "no_team_secret":
        return "waiting for the team secret"
    if status.state == "offline":
        return f"offline since {_clock(status.offline_since)} · {status.pending} pending{tail}"
    if status.state == "error":
        return f"sync error · {status.pending} pending{tail}"
    if status.pending:
        return f"{status.pending} pending{tail}"
    return f"synced · {_clock(status.last_success_at)}{tail}"


class SyncIndicator(QLabel):
    """A status-bar label fed by :class:`SyncController`'s ``status_changed`` signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("not enrolled", parent)
        self.setObjectName("syncIndicator")
        self.setToolTip("Team hub sync: messages waiting in the encrypted outbox")
        self._last = ""

    def show_status(self, status: object) -> None:
        """Slot: show a :class:`SyncStatus` (only when the text changed)."""
        if not isinstance(status, SyncStatus):
            return
        text = status_text(status)
        if text != self._last:  # setText sparingly (PySide6 6.12 on 3.11 leaks None per call)
            self._last = text
            self.setText(text)
            # Work of this VMA's that went to a colleague is a conflict to read, not a count.
            self.setStyleSheet("font-weight: bold;" if status.worked_elsewhere else "")


class SyncController(QObject):
    """Owns the worker thread; relays its reports as a signal on the UI thread."""

    status_changed = Signal(object)

    def __init__(
        self,
        connect: Callable[[], Any],
        run_round: Callable[[Any], Any],
        *,
        interval: float = 60.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.indicator = SyncIndicator()
        self.status_changed.connect(self.indicator.show_status)
        self.last_status: SyncStatus | None = None
        self.status_changed.connect(self._remember)
        self.worker = SyncWorker(connect, run_round, self.status_changed.emit, interval=interval)

    def _remember(self, status: object) -> None:
        if isinstance(status, SyncStatus):
            self.last_status = status

    def start(self) -> None:
        """Start the worker thread."""
        self.worker.start()

    def sync_now(self) -> None:
        """Ask for a round now (never blocks)."""
        self.worker.sync_now()

    def stop(self) -> None:
        """Stop the worker (call on close)."""
        self.worker.stop()


def start_sync(
    console: Console, main_window: Any = None, *, interval: float = 60.0
) -> SyncController:
    """Start background sync for ``console`` and put the indicator in ``main_window``'s status bar.

    The worker opens its own connection to the console's profile. The console's services on
    the UI thread queue the hub messages themselves (their hooks are the console's).
    """
    from vmadesk.services.hub_access import quiet_http_logs, scheduled_round

    quiet_http_logs()
    controller = SyncController(
        console.profile.connect, scheduled_round, interval=interval, parent=main_window
    )
    if main_window is not None and hasattr(main_window, "status_bar_widget_slot"):
        main_window.status_bar_widget_slot(controller.indicator)
    controller.start()
    return controller
