"""Add a free note to an item's history without logging a call (Ctrl+Enter saves)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from vmadesk.services.errors import ActionRefused
from vmadesk.ui.form_parts import error_label, ok_cancel, show_error

if TYPE_CHECKING:
    from vmadesk.services.work import WorkService


class NoteDialog(QDialog):
    """A free note on an item's history, without logging a call (Ctrl+Enter saves)."""

    def __init__(self, work: WorkService, item_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item_id
        self.setWindowTitle("Add note")
        self.setAccessibleName("Add note")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Note text")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * 5)
        layout = QVBoxLayout(self)
        prompt = QLabel("&Note (kept in the item's history; no call is logged):")
        prompt.setBuddy(self.text)
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        layout.addWidget(self.text)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Add note")
        layout.addWidget(self.buttons_box)
        self.text.setFocus()
        # Enter in the text box starts a new line; Ctrl+Enter saves (the text box would
        # take it as a line break before any shortcut saw it).
        self.text.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in the text box saves."""
        if (
            watched is self.text
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.accept()
            return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        """Save through the service; stay open on refusal."""
        try:
            self.work.add_note(self.item_id, self.text.toPlainText())
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()
