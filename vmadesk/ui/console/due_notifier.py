"""Desktop notifications of due work: counts only, never a patient or an item."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from vmadesk.services.app_setup import APP_NAME
from vmadesk.services.console import Console
from vmadesk.services.views import LaneCounts

NOTIFY_MS = 60_000


def due_notice(counts: dict[object, LaneCounts]) -> str | None:
    """A notification text made of numbers only ("3 items due soon, 1 overdue")."""
    due_soon = sum(c.due_soon for c in counts.values())
    overdue = sum(c.overdue for c in counts.values())
    if not due_soon and not overdue:
        return None
    parts = []
    if due_soon:
        parts.append(f"{due_soon} item{'s' if due_soon != 1 else ''} due soon")
    if overdue:
        parts.append(f"{overdue} overdue")
    return ", ".join(parts)


class DueNotifier(QObject):
    """Desktop notifications with counts only, when the numbers grow."""

    def __init__(self, ctx: Console, parent: QWidget, *, interval_ms: int = NOTIFY_MS):
        super().__init__(parent)
        self.ctx = ctx
        self.paused = False
        self.last_text: str | None = None
        self._last_key = (0, 0)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(parent.windowIcon(), self)
            self.tray.setToolTip(APP_NAME)
            self.tray.show()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> str | None:
        """Notify when due-soon or overdue counts rose since the last check."""
        if self.paused:
            return None
        counts = self.ctx.worklist.lane_counts()
        key = (sum(c.due_soon for c in counts.values()), sum(c.overdue for c in counts.values()))
        grew = key[0] > self._last_key[0] or key[1] > self._last_key[1]
        self._last_key = key
        text = due_notice(counts)
        if not grew or text is None:
            return None
        self.last_text = text
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(APP_NAME, text, QSystemTrayIcon.MessageIcon.Information, 8000)
        return text
