"""The I-PASS note of one handed-off item: priority, summary, actions with times, "if … then …"."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import Priority


def actions_label(local_tz: str, now: datetime) -> str:
    """The Actions field's label, e.g. "Actions (times in your local zone, PHT, HH:MM)"."""
    short = now.astimezone(load_zone(local_tz)).strftime("%Z") or local_tz
    return f"&Actions (times in your local zone, {short}, HH:MM)"


class NoteForm(QWidget):
    """The note fields of the selected item; :attr:`changed` fires on any edit.

    Args:
        actions_text: The Actions field's label (see :func:`actions_label`).
        parent: The owning widget.
    """

    changed = Signal()

    def __init__(self, actions_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.priority = QComboBox()
        self.priority.setAccessibleName("Priority")
        for p in Priority:
            self.priority.addItem(p.value, p)
        self.summary = QLineEdit()
        self.summary.setAccessibleName("Summary")
        self.summary.setMaxLength(200)
        self.actions = QPlainTextEdit()
        self.actions.setMinimumHeight(self.actions.fontMetrics().lineSpacing() * 3)
        self.actions.setAccessibleName("Actions")
        self.actions.setPlaceholderText(
            "One per line; start with HH:MM for a time, e.g.\n"
            "14:30 call again after the payer reopens"
        )
        self.contingency = QLineEdit()
        self.contingency.setAccessibleName("Contingency")
        self.contingency.setPlaceholderText("if … then …")
        nf = QFormLayout(self)
        nf.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # fields get the full width
        nf.addRow("&Priority", self.priority)
        nf.addRow("&Summary", self.summary)
        nf.addRow(actions_text, self.actions)
        nf.addRow("&If … then …", self.contingency)
        self.priority.currentIndexChanged.connect(self.changed)
        self.summary.textChanged.connect(self.changed)
        self.actions.textChanged.connect(self.changed)
        self.contingency.textChanged.connect(self.changed)
