"""Drive the console as a VMA: lanes, N, call, one-key attempts, search, tick, lock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableView,
    QTextEdit,
)

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.dialogs.attempt import AttemptDialog
from vmadesk.ui.models.item_table import Column, ItemIdRole
from vmadesk.ui.widgets.clipboard_guard import KDE_HINT
from vmadesk.ui.widgets.lane_list import MY_SHIFT
from vmadesk.ui.widgets.lane_list import counts_text as lane_counts_text

#: The offscreen platform says this when a top-level window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _names(ctx) -> set[str]:
    rows = ctx.worklist.page(ctx.worklist.query(None), 0, 10_000)
    return {r.patient_family for r in rows} | {r.patient_display for r in rows}


def test_lanes_show_counts_matching_the_store(window, ctx):
    counts = ctx.worklist.lane_counts()
    for lane in Lane:
        assert window.lanes.count_text(lane) == lane_counts_text(counts[lane])
    window.lanes.choose(Lane.ELIGIBILITY)
    assert window.model.rowCount() == counts[Lane.ELIGIBILITY].open


def test_n_selects_the_most_urgent_item(window, ctx, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    expected = ctx.worklist.next_most_urgent(ctx.worklist.query(None))
    assert window.current_item_id() == expected
    assert window.table.currentIndex().data(ItemIdRole) == expected


def test_call_then_no_answer_with_one_key(window, ctx, qtbot, captured_urls):
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    item = window.current_item()
    qtbot.keyClick(window.table, Qt.Key.Key_C)
    assert captured_urls == [f"tel:{item.phone}"]
    dialog = window.active_dialog
    assert isinstance(dialog, AttemptDialog)
    assert dialog.number.text() == item.phone
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_3)
    assert dialog.outcome().label == "No answer"
    qtbot.keyClick(dialog.buttons[2], Qt.Key.Key_Return)
    assert not dialog.isVisible()
    attempts = ctx.worklist.detail(item.id).attempts
    assert [a.outcome for a in attempts][-1] == "no_answer"
    assert "No answer" in window.detail.history.toPlainText()


def test_fail_or_escalate_is_proposed_after_the_last_attempt(window, ctx, qtbot):
    rows = ctx.worklist.page(ctx.worklist.query(None), 0, 1000)
    item = next(r for r in rows if r.attempt_count == 2 and r.status == "in-progress")
    window.select_item(item.id)
    window.item_actions.log_attempt()
    dialog = window.active_dialog
    dialog.buttons[2].setChecked(True)
    dialog.accept()
    box = window.active_dialog
    assert box is not None and box.windowTitle() == "Attempts used up"
    labels = {b.text().replace("&", "") for b in box.buttons()}
    assert {"Fail", "Escalate", "Later"} <= labels
    box.reject()


def test_search_as_you_type_narrows_the_table(window, ctx, qtbot):
    total = window.model.rowCount()
    family = window.model.item_at(0).patient_family
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, family.lower())
    qtbot.waitUntil(lambda: window.model.rowCount() < total, timeout=2000)
    # The table lists slim rows: what was searched is on the full rows of the store.
    full = {r.id: r for r in ctx.worklist.page(ctx.worklist.query(None), 0, 10_000)}
    for r in range(window.model.rowCount()):
        assert family.lower() in full[window.model.item_at(r).id].search_text


def test_due_in_tick_keeps_selection_and_never_resets(window, clock, qtbot):
    window.lanes.choose(Lane.CALLBACK)
    window.table.selectRow(2)
    selected = window.table.currentIndex().data(ItemIdRole)
    resets = []
    window.model.modelReset.connect(lambda: resets.append(1))
    before = window.model.index(2, int(Column.DUE_IN)).data()
    clock.advance(minutes=30)
    window.model.tick()
    assert not resets
    assert window.model.index(2, int(Column.DUE_IN)).data() != before
    assert window.table.currentIndex().data(ItemIdRole) == selected


def test_copy_phone_is_concealed_and_cleared(window, qtbot):
    window.clipboard_clear_ms = 50
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    number = window.current_item().phone
    window.detail.copy_button.click()
    clip = QGuiApplication.clipboard()
    assert clip.text() == number
    assert bytes(clip.mimeData().data(KDE_HINT)) == b"secret"
    qtbot.waitUntil(lambda: clip.text() == "", timeout=2000)


def test_clipboard_left_alone_when_it_holds_something_else(window, qtbot):
    window.clipboard_clear_ms = 50
    window.copy_to_clipboard("+15555550100")
    QGuiApplication.clipboard().setText("not ours")
    qtbot.wait(120)
    assert QGuiApplication.clipboard().text() == "not ours"


def test_title_and_tooltips_carry_no_patient_name(window, ctx, qtbot):
    names = _names(ctx)
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    texts = [window.windowTitle()]
    texts += [w.toolTip() for w in QApplication.allWidgets()]
    texts += [a.toolTip() for a in window.all_actions]
    model = window.model
    texts += [
        str(model.index(r, c).data(Qt.ItemDataRole.ToolTipRole) or "")
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]
    assert "overdue" in window.windowTitle()
    for text in texts:
        assert not any(n in text for n in names), text


def _visible_texts() -> list[str]:
    out = []
    for w in QApplication.allWidgets():
        if not w.isVisible():
            continue
        if isinstance(w, QLabel | QLineEdit):
            out.append(w.text())
        elif isinstance(w, QTextEdit | QPlainTextEdit):
            out.append(w.toPlainText())
        if isinstance(w, QListWidget):
            out += [w.item(i).text() for i in range(w.count())]
        elif isinstance(w, QTableView) and w.model() is not None:
            m = w.model()
            out += [
                str(m.index(r, c).data() or "")
                for r in range(m.rowCount(QModelIndex()))
                for c in range(m.columnCount(QModelIndex()))
            ]
    return out


def test_locked_window_shows_no_patient_name(window, ctx, qtbot):
    names = _names(ctx)
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    window.item_actions.log_attempt()
    assert window.active_dialog is not None
    window.search.setText(window.current_item().patient_family)
    assert any(any(n in t for n in names) for t in _visible_texts())
    dialog = window.active_dialog
    window.set_locked(True)
    assert not dialog.isVisible()  # hidden, not closed: nothing typed in it is lost
    assert window.model.rowCount() == 0
    for text in _visible_texts():
        assert not any(n in text for n in names), text
    window.set_locked(False)
    assert window.model.rowCount() > 0
    assert window.search.text()
    assert window.active_dialog is dialog and dialog.isVisible()


def test_shortcut_overlay_lists_every_action(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_Question)
    assert window.overlay.isVisible()
    text = " ".join(window.overlay.texts())
    for label in ("Next most urgent", "Call", "Log attempt", "Escalate", "Ctrl+N", "F5"):
        assert label in text
    qtbot.keyClick(window.overlay, Qt.Key.Key_Escape)
    assert not window.overlay.isVisible()


def test_lane_shortcuts_and_menus_for_ui_b(window, qtbot):
    from PySide6.QtGui import QAction

    qtbot.keyClick(window.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.lanes.current_key() == Lane.CONFIRMATION
    qtbot.keyClick(window.table, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.lanes.current_key() == MY_SHIFT
    action = QAction("Start shift…", window)
    window.add_menu_action("Shift", action)
    assert action in window.menu("Shift").actions()
    fired = []
    window.import_requested.connect(lambda: fired.append(1))
    window.actions_by_name["import"].trigger()
    assert fired == [1]
    for name in ("File", "Shift", "Item", "View", "Help"):
        assert window.menu(name).title() == name


def test_hold_pauses_sla_and_resume_moves_due_later(window, ctx, clock, qtbot):
    window.lanes.choose(Lane.CALLBACK)
    window.table.selectRow(0)
    item = window.current_item()
    assert item.status != "on-hold"
    window.item_actions.hold()
    dialog = window.active_dialog
    assert "pauses" in dialog.findChild(QLabel, "").text() or dialog.windowTitle()
    dialog.accept()
    assert window.detail.state.text().startswith("On hold")
    assert "paused" in window.detail.state.text()
    clock.advance(hours=1)
    qtbot.keyClick(window.table, Qt.Key.Key_R)
    after = ctx.worklist.detail(item.id).item
    assert after.status != "on-hold"
    assert after.effective_due > item.effective_due


def test_accessible_names_on_controls(window):
    from PySide6.QtWidgets import QAbstractButton, QComboBox

    for kind in (QLineEdit, QComboBox, QAbstractItemView):
        for w in window.findChildren(kind):
            if w.isVisible() and not isinstance(w, QHeaderView):
                assert w.accessibleName(), w
    for w in window.detail.findChildren(QAbstractButton):
        assert w.accessibleName(), w
