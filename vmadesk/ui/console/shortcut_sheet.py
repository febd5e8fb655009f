"""The ``?`` overlay: an opaque sheet listing every shortcut of the window, menu by menu.

The list is built each time the sheet opens, from the window's actions at that moment, so
actions added later (the shell's File and Shift actions) are listed too. Keys that only work
inside a dialog (the attempt dialog's digits) are listed in a fixed section at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from vmadesk.domain.vocabulary import CONTACT_OUTCOMES

#: (section title, actions): one menu's actions, in menu order.
Section = tuple[str, Sequence[QAction]]

#: (label, keys) of the attempt dialog: they are not window actions, so no menu lists them.
ATTEMPT_DIALOG_KEYS: tuple[tuple[str, str], ...] = (
    *((outcome.label, str(i)) for i, outcome in enumerate(CONTACT_OUTCOMES, start=1)),
    ("Log the attempt", "Enter"),
    ("Close without logging", "Esc"),
)
ATTEMPT_DIALOG_TITLE = f"In the attempt dialog (A or C): 1–{len(CONTACT_OUTCOMES)} outcomes"


def action_rows(actions: Sequence[QAction]) -> list[tuple[str, str]]:
    """(label, keys) for each action that has a shortcut, in the given order, once each."""
    rows = []
    seen: set[int] = set()
    for action in actions:
        if id(action) in seen:
            continue
        seen.add(id(action))
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        if keys and action.text():
            label = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            rows.append((label.rstrip("…").strip(), keys))
    return rows


class ShortcutsOverlay(QWidget):
    """Covers its parent window; Esc, ``?`` or a click closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Keyboard shortcuts")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Opaque in the palette's own window colour: a translucent sheet let the toolbar's
        # text show through the list, and the palette keeps it readable in dark mode.
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.setAutoFillBackground(True)
        self._layout = QVBoxLayout(self)
        title = QLabel("Keyboard shortcuts  (Esc or ? to close)")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        self._layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        self._grid = QGridLayout()
        self._grid.setColumnMinimumWidth(2, self.fontMetrics().averageCharWidth() * 6)
        for label_column in (1, 4):
            self._grid.setColumnStretch(label_column, 1)
        self._layout.addLayout(self._grid)
        self._layout.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def populate(self, sections: Sequence[Section]) -> None:
        """List each section's shortcuts, then the attempt dialog's keys, in two columns."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                # Unparented now (not deleteLater): a reopened sheet lists only current rows.
                item.widget().setParent(None)
        blocks = [(title, action_rows(actions)) for title, actions in sections]
        blocks = [(title, rows) for title, rows in blocks if rows]
        blocks.append((ATTEMPT_DIALOG_TITLE, list(ATTEMPT_DIALOG_KEYS)))
        # Whole sections go to the left column until it holds about half of the lines.
        total = sum(len(rows) + 1 for _, rows in blocks)
        line, column = [0, 0], 0
        for title, rows in blocks:
            if column == 0 and line[0] and line[0] + (len(rows) + 1) / 2 > total / 2:
                column = 1
            col = column * 3
            header = QLabel(title)
            header_font = header.font()
            header_font.setBold(True)
            header_font.setUnderline(True)
            header.setFont(header_font)
            self._grid.addWidget(header, line[column], col, 1, 2)
            line[column] += 1
            for label, keys in rows:
                self._add_row(line[column], col, keys, label)
                line[column] += 1

    def _add_row(self, row: int, col: int, keys: str, label: str) -> None:
        key_label = QLabel(keys)
        key_font = key_label.font()
        key_font.setBold(True)
        key_label.setFont(key_font)
        text = QLabel(label)
        self._grid.addWidget(key_label, row, col, Qt.AlignmentFlag.AlignRight)
        self._grid.addWidget(text, row, col + 1)

    def texts(self) -> list[str]:
        """Every text on the overlay (for tests)."""
        return [w.text() for w in self.findChildren(QLabel)]

    def open_over(self, sections: Sequence[Section]) -> None:
        """Show over the parent, listing the shortcuts of ``sections``."""
        self.populate(sections)
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self.setFocus()

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
