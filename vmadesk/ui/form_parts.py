"""Small pieces every action dialog shares: the refusal label, the OK/Cancel row, notes, amounts.

Enter confirms a dialog wherever the focus is, except in a multi-line note, where Enter starts
a new line and Ctrl+Enter confirms.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from vmadesk.domain.money import AMOUNT_PATTERN

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def error_label() -> QLabel:
    """A hidden label for the service's refusal message (bold, palette colours)."""
    label = QLabel()
    label.setAccessibleName("Error")
    label.setWordWrap(True)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    """Show a refusal (text first, so it is not colour alone)."""
    label.setText(f"⚠ {message}")
    label.show()


def ok_cancel(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    """An OK/Cancel row wired to the dialog; OK is the default button."""
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_text.replace("&", ""))
    ok.setDefault(True)
    box.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box, ok


def fit_to_screen(window: QWidget, width: int = 0, height: int = 0) -> None:
    """Size a window to ``width``×``height`` (its size hint by default) within the screen.

    Leaves room for the title bar, so that a dialog and its buttons stay on a small screen
    (1280×720 at 150 % scaling is 853×480); never below the window's own minimum.
    """
    want = QSize(width, height) if width and height else window.sizeHint()
    # The primary screen: asking a window not yet shown for its screen() crashed PySide 6.11
    # in the test suite (a use-after-free at the next dialog's construction).
    screen = QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        title_bar = window.fontMetrics().height() * 2
        want = want.boundedTo(QSize(int(area.width() * 0.95), area.height() - title_bar))
    window.resize(want.expandedTo(window.minimumSizeHint()))


def click_default_button(widget: QWidget) -> bool:
    """Press the enabled default button of the widget's window, as Enter would."""
    for button in widget.window().findChildren(QPushButton):
        if button.isDefault() and button.isEnabled() and button.isVisible():
            button.click()
            return True
    return False


class NoteEdit(QPlainTextEdit):
    """A multi-line note: Enter starts a new line, Ctrl+Enter confirms, Tab moves on."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Enter presses the dialog's default button."""
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.key() in _ENTER_KEYS and ctrl and click_default_button(self):
            return
        super().keyPressEvent(event)


def note_edit(name: str, lines: int = 5) -> NoteEdit:
    """A short multi-line note field; Tab moves focus on, Ctrl+Enter confirms."""
    edit = NoteEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText("Enter: new line · Ctrl+Enter: confirm")
    edit.setMaximumHeight(edit.fontMetrics().lineSpacing() * lines)
    return edit


def money_edit(name: str) -> QLineEdit:
    """An amount field: accepts only what reads as dollars ("25", "$1,250.00")."""
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText("0.00")
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(AMOUNT_PATTERN), edit))
    edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return edit
