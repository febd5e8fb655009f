"""Escalate an item: category, urgency and an SBAR note.

A clinical concern first shows the practice's red-flag guidance, and OK stays disabled until
the VMA ticks that they followed it. The category starts on what the item's lane usually
needs (never on clinical concern: a clinician's time is not a default), and the guidance sits
in a fixed area so switching category never reflows the form.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Urgency
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import EscalationService, Sbar
from vmadesk.ui.form_parts import error_label, fit_to_screen, note_edit, ok_cancel, show_error

RED_FLAG_CONFIRM = "I have followed the red-flag guidance"
IMMEDIATE_HINT = "Chest pain, trouble breathing, stroke signs → Immediate"
PLACEHOLDER = "Red-flag guidance shows here when the category is Clinical concern."


class EscalationDialog(QDialog):
    """Raise one escalation on one item."""

    def __init__(
        self,
        escalations: EscalationService,
        item_id: int,
        red_flags: str,
        parent: QWidget | None = None,
        *,
        lane: Lane | None = None,
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
        # Once the VMA picks an urgency, a category change no longer overrides it.
        self._urgency_chosen = False
        self.urgency.activated.connect(self._urgency_picked)

        self.red_flag_box = QGroupBox("Red-flag guidance (read first)")
        self.red_flag_box.setAccessibleName("Red-flag guidance")
        guidance = QLabel(red_flags)
        guidance.setWordWrap(True)
        guidance.setAccessibleName("Red-flag guidance text")
        self.urgency_hint = QLabel(IMMEDIATE_HINT)
        self.urgency_hint.setAccessibleName("Urgency hint")
        self.urgency_hint.setWordWrap(True)
        hint_font = self.urgency_hint.font()
        hint_font.setBold(True)
        self.urgency_hint.setFont(hint_font)
        self.red_flag_confirm = QCheckBox(RED_FLAG_CONFIRM)
        self.red_flag_confirm.setAccessibleName(RED_FLAG_CONFIRM)
        rf_layout = QVBoxLayout(self.red_flag_box)
        rf_layout.addWidget(guidance)
        rf_layout.addWidget(self.urgency_hint)
        rf_layout.addWidget(self.red_flag_confirm)
        placeholder = QLabel(PLACEHOLDER)
        placeholder.setWordWrap(True)
        placeholder.setEnabled(False)  # muted: it only says what the area is for
        # A stack is as tall as its tallest page: the form keeps its shape either way.
        self.guidance_area = QStackedWidget()
        self.guidance_area.addWidget(placeholder)
        self.guidance_area.addWidget(self.red_flag_box)

        self.situation = note_edit("Situation", lines=3)
        self.background = note_edit("Background", lines=3)
        self.assessment = note_edit("Assessment", lines=3)
        self.request = note_edit("Request", lines=3)
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
        layout.addWidget(self.guidance_area)
        layout.addLayout(sbar)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Escalate")
        layout.addWidget(self.buttons_box)

        self.set_category(
            lane_definition(lane).escalation_category if lane else EscalationCategory.OTHER
        )
        self.category.currentIndexChanged.connect(self._category_changed)
        self.red_flag_confirm.toggled.connect(self._update)
        self.situation.textChanged.connect(self._update)
        self._update()
        fit_to_screen(self)

    def set_category(self, category: EscalationCategory) -> None:
        """Choose a category."""
        self.category.setCurrentIndex(self.category.findData(category.value))

    def set_urgency(self, urgency: Urgency) -> None:
        """Choose an urgency."""
        self.urgency.setCurrentIndex(self.urgency.findData(urgency.value))

    def _urgency_picked(self, _index: int) -> None:
        self._urgency_chosen = True

    def _clinical(self) -> bool:
        return self.category.currentData() == EscalationCategory.CLINICAL_CONCERN.value

    def _category_changed(self, _index: int) -> None:
        if not self._urgency_chosen:
            # A clinical concern is at least urgent; the hint says when it is immediate.
            self.set_urgency(Urgency.URGENT if self._clinical() else Urgency.ROUTINE)
        self._update()

    def _update(self, *_args: object) -> None:
        clinical = self._clinical()
        self.guidance_area.setCurrentWidget(
            self.red_flag_box if clinical else self.guidance_area.widget(0)
        )
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
