"""No irreversible action by accident: Fail before a call, Done today, reopen, history in words."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.dialogs.note import NoteDialog
from vmadesk.ui.widgets.done_today import ReopenDialog
from vmadesk.ui.widgets.lane_list import DONE_TODAY

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

#: Codes and raw data a VMA must never read in the history or the detail pane.
CODE_PATTERNS = (
    r"\b\w+_\w+\b",  # no_answer, forwarded_to_clinician, closed_by_mistake
    r"\bin-progress\b|\bon-hold\b",
    r"[{}]",  # JSON
    r"\d{4}-\d\d-\d\dT",  # ISO stamps
    r"\?",  # placeholders
)


def _select(window, lane: Lane, *, attempts: int | None = None, status: str = "") -> int:
    window.lanes.choose(lane)
    for r in range(window.model.rowCount()):
        item = window.model.item_at(r)
        if (attempts is None or item.attempt_count == attempts) and item.status.startswith(status):
            window.table.selectRow(r)
            window.table.setFocus()
            return item.id
    raise AssertionError("no such item")


def _codes_in(text: str) -> list[str]:
    return [m.group(0) for p in CODE_PATTERNS for m in re.finditer(p, text)]


def test_fail_before_any_call_is_not_attempts_exhausted(window, ctx, qtbot):
    item_id = _select(window, Lane.CONFIRMATION, attempts=0, status="requested")
    qtbot.keyClick(window.table, Qt.Key.Key_F)
    dialog = window.active_dialog
    prompt = " ".join(w.text() for w in dialog.findChildren(type(window.detail.name)))
    assert "attempts exhausted" not in prompt.lower()
    assert "not used up" in prompt
    dialog.accept()  # no reason given: refused, nothing changes
    assert dialog.isVisible() and "Say why" in dialog.error.text()
    assert ctx.worklist.detail(item_id).item.status == "requested"
    dialog.note.setPlainText("Practice says the patient moved away")
    dialog.accept()
    item = ctx.worklist.detail(item_id).item
    assert (item.status, item.status_reason) == ("failed", "other")
    assert "Failed — other" in window.detail.history.toPlainText()


def test_fail_after_calls_is_attempts_exhausted(window, ctx, qtbot):
    item_id = _select(window, Lane.CALLBACK, attempts=2, status="in-progress")
    qtbot.keyClick(window.table, Qt.Key.Key_F)
    dialog = window.active_dialog
    dialog.accept()
    assert ctx.worklist.detail(item_id).item.status_reason == "attempts_exhausted"
    assert "Failed — attempts exhausted" in window.detail.history.toPlainText()


def test_completed_by_mistake_is_reopened_from_done_today(window, ctx, qtbot, demo_profile):
    # Two items closed in the rush of a shift: one completed by mistake, one cancelled.
    wrong = _select(window, Lane.CALLBACK, status="requested")
    wrong_name = ctx.worklist.detail(wrong).item.patient_family
    qtbot.keyClick(window.table, Qt.Key.Key_D)
    window.active_dialog.accept()
    other = _select(window, Lane.CALLBACK, status="requested")
    qtbot.keyClick(window.table, Qt.Key.Key_X)
    window.active_dialog.accept()
    assert {ctx.worklist.detail(i).item.status for i in (wrong, other)} == {
        "completed",
        "cancelled",
    }

    qtbot.keyClick(window.table, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    view = window.done_view
    assert window.stack.currentWidget() is view
    assert {r.id for r in view.model.rows} >= {wrong, other}
    assert window.detail.detail is None  # nothing chosen yet: nothing to act on
    assert not window.actions_by_name["reopen"].isEnabled()

    # Searchable: the VMA types the patient's name.
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search.hasFocus()
    qtbot.keyClicks(view.search, wrong_name.lower())
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert wrong in {r.id for r in view.model.rows}
    assert other not in {r.id for r in view.model.rows} or wrong_name in (
        ctx.worklist.detail(other).item.search_text
    )
    assert view.table.hasFocus()
    view.select_item(wrong)
    assert window.current_item_id() == wrong
    assert window.detail.state.text().startswith("Completed")
    assert window.actions_by_name["reopen"].isEnabled()
    assert not window.actions_by_name["call"].isEnabled()  # closed: reopen first

    qtbot.keyClick(view.table, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    dialog = window.active_dialog
    assert isinstance(dialog, ReopenDialog)
    dialog.reason.setCurrentIndex(dialog.reason.findData("closed_by_mistake"))
    dialog.note.setPlainText("Pressed D on the wrong row")
    qtbot.keyClick(dialog.buttons_box.buttons()[0], Qt.Key.Key_Return)
    assert not dialog.isVisible()

    item = ctx.worklist.detail(wrong).item
    assert (item.status, item.closed_at) == ("requested", None)
    assert wrong not in {r.id for r in view.model.rows}
    history = window.detail.history.toPlainText()
    assert "Reopened — closed by mistake" in history
    assert "Pressed D on the wrong row" in history
    assert "Completed" in history
    last = demo_profile.conn.execute(
        "SELECT event, item_id, details FROM audit ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert last[:2] == ("item_changed", wrong)
    assert json.loads(last[2])["action"] == "reopened"


def test_reopen_with_other_needs_a_note(window, ctx, qtbot):
    item_id = _select(window, Lane.CALLBACK, status="requested")
    ctx.work.complete(item_id)
    window.lanes.choose(DONE_TODAY)
    window.done_view.select_item(item_id)
    window.review_actions.reopen()
    dialog = window.active_dialog
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    dialog.accept()
    assert dialog.isVisible() and "Say why" in dialog.error.text()
    assert ctx.worklist.detail(item_id).item.status == "completed"
    dialog.reject()


def test_history_tells_every_change_in_words(window, ctx, clock, qtbot):
    item_id = _select(window, Lane.CONFIRMATION, status="in-progress")
    calls = len(ctx.worklist.detail(item_id).attempts)
    # Hold, resume, a note, cancel, reopen, complete: each in the history with its reason.
    qtbot.keyClick(window.table, Qt.Key.Key_H)
    hold = window.active_dialog
    hold.reason.setCurrentIndex(hold.reason.findData("waiting_on_patient"))
    hold.accept()
    clock.advance(minutes=5)
    qtbot.keyClick(window.table, Qt.Key.Key_R)
    qtbot.keyClick(window.table, Qt.Key.Key_T)
    note = window.active_dialog
    assert isinstance(note, NoteDialog)
    qtbot.keyClicks(note.text, "Patient prefers mornings")
    qtbot.keyClick(note.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not note.isVisible()
    assert len(ctx.worklist.detail(item_id).attempts) == calls  # a note is not a call
    clock.advance(minutes=5)
    qtbot.keyClick(window.table, Qt.Key.Key_X)
    cancel = window.active_dialog
    cancel.reason.setCurrentIndex(cancel.reason.findData("appointment_cancelled"))
    cancel.accept()
    clock.advance(minutes=5)
    window.review_actions.reopen()
    window.active_dialog.accept()
    window.select_item(item_id)

    history = window.detail.history.toPlainText()
    for words in (
        "Put on hold — waiting on patient",
        "Resumed",
        "Note · “Patient prefers mornings”",
        "Cancelled — appointment cancelled",
        "Reopened — closed by mistake",
    ):
        assert words in history, (words, history)
    shown = "\n".join([history, window.detail.state.text(), window.detail.at_hand.text()])
    assert _codes_in(shown) == [], shown
