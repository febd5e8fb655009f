"""Action dialogs through the window: outcomes, identity check, escalation, quick-add."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime

from vmadesk.domain.vocabulary import EscalationCategory, Lane, Outcome
from vmadesk.ui.dialogs.escalation import EscalationDialog
from vmadesk.ui.dialogs.outcomes import OutcomeDialog
from vmadesk.ui.dialogs.quick_add import QuickAddDialog
from vmadesk.ui.widgets.lane_list import ESCALATIONS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _first_requested(window, lane: Lane) -> int:
    window.lanes.choose(lane)
    for r in range(window.model.rowCount()):
        item = window.model.item_at(r)
        if item.status == "requested":
            window.table.selectRow(r)
            return item.id
    raise AssertionError("no requested item")


def test_confirm_appointment_needs_identity_check(window, ctx, qtbot):
    item_id = _first_requested(window, Lane.CONFIRMATION)
    qtbot.keyClick(window.table, Qt.Key.Key_O)
    dialog = window.active_dialog
    assert isinstance(dialog, OutcomeDialog)
    dialog.choose(Outcome.CONFIRMED)
    dialog.accept()
    assert dialog.isVisible() and "identity" in dialog.error.text().lower()
    assert ctx.worklist.detail(item_id).item.status == "requested"
    dialog.identity.setChecked(True)
    dialog.accept()
    assert not dialog.isVisible()
    assert ctx.worklist.detail(item_id).item.outcome == "confirmed"
    assert window.model.row_of(item_id) is None  # closed items leave the open list


def test_record_eligibility_active_with_details(window, ctx, qtbot):
    item_id = _first_requested(window, Lane.ELIGIBILITY)
    qtbot.keyClick(window.table, Qt.Key.Key_O)
    dialog = window.active_dialog
    dialog.choose(Outcome.COVERAGE_ACTIVE)
    dialog.accept()
    assert "needs" in dialog.error.text()
    for key, value in {
        "plan": "PPO (demo)",
        "copay": "25.00",
        "deductible_remaining": "120.00",
        "reference_number": "REF42",
    }.items():
        dialog.fields[key].setText(value)
    dialog.accept()
    assert not dialog.isVisible()
    item = ctx.worklist.detail(item_id).item
    assert item.outcome == "coverage_active" and '"copay": "25.00"' in item.outcome_json
    assert item.date_of_service() in item.outcome_json  # date of service, where the visit is


def test_escalate_clinical_concern_needs_red_flag_confirmation(window, ctx, qtbot):
    window.lanes.choose(Lane.CALLBACK)
    window.table.selectRow(0)
    item_id = window.current_item_id()
    qtbot.keyClick(window.table, Qt.Key.Key_E)
    dialog = window.active_dialog
    assert isinstance(dialog, EscalationDialog)
    dialog.set_category(EscalationCategory.CLINICAL_CONCERN)
    assert dialog.red_flag_box.isVisible()
    assert "911" in " ".join(
        lbl.text() for lbl in dialog.red_flag_box.findChildren(type(dialog.error))
    )
    dialog.situation.setPlainText("Patient mentions chest pain since this morning.")
    assert not dialog.ok_button.isEnabled()
    dialog.red_flag_confirm.setChecked(True)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert not dialog.isVisible()
    escs = ctx.worklist.detail(item_id).escalations
    assert escs[-1].category == "clinical_concern" and escs[-1].state == "raised"
    assert window.model.data(window.model.index(window.model.row_of(item_id), 9)).endswith("Raised")


def test_escalations_view_acknowledge_and_resolve(window, ctx, qtbot):
    window.lanes.choose(ESCALATIONS)
    view = window.escalations_view
    raised = [r for r in ctx.escalations.listing() if r.state == "raised"]
    row = next(i for i in range(view.model.rowCount()) if view.model.row_at(i).id == raised[0].id)
    view.select_row(row)
    view.acknowledge_selected()
    esc_id = raised[0].id
    assert next(r for r in ctx.escalations.listing() if r.id == esc_id).state == "acknowledged"
    row = next(i for i in range(view.model.rowCount()) if view.model.row_at(i).id == esc_id)
    view.select_row(row)
    view.resolve_selected()
    dialog = view.dialog
    dialog.code.setCurrentIndex(dialog.code.findData("patient_contacted"))
    dialog.accept()
    assert all(r.id != esc_id for r in ctx.escalations.listing(open_only=True))


def test_quick_add_callback(window, ctx, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.active_dialog
    assert isinstance(dialog, QuickAddDialog)
    dialog.accept()
    assert "family name" in dialog.error.text().lower()
    dialog.family.setText("Testperson")
    dialog.given.setText("Quinn")
    dialog.phone.setText("(212) 555-0142")
    dialog.reason.setText("Question about forms")
    dialog.accept()
    assert not dialog.isVisible()
    assert dialog.item_id is not None
    assert window.current_item_id() == dialog.item_id
    assert ctx.worklist.detail(dialog.item_id).item.phone == "+12125550142"


def test_cancel_with_reason_and_refusals_do_not_crash(window, ctx, qtbot):
    item_id = _first_requested(window, Lane.CALLBACK)
    qtbot.keyClick(window.table, Qt.Key.Key_R)  # not on hold: a message, no crash
    assert "not on hold" in window.last_message
    qtbot.keyClick(window.table, Qt.Key.Key_X)
    dialog = window.active_dialog
    dialog.reason.setCurrentIndex(dialog.reason.findData("duplicate"))
    dialog.accept()
    item = ctx.worklist.detail(item_id).item
    assert item.status == "cancelled" and item.status_reason == "duplicate"


def test_quick_add_window_is_in_the_practice_time(window, ctx, qtbot):
    # The VMA is in Manila (LOCAL_TZ); the patient asks for 1-3 PM their time.
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.active_dialog
    dialog.practice.setCurrentIndex(dialog.practice.findText("Sunset Pediatrics (demo)"))
    assert dialog.window_label.text() == "From (practice time, America/Los_Angeles):"
    day = (ctx.clock() + timedelta(days=2)).date()
    qdate = QDate(day.year, day.month, day.day)
    dialog.with_window.setChecked(True)
    dialog.window_start.setDateTime(QDateTime(qdate, QTime(13, 0)))
    dialog.window_end.setDateTime(QDateTime(qdate, QTime(15, 0)))
    for field, text in ((dialog.family, "Testperson"), (dialog.phone, "(212) 555-0142")):
        field.setText(text)
    dialog.reason.setText("Refill")
    dialog.accept()
    item = ctx.worklist.detail(dialog.item_id).item
    la = ZoneInfo("America/Los_Angeles")
    assert item.window_start == datetime(day.year, day.month, day.day, 13, tzinfo=la)
    assert item.window_end == datetime(day.year, day.month, day.day, 15, tzinfo=la)
