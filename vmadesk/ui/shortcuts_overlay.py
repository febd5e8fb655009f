"""The ``?`` overlay: a translucent sheet listing every action of the window with its keys."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget


def action_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(label, keys) for each action that has a shortcut, in menu order."""
    rows = []
    for action in actions:
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        if keys and action.text():
            rows.append((action.text().replace("&", "").rstrip("…").strip(), keys))
    return rows


class ShortcutsOverlay(QWidget):
    """Covers its parent window; Esc, ``?`` or a click closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Keyboard shortcuts")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(False)
        self._layout = QVBoxLayout(self)
        title = QLabel("Keyboard shortcuts  (Esc or ? to close)")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        self._layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        self._grid = QGridLayout()
        self._layout.addLayout(self._grid)
        self._layout.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def populate(self, actions: list[QAction]) -> None:
        """List the actions in two columns of (keys, label)."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        rows = action_rows(actions)
        half = (len(rows) + 1) // 2
        for i, (label, keys) in enumerate(rows):
            col = 0 if i < half else 2
            key_label = QLabel(keys)
            key_font = key_label.font()
            key_font.setBold(True)
            key_label.setFont(key_font)
            self._grid.addWidget(key_label, i % half, col, Qt.AlignmentFlag.AlignRight)
            self._grid.addWidget(QLabel(label), i % half, col + 1)

    def texts(self) -> list[str]:
        """Every text on the overlay (for tests)."""
        return [w.text() for w in self.findChildren(QLabel)]

    def open_over(self, actions: list[QAction]) -> None:
        """Show over the parent, listing ``actions``."""
        self.populate(actions)
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self.setFocus()

    def paintEvent(self, event: QPaintEvent) -> None:
        """A translucent sheet in the palette's window colour."""
        painter = QPainter(self)
        colour = QColor(self.palette().window().color())
        colour.setAlpha(235)
        painter.fillRect(self.rect(), colour)
        super().paintEvent(event)

    def keyPressEvent(self, event) -> None:
        """Esc or ? closes."""
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Question):
            self.hide()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:
        """A click closes."""
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the parent's size."""
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False
