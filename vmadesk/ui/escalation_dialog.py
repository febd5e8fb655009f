"""Escalate an item: category, urgency and an SBAR note.

A clinical concern first shows the practice's red-flag guidance, and OK stays disabled until
the VMA ticks that they followed it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import EscalationCategory, Urgency
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import EscalationService, Sbar
from vmadesk.ui.dialog_parts import error_label, note_edit, ok_cancel, show_error

RED_FLAG_CONFIRM = "I have followed the red-flag guidance"


class EscalationDialog(QDialog):
    """Raise one escalation on one item."""

    def __init__(
        self,
        escalations: EscalationService,
        item_id: int,
        red_flags: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.escalations = escalations
        self.item_id = item_id
        self.escalation_id: int | None = None
        self.setWindowTitle("Escalate")
        self.setAccessibleName("Escalate")
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        for cat in EscalationCategory:
            self.category.addItem(cat.label, cat.value)
        self.urgency = QComboBox()
        self.urgency.setAccessibleName("Urgency")
        for urg in Urgency:
            self.urgency.addItem(urg.value.capitalize(), urg.value)

        self.red_flag_box = QGroupBox("Red-flag guidance (read first)")
        self.red_flag_box.setAccessibleName("Red-flag guidance")
        guidance = QLabel(red_flags)
        guidance.setWordWrap(True)
        guidance.setAccessibleName("Red-flag guidance text")
        self.red_flag_confirm = QCheckBox(RED_FLAG_CONFIRM)
        self.red_flag_confirm.setAccessibleName(RED_FLAG_CONFIRM)
        rf_layout = QVBoxLayout(self.red_flag_box)
        rf_layout.addWidget(guidance)
        rf_layout.addWidget(self.red_flag_confirm)

        self.situation = note_edit("Situation")
        self.background = note_edit("Background")
        self.assessment = note_edit("Assessment")
        self.request = note_edit("Request")
        form = QFormLayout()
        form.addRow("Category:", self.category)
        form.addRow("Urgency:", self.urgency)
        sbar = QFormLayout()
        sbar.addRow("Situation:", self.situation)
        sbar.addRow("Background:", self.background)
        sbar.addRow("Assessment:", self.assessment)
        sbar.addRow("Request:", self.request)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.red_flag_box)
        layout.addLayout(sbar)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Escalate")
        layout.addWidget(self.buttons_box)

        self.category.currentIndexChanged.connect(self._update)
        self.red_flag_confirm.toggled.connect(self._update)
        self.situation.textChanged.connect(self._update)
        self._update()

    def set_category(self, category: EscalationCategory) -> None:
        """Choose a category."""
        self.category.setCurrentIndex(self.category.findData(category.value))

    def _clinical(self) -> bool:
        return self.category.currentData() == EscalationCategory.CLINICAL_CONCERN.value

    def _update(self, *_args: object) -> None:
        clinical = self._clinical()
        self.red_flag_box.setVisible(clinical)
        ready = bool(self.situation.toPlainText().strip())
        if clinical and not self.red_flag_confirm.isChecked():
            ready = False
        self.ok_button.setEnabled(ready)

    def accept(self) -> None:
        """Raise through the service; stay open on refusal."""
        try:
            self.escalation_id = self.escalations.raise_(
                self.item_id,
                EscalationCategory(self.category.currentData()),
                Urgency(self.urgency.currentData()),
                Sbar(
                    self.situation.toPlainText(),
                    self.background.toPlainText(),
                    self.assessment.toPlainText(),
                    self.request.toPlainText(),
                ),
                red_flags_confirmed=self._clinical() and self.red_flag_confirm.isChecked(),
            )
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()
