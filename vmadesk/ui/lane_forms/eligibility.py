"""The eligibility lane's form: coverage lines in the detail pane, coverage figures as details.

Choosing "Coverage active" puts the cursor in the first coverage figure still empty, so the
figures are typed with Tab between them and Enter confirms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from vmadesk.domain.lanes import FieldKind, lane_definition
from vmadesk.domain.vocabulary import Lane, Outcome
from vmadesk.ui.form_parts import money_edit
from vmadesk.ui.lane_forms.form import LaneForm, OutcomeDetails
from vmadesk.ui.models.history_text import date_words

_DEFINITION = lane_definition(Lane.ELIGIBILITY)
#: The figures of "coverage active", in typing order.
COVERAGE_FIELDS = tuple(f for f in _DEFINITION.fields if Outcome.COVERAGE_ACTIVE in f.required_for)


class CoverageDetails(OutcomeDetails):
    """The coverage figures of "coverage active" and the reason of "unable to verify"."""

    def __init__(
        self, plan: str = "", date_of_service: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.coverage = QGroupBox("Coverage details")
        self.coverage.setAccessibleName("Coverage details")
        cov = QGridLayout(self.coverage)
        dos = QLabel(date_of_service or "(no appointment date)")
        dos.setAccessibleName("Date of service")
        cov.addWidget(QLabel("Checked for date of service:"), 0, 0)
        cov.addWidget(dos, 0, 1)
        for n, field in enumerate(COVERAGE_FIELDS):
            if field.kind is FieldKind.AMOUNT:
                edit = money_edit(field.label.removesuffix(" ($)"))
            else:
                edit = QLineEdit(plan if field.key == "plan" else "")
                edit.setAccessibleName(field.label)
            self.fields[field.key] = edit
            caption = QLabel(f"{field.label}:")
            caption.setBuddy(edit)
            cov.addWidget(caption, 1 + n, 0)
            cov.addWidget(edit, 1 + n, 1)
        layout.addWidget(self.coverage)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason unable to verify")
        self.reason.setPlaceholderText("e.g. payer portal down")
        self.reason_label = QLabel("Reason (unable to verify):")
        self.reason_label.setBuddy(self.reason)
        reason_row = QGridLayout()
        reason_row.addWidget(self.reason_label, 0, 0)
        reason_row.addWidget(self.reason, 0, 1)
        layout.addLayout(reason_row)

    def enable_for(self, outcome: Outcome | None) -> None:
        """Figures for "coverage active", the reason for "unable to verify"."""
        self.coverage.setEnabled(outcome is Outcome.COVERAGE_ACTIVE)
        self.reason.setEnabled(outcome is Outcome.UNABLE_TO_VERIFY)
        self.reason_label.setEnabled(outcome is Outcome.UNABLE_TO_VERIFY)

    def details(self, outcome: Outcome | None) -> dict[str, str]:
        """The figures, or the reason, the chosen outcome carries."""
        if outcome is Outcome.COVERAGE_ACTIVE:
            return {k: e.text().strip() for k, e in self.fields.items()}
        if outcome is Outcome.UNABLE_TO_VERIFY:
            return {"reason": self.reason.text().strip()}
        return {}

    def focus_for(self, outcome: Outcome | None) -> bool:
        """The first empty figure of "coverage active", the reason of "unable to verify"."""
        if outcome is Outcome.COVERAGE_ACTIVE:
            empty = [e for e in self.fields.values() if not e.text().strip()]
            (empty[0] if empty else self.fields["plan"]).setFocus()
            return True
        if outcome is Outcome.UNABLE_TO_VERIFY:
            self.reason.setFocus()
            return True
        return False

    def label(self, key: str) -> str:
        """A field's name in a refusal ("Copay", not "Copay ($)")."""
        return _DEFINITION.lane_field(key).label.removesuffix(" ($)")


def coverage_lines(item: Any, zone: str, now: datetime) -> list[str]:
    """The coverage to verify and the date of service it is verified for."""
    lines = []
    if item.payer or item.plan or item.member_id:
        coverage = [item.payer or "Payer not given"]
        coverage += [f"plan {item.plan}"] if item.plan else []
        coverage += [f"member {item.member_id}"] if item.member_id else []
        lines.append(f"Coverage: {' · '.join(coverage)}")
    else:
        lines.append("Coverage: none in the practice's export (ask the patient)")
    if item.appointment_start:
        lines.append(f"Date of service: {date_words(item.date_of_service(zone))}")
    return lines


FORM = LaneForm(
    lane=Lane.ELIGIBILITY,
    detail_lines=coverage_lines,
    outcome_details=CoverageDetails,
)
