"""The item search box: Esc clears it, a second Esc leaves it, Down goes into the results."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget


class SearchBox(QLineEdit):
    """A line edit that hands the keyboard to the results list."""

    #: The VMA left the box (Esc on an empty box) or went down into the results (Down).
    to_results = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Search items")
        self.setPlaceholderText("Search name, phone or reason  (Ctrl+F or /; Esc clears)")
        self.setClearButtonEnabled(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc clears, then leaves; Down and PageDown go to the results."""
        key = event.key()
        if key == Qt.Key.Key_Escape and not event.modifiers():
            if self.text():
                self.clear()
            else:
                self.to_results.emit()
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and not event.modifiers():
            self.to_results.emit()
            return
        super().keyPressEvent(event)
