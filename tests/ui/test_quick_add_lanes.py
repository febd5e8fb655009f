"""Quick-add for the prior-authorization and referral lanes, by keyboard through the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.dialogs.quick_add_lanes import QuickAddPriorAuthDialog, QuickAddReferralDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

CTRL, SHIFT, ALT = (
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.AltModifier,
)


def test_quick_add_prior_auth_lands_in_its_lane_needing_submission(window, ctx, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_N, CTRL | SHIFT)
    dialog = window.active_dialog
    assert isinstance(dialog, QuickAddPriorAuthDialog)
    qtbot.keyClicks(dialog.family, "Testperson")
    dialog.given.setText("Quinn")
    dialog.phone.setText("(212) 555-0142")
    dialog.services.setText("97110 x12; 97x")
    dialog.accept()
    assert dialog.isVisible()
    assert "services" in dialog.error.text().lower() and "97x" not in dialog.error.text()
    dialog.services.setText("97110 x12; 97140 x4")
    dialog.expedited.setChecked(True)
    dialog.accept()
    assert not dialog.isVisible() and dialog.item_id is not None
    item = ctx.worklist.detail(dialog.item_id).item
    assert Lane(item.lane) is Lane.PRIOR_AUTH
    assert item.lane_state == "needs_submission"
    assert window.current_item_id() == dialog.item_id
    assert "97110" in (item.lane_fields_json or "") and "expedited" in item.lane_fields_json


def test_quick_add_referral_outgoing_needs_a_recipient(window, ctx, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_N, CTRL | ALT)
    dialog = window.active_dialog
    assert isinstance(dialog, QuickAddReferralDialog)
    dialog.family.setText("Testperson")
    dialog.reason.setText("Knee pain, orthopedic opinion")
    dialog.accept()
    assert dialog.isVisible() and dialog.error.text()  # outgoing: to whom?
    dialog.other_party.setText("Riverside Orthopedics")
    dialog.accept()
    assert not dialog.isVisible() and dialog.item_id is not None
    item = ctx.worklist.detail(dialog.item_id).item
    assert Lane(item.lane) is Lane.REFERRAL and item.lane_state == "sent"
    # incoming: who referred the patient
    qtbot.keyClick(window.table, Qt.Key.Key_N, CTRL | ALT)
    dialog = window.active_dialog
    dialog.direction.setCurrentIndex(1)
    assert dialog.other_party.accessibleName() == "Referred by"
    dialog.family.setText("Otherperson")
    dialog.reason.setText("Follow-up of a fracture")
    dialog.other_party.setText("Dr. Lake")
    dialog.accept()
    item = ctx.worklist.detail(dialog.item_id).item
    assert item.lane_state == "received"
