"""Which column holds which field, for a CSV layout the built-in mapping does not know.

The dialog lists the file's header names (column names, not PHI) in one combo per field,
prefilled from what was recognised or from the mapping remembered for this layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QVBoxLayout, QWidget

from vmadesk.services.import_types import SYNONYMS, CsvMapping
from vmadesk.ui.form_parts import error_label, ok_cancel, show_error

_NONE = "(not in this file)"
_LABELS = {
    "appointment_id": "Appointment ID",
    "start": "Start (date and time)",
    "date": "Date",
    "time": "Time",
    "end": "End",
    "patient_name": "Patient name (Last, First)",
    "first_name": "First name",
    "last_name": "Last name",
    "patient_id": "Patient ID / MRN",
    "birth_date": "Date of birth",
    "phone_mobile": "Mobile phone",
    "phone_home": "Home phone",
    "phone": "Phone",
    "provider": "Provider",
    "appointment_type": "Appointment type",
    "location": "Location",
    "insurance": "Insurance / payer",
    "member_id": "Member ID",
    "plan": "Plan",
    "status": "Status",
    "callback_id": "Callback ID",
    "reason": "Reason",
    "window": "Requested window",
    "window_start": "Window start",
    "window_end": "Window end",
}


class CsvMappingDialog(QDialog):
    """Map a CSV file's columns to fields; :attr:`mapping` is set when accepted."""

    def __init__(
        self,
        headers: Sequence[str],
        prefill: CsvMapping | None,
        parent: QWidget | None = None,
        *,
        intro: str = "This file's columns were not all recognised.",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Match the file's columns")
        self.mapping: CsvMapping | None = None
        self._headers = list(dict.fromkeys(h for h in headers if h))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"{intro} Choose the column for each field; the choice is remembered for "
                "files with the same columns."
            )
        )
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.addItem("Appointments", "appointments")
        self.kind.addItem("Callback requests", "callbacks")
        self.kind.setAccessibleName("Kind of export")
        if prefill is not None and prefill.kind == "callbacks":
            self.kind.setCurrentIndex(1)
        form.addRow("Kind of export", self.kind)
        self.combos: dict[str, QComboBox] = {}
        chosen = prefill.columns() if prefill is not None else {}
        for name in SYNONYMS:
            combo = QComboBox()
            combo.addItem(_NONE, None)
            for header in self._headers:
                combo.addItem(header, header)
            combo.setAccessibleName(_LABELS.get(name, name))
            if name in chosen and chosen[name] in self._headers:
                combo.setCurrentIndex(self._headers.index(chosen[name]) + 1)
            self.combos[name] = combo
            form.addRow(_LABELS.get(name, name), combo)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        box, self.ok = ok_cancel(self, "Use these columns")
        layout.addWidget(box)

    def current(self) -> CsvMapping:
        """The mapping the combos show now."""
        columns = {name: combo.currentData() for name, combo in self.combos.items()}
        return CsvMapping(
            kind=self.kind.currentData(), **{k: v for k, v in columns.items() if v is not None}
        )

    def accept(self) -> None:
        """Accept only a mapping with every required field."""
        mapping = self.current()
        gaps = mapping.missing()
        if gaps:
            show_error(self.error, "Still needed: " + "; ".join(g.split(" (")[0] for g in gaps))
            return
        self.mapping = mapping
        super().accept()
