"""Quick-add for the prior-authorization and referral lanes: one dialog each, typed in by the VMA.

Both ask the patient (name, phone) and the practice as the callback's quick-add does, then the
lane's own few fields; the service checks them as an import would and the refusal names the
field, never the value. The item lands in its lane, where the lane's form takes it further.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.medical_codes import SERVICE_LIST_EXAMPLE
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.referral_rules import ReferralDirection
from vmadesk.services.console import Console
from vmadesk.services.errors import ActionRefused
from vmadesk.services.lane_intake import parse_services, quick_add_prior_auth, quick_add_referral
from vmadesk.ui.form_parts import error_label, fit_to_screen, ok_cancel, show_error


class _LaneQuickAdd(QDialog):
    """The patient and practice rows both lanes share; the lane adds its own rows."""

    TITLE = ""
    OK_TEXT = ""

    def __init__(
        self,
        ctx: Console,
        practices: list[tuple[int, str]],
        practice_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item_id: int | None = None
        self.setWindowTitle(self.TITLE)
        self.setAccessibleName(self.TITLE)
        self.practice = QComboBox()
        self.practice.setAccessibleName("Practice")
        for pid, name in practices:
            self.practice.addItem(name, pid)
        if practice_id is not None:
            self.practice.setCurrentIndex(max(0, self.practice.findData(practice_id)))
        self.family = self._line("Family name")
        self.given = self._line("Given name")
        self.phone = self._line("Phone")
        self.form = QFormLayout()
        self.form.addRow("Practice:", self.practice)
        self.form.addRow("&Family name:", self.family)
        self.form.addRow("&Given name:", self.given)
        self.form.addRow("&Phone:", self.phone)
        self.add_lane_rows()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, self.OK_TEXT)
        layout.addWidget(self.buttons_box)
        fit_to_screen(self)
        self.family.setFocus()

    def _line(self, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        return edit

    def add_lane_rows(self) -> None:
        """The lane's own rows (subclasses)."""

    def create(self, practice_id: int) -> int:
        """Create the item through the service; returns its id (subclasses)."""
        raise NotImplementedError

    def accept(self) -> None:
        """Create the item; stay open with the reason on refusal."""
        practice_id = self.practice.currentData()
        if practice_id is None:
            show_error(self.error, "Practice: add a practice first (Settings).")
            return
        try:
            self.item_id = self.create(int(practice_id))
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()


class QuickAddPriorAuthDialog(_LaneQuickAdd):
    """A prior authorization that needs submission."""

    TITLE = "Quick-add prior authorization"
    OK_TEXT = "Add prior authorization"

    def add_lane_rows(self) -> None:
        """Program, services, urgency and the first day of service."""
        self.program = QComboBox()
        self.program.setAccessibleName("Payer program")
        for program in PayerProgram:
            self.program.addItem(program.label, program)
        self.services = self._line("Service codes")
        self.services.setPlaceholderText(SERVICE_LIST_EXAMPLE)
        self.expedited = QCheckBox("E&xpedited (the payer's shorter clock)")
        self.expedited.setAccessibleName("Expedited")
        self.with_date = QCheckBox("&Date of service known")
        self.with_date.setAccessibleName("Date of service known")
        self.service_from = QDateEdit()
        self.service_from.setAccessibleName("Date of service")
        self.service_from.setCalendarPopup(True)
        today = self.ctx.clock().date()
        self.service_from.setDate(QDate(today.year, today.month, today.day).addDays(14))
        self.service_from.setEnabled(False)
        self.with_date.toggled.connect(self.service_from.setEnabled)
        self.form.addRow("Payer p&rogram:", self.program)
        self.form.addRow("&Services:", self.services)
        self.form.addRow(self.expedited)
        self.form.addRow(self.with_date, self.service_from)

    def create(self, practice_id: int) -> int:
        """The prior authorization, through :func:`quick_add_prior_auth`."""
        picked = self.service_from.date()
        service_from = (
            date(picked.year(), picked.month(), picked.day())
            if self.with_date.isChecked()
            else None
        )
        return quick_add_prior_auth(
            self.ctx.session.conn,
            practice_id=practice_id,
            family=self.family.text(),
            given=self.given.text(),
            phone=self.phone.text(),
            program=PayerProgram(self.program.currentData()),
            services=parse_services(self.services.text()),
            service_from=service_from,
            urgency=PaUrgency.EXPEDITED if self.expedited.isChecked() else PaUrgency.STANDARD,
            vma=self.ctx.vma,
            clock=self.ctx.clock,
            on_change=self.ctx.work.on_change,
        )


class QuickAddReferralDialog(_LaneQuickAdd):
    """A referral the practice sends, or one it received."""

    TITLE = "Quick-add referral"
    OK_TEXT = "Add referral"

    def add_lane_rows(self) -> None:
        """Direction, reason, and who it goes to or comes from."""
        self.direction = QComboBox()
        self.direction.setAccessibleName("Direction")
        self.direction.addItem("Outgoing: we refer the patient", ReferralDirection.OUTGOING)
        self.direction.addItem("Incoming: referred to us", ReferralDirection.INCOMING)
        self.reason = self._line("Reason")
        self.other_party = self._line("Referred to")
        self.direction.currentIndexChanged.connect(self._direction_changed)
        self.form.addRow("&Direction:", self.direction)
        self.form.addRow("&Reason:", self.reason)
        self.other_label = "Referred &to:"
        self.form.addRow(self.other_label, self.other_party)

    def _direction_changed(self, *_args: object) -> None:
        outgoing = self.direction.currentData() == ReferralDirection.OUTGOING
        label = self.form.labelForField(self.other_party)
        if label is not None:
            label.setText("Referred &to:" if outgoing else "Referred &by:")
        self.other_party.setAccessibleName("Referred to" if outgoing else "Referred by")

    def create(self, practice_id: int) -> int:
        """The referral, through :func:`quick_add_referral`."""
        direction = ReferralDirection(self.direction.currentData())
        other = self.other_party.text()
        outgoing = direction is ReferralDirection.OUTGOING
        return quick_add_referral(
            self.ctx.session.conn,
            practice_id=practice_id,
            family=self.family.text(),
            given=self.given.text(),
            phone=self.phone.text(),
            direction=direction,
            reason=self.reason.text(),
            referred_to=other if outgoing else "",
            referred_by="" if outgoing else other,
            vma=self.ctx.vma,
            clock=self.ctx.clock,
            on_change=self.ctx.work.on_change,
        )
