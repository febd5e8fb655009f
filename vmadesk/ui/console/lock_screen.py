"""The lock screen: covers the console while it is locked; shows no PHI at all."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class LockScreen(QFrame):
    """An opaque overlay over the host window: a title, a passphrase field, Unlock."""

    unlock_requested = Signal(str)

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.host = host
        self.setObjectName("vmadeskLockScreen")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Lock screen")

        self.title = QLabel("Locked — enter your passphrase")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setMinimumWidth(260)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName("Lock message")
        self.message.setWordWrap(True)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.passphrase)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addStretch(3)

        self.unlock_button.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)
        host.installEventFilter(self)
        self.hide()

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        secret = self.passphrase.text()
        self.passphrase.clear()
        if not secret:
            self.show_message("Enter your passphrase.")
            return
        self.unlock_requested.emit(secret)

    def show_message(self, text: str) -> None:
        """A PHI-free line under the field (wrong passphrase, wait N s)."""
        self.message.setText(text)

    def set_waiting(self, waiting: bool) -> None:
        """Disable input while the store's back-off runs."""
        self.unlock_button.setEnabled(not waiting)
        self.passphrase.setEnabled(not waiting)
        if not waiting:
            self.passphrase.setFocus()

    def cover(self) -> None:
        """Show over the whole host window and take the keyboard focus."""
        self.setGeometry(self.host.rect())
        self.message.clear()
        self.passphrase.clear()
        self.show()
        self.raise_()
        self.passphrase.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the host's size."""
        if watched is self.host and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.host.rect())
        return False
