"""Handoff keys: show my public key, store a colleague's (neither is secret nor PHI)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services.handoff import HandoffService


class MyKeyDialog(QDialog):
    """Shift → My public key: the key to give colleagues (not secret, not PHI)."""

    def __init__(self, handoffs: HandoffService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My public key")
        self.key = QLineEdit(handoffs.my_public_key())
        self.key.setReadOnly(True)
        self.key.setAccessibleName("My public key")
        self.key.setMinimumWidth(420)
        copy = QPushButton("&Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.key.text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"Give this key to colleagues so they can hand work to you "
                f"(your handle: {handoffs.vma})."
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.key, 1)
        row.addWidget(copy)
        layout.addLayout(row)
        layout.addWidget(buttons)


class AddColleagueDialog(QDialog):
    """Shift → Add colleague key: a handle and their public key."""

    def __init__(self, handoffs: HandoffService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.handoffs = handoffs
        self.setWindowTitle("Add colleague key")
        self.handle = QLineEdit()
        self.handle.setAccessibleName("Colleague handle")
        self.key = QLineEdit()
        self.key.setAccessibleName("Colleague public key")
        self.key.setMinimumWidth(420)
        self.message = QLabel("")
        self.message.setAccessibleName("Add colleague message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Handle", self.handle)
        form.addRow("Public &key", self.key)
        form.addRow(self.message)
        form.addRow(buttons)

    def save(self) -> bool:
        """Store the colleague's key; an inline message on bad input."""
        handle = self.handle.text().strip()
        if not handle or len(handle) > 64 or any(c.isspace() for c in handle):
            self.message.setText("Handle: one word, as your colleague signs in (e.g. ben.k).")
            return False
        try:
            self.handoffs.add_colleague(handle, self.key.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True
