"""Copy a phone number to the clipboard as concealed data, and clear it a little later.

The copy is marked for clipboard managers (KDE's ``x-kde-passwordManagerHint`` and Windows'
``ExcludeClipboardContentFromMonitorProcessing``) so they do not keep it in their history; the
clipboard is cleared after ``clear_ms`` only if it still holds our text.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

KDE_HINT = "x-kde-passwordManagerHint"
WINDOWS_EXCLUDE = (
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"'
)
WINDOWS_NO_HISTORY = 'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"'
DEFAULT_CLEAR_MS = 30_000


def concealed_mime(text: str) -> QMimeData:
    """Mime data carrying ``text`` marked as secret for clipboard managers."""
    mime = QMimeData()
    mime.setText(text)
    mime.setData(KDE_HINT, b"secret")
    if sys.platform.startswith("win"):
        mime.setData(WINDOWS_EXCLUDE, b"\x01\x00\x00\x00")
        mime.setData(WINDOWS_NO_HISTORY, b"\x00\x00\x00\x00")
    return mime


class ClipboardGuard(QObject):
    """Puts concealed text on the clipboard and takes it off again."""

    def __init__(self, parent: QObject | None = None, clear_ms: int = DEFAULT_CLEAR_MS) -> None:
        super().__init__(parent)
        self.clear_ms = clear_ms
        self._text: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_now)

    @staticmethod
    def _clipboard() -> QClipboard:
        return QGuiApplication.clipboard()

    def copy(self, text: str) -> None:
        """Copy ``text`` (concealed) and schedule the clear."""
        self._text = text
        self._clipboard().setMimeData(concealed_mime(text))
        self._timer.start(self.clear_ms)

    def pending(self) -> bool:
        """Whether a clear is scheduled."""
        return self._timer.isActive()

    def clear_now(self) -> None:
        """Clear the clipboard if it still holds what we put there."""
        self._timer.stop()
        if self._text is not None and self._clipboard().text() == self._text:
            self._clipboard().clear()
        self._text = None
