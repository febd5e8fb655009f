"""The "Attempts used up" box goes away once answered: a shift shows hundreds of them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QMessageBox

from vmadesk.ui.dialogs.outcomes import NoteActionDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _flush(qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(1)  # the box's answer runs from a zero timer
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_answered_boxes_do_not_pile_up_under_the_window(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    item_id = window.model.item_at(0).id
    for _ in range(3):
        box = window.review_actions.propose_fail_or_escalate(item_id, 3)
        qtbot.waitExposed(box)
        qtbot.keyClick(box, Qt.Key.Key_Escape)  # Later
        _flush(qtbot)
    assert window.findChildren(QMessageBox) == []
    assert window.active_dialog is None
    window.close_dialogs()  # nothing deleted is left behind to be closed


def test_fail_from_the_box_still_opens_the_fail_dialog(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.select_item(window.model.item_at(0).id)
    box = window.review_actions.propose_fail_or_escalate(window.current_item_id(), 3)
    qtbot.waitExposed(box)
    next(b for b in box.buttons() if b.text() == "&Fail").click()
    _flush(qtbot)
    assert isinstance(window.active_dialog, NoteActionDialog)
    assert window.findChildren(QMessageBox) == []
