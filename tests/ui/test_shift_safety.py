"""A VMA's shift on the real console: every action acts on the item on screen, and nothing
typed is lost to the auto-lock."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt

from tests.conftest import PASSPHRASE
from tests.ui.shell_helpers import leaked, patient_names, visible_texts, visible_windows
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Urgency
from vmadesk.services.escalation import Sbar
from vmadesk.ui.console.lock import MINUTE_MS
from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.dialogs.attempt import AttemptDialog
from vmadesk.ui.ui_settings import UiSettings
from vmadesk.ui.widgets.lane_list import ESCALATIONS, MY_SHIFT

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@dataclass
class IdleClock:
    """The lock's monotonic clock, moved by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


def _items_with_phones(ctx, n: int):
    rows = ctx.worklist.page(ctx.worklist.query(None), 0, 1000)
    return [r for r in rows if r.phone][:n]


def _escalation_row(view, item_id: int) -> int:
    return next(i for i, r in enumerate(view.model.rows) if r.item_id == item_id)


def test_escalation_selection_drives_the_detail_pane_and_call(window, ctx, qtbot, captured_urls):
    first, second, worked = _items_with_phones(ctx, 3)
    for item in (first, second):
        ctx.escalations.raise_(
            item.id, EscalationCategory.PATIENT_COMPLAINT, Urgency.URGENT, Sbar("Upset caller")
        )
    # The VMA works an item in My shift, then turns to the Escalations lane.
    window.select_item(worked.id)
    assert window.detail.detail.item.id == worked.id
    qtbot.keyClick(window.table, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    view = window.escalations_view
    assert window.stack.currentWidget() is view

    # No escalation selected: nothing on screen to call, so Call is not offered.
    assert window.detail.detail is None
    assert not window.actions_by_name["call"].isEnabled()
    assert not window.detail.call_button.isEnabled()
    qtbot.keyClick(view.table, Qt.Key.Key_C)
    assert captured_urls == []

    # Selecting an escalation shows its patient, and C dials that patient.
    view.select_row(_escalation_row(view, second.id))
    assert window.detail.name.text() == second.patient_display
    assert window.actions_by_name["call"].isEnabled()
    qtbot.keyClick(view.table, Qt.Key.Key_C)
    assert captured_urls == [f"tel:{second.phone}"]
    dialog = window.active_dialog
    assert isinstance(dialog, AttemptDialog) and dialog.item_id == second.id
    dialog.reject()

    # Down to the other escalation: the pane and Call follow.
    view.select_row(_escalation_row(view, first.id))
    assert window.current_item_id() == first.id
    window.detail.call_button.click()
    assert captured_urls[-1] == f"tel:{first.phone}"
    window.active_dialog.reject()


def test_switching_lanes_never_leaves_another_lanes_patient_behind(window, ctx, qtbot):
    rows = ctx.worklist.page(ctx.worklist.query(Lane.CALLBACK), 0, 1)
    window.lanes.choose(Lane.CALLBACK)
    window.select_item(rows[0].id)
    assert window.actions_by_name["attempt"].isEnabled()
    window.lanes.choose(Lane.ELIGIBILITY)  # the callback is not listed here
    assert window.detail.detail is None
    assert not any(window.actions_by_name[n].isEnabled() for n in ("call", "attempt", "fail"))
    window.lanes.choose(MY_SHIFT)  # listed again, but not chosen: still nothing shown
    assert window.detail.detail is None
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    assert window.current_item_id() is not None
    assert window.actions_by_name["attempt"].isEnabled()


def test_escalations_follow_the_practice_filter(window, ctx):
    practices = {p.id: p.name for p in ctx.worklist.practices()}
    assert len(practices) >= 2
    rows = ctx.worklist.page(ctx.worklist.query(None), 0, 1000)
    by_practice: dict[int, int] = {}
    for r in rows:
        by_practice.setdefault(r.practice_id, r.id)
    for item_id in by_practice.values():
        ctx.escalations.raise_(item_id, EscalationCategory.OTHER, Urgency.ROUTINE, Sbar("Check"))
    chosen = next(iter(by_practice))
    window.practice_filter.setCurrentIndex(window.practice_filter.findData(chosen))
    window.lanes.choose(ESCALATIONS)
    shown = {r.item_id for r in window.escalations_view.model.rows}
    assert by_practice[chosen] in shown
    assert {ctx.worklist.detail(i).item.practice_id for i in shown} == {chosen}
    assert window.lanes.count_text(ESCALATIONS) == f"{len(shown)} open"
    window.practice_filter.setCurrentIndex(0)
    every = {r.item_id for r in window.escalations_view.model.rows}
    assert set(by_practice.values()) <= every and len(every) > len(shown)


def _shell(qtbot, window, ctx, clock: IdleClock) -> ConsoleShell:
    shell = ConsoleShell(
        ctx, window, ui_settings=UiSettings(), idle_ms=5 * MINUTE_MS, idle_clock=clock
    )
    qtbot.addWidget(window, before_close_func=lambda _w: shell.shutdown())
    return shell


def test_a_draft_survives_the_lock_and_a_call_postpones_it(window, ctx, qtbot, captured_urls):
    clock = IdleClock()
    shell = _shell(qtbot, window, ctx, clock)
    names = patient_names(ctx)
    # On the phone: N, C, the outcome and a note typed, then a long call.
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    item_id = window.current_item_id()
    qtbot.keyClick(window.table, Qt.Key.Key_C)
    dialog = window.active_dialog
    assert isinstance(dialog, AttemptDialog)
    qtbot.keyClick(dialog, Qt.Key.Key_2)
    dialog.note.setPlainText("Left a message about the refill")
    clock.advance(minutes=20)
    assert not shell.lock.check_idle()  # a VMA on a call is not idle
    assert not shell.lock.is_locked

    # Called away and the dialog forgotten: the idle lock fires at last. The dialog is
    # hidden, not discarded.
    clock.advance(minutes=45)
    assert shell.lock.check_idle()
    assert shell.lock.is_locked
    assert not dialog.isVisible()
    assert visible_windows() == [window]
    assert not leaked(names, visible_texts())

    screen = shell.lock.screen
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    assert not shell.lock.is_locked
    # Back as it was: the dialog with its outcome and note, on the same selected item.
    assert dialog.isVisible() and window.active_dialog is dialog
    assert dialog.outcome().label == "Voicemail"
    assert dialog.note.toPlainText() == "Left a message about the refill"
    assert window.current_item_id() == item_id
    assert window.table.currentIndex().isValid()
    qtbot.keyClick(dialog.buttons[1], Qt.Key.Key_Return)
    attempts = ctx.worklist.detail(item_id).attempts
    assert (attempts[-1].outcome, attempts[-1].note) == (
        "voicemail",
        "Left a message about the refill",
    )


def test_ctrl_l_locks_from_inside_the_attempt_dialog_and_keeps_it(window, ctx, qtbot):
    shell = _shell(qtbot, window, ctx, IdleClock())
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    qtbot.keyClick(window.table, Qt.Key.Key_A)
    dialog = window.active_dialog
    qtbot.keyClick(dialog, Qt.Key.Key_3)
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shell.lock.is_locked and not dialog.isVisible()
    assert shell.lock.try_unlock(PASSPHRASE)
    assert dialog.isVisible() and dialog.outcome().label == "No answer"


def test_idle_locks_on_its_clock_and_input_restarts_the_count(window, ctx, qtbot):
    clock = IdleClock()
    shell = _shell(qtbot, window, ctx, clock)
    clock.advance(minutes=4)
    assert not shell.lock.check_idle()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    clock.advance(minutes=4)
    assert not shell.lock.check_idle()  # 4 minutes since the key, not 8 in all
    clock.advance(minutes=1)
    assert shell.lock.check_idle() and shell.lock.is_locked


def test_a_forgotten_call_dialog_locks_after_the_call_limit(window, ctx, qtbot):
    clock = IdleClock()
    shell = _shell(qtbot, window, ctx, clock)
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    qtbot.keyClick(window.table, Qt.Key.Key_A)
    assert window.call_in_progress()
    clock.advance(minutes=59)
    assert not shell.lock.check_idle()
    clock.advance(minutes=1)
    assert shell.lock.check_idle()
    assert not window.active_dialog.isVisible()


def test_escalation_selection_is_back_after_unlock(window, ctx, qtbot):
    clock = IdleClock()
    shell = _shell(qtbot, window, ctx, clock)
    item = _items_with_phones(ctx, 1)[0]
    ctx.escalations.raise_(item.id, EscalationCategory.OTHER, Urgency.ROUTINE, Sbar("Check"))
    window.lanes.choose(ESCALATIONS)
    window.escalations_view.select_row(_escalation_row(window.escalations_view, item.id))
    shell.lock.lock("manual")
    assert window.detail.detail is None
    assert shell.lock.try_unlock(PASSPHRASE)
    assert window.current_item_id() == item.id
    assert window.escalations_view.selected().item_id == item.id
    assert window.actions_by_name["call"].isEnabled()


def test_the_patients_other_open_items_are_on_the_pane_and_selectable(window, ctx, qtbot):
    from vmadesk.services.intake import quick_add_callback

    window.lanes.choose(Lane.ELIGIBILITY)
    item = next(
        r for r in ctx.worklist.page(ctx.worklist.query(Lane.ELIGIBILITY), 0, 100) if r.phone
    )
    # The same patient also asked for a call back about a refill.
    callback_id = quick_add_callback(
        ctx.session.conn,
        practice_id=item.practice_id,
        family=item.patient_family,
        given=item.patient_given,
        phone=item.phone,
        reason="Refill question",
        vma=ctx.vma,
        clock=ctx.clock,
    )
    window.lanes.choose(MY_SHIFT)
    window.select_item(item.id)
    others = window.detail.others
    assert others.isVisible() and others.count() == 1
    assert others.item(0).text().startswith("Callbacks: Refill question")
    others.setFocus()
    others.setCurrentRow(0)
    qtbot.keyClick(others, Qt.Key.Key_Return)
    assert window.current_item_id() == callback_id
    assert window.table.currentIndex().isValid()  # the list follows, not only the pane
    assert window.detail.others.item(0).data(Qt.ItemDataRole.UserRole) == item.id
    # An unrelated patient has none.
    lone = next(
        r
        for r in ctx.worklist.page(ctx.worklist.query(None), 0, 100)
        if r.id not in (item.id, callback_id)
    )
    window.select_item(lone.id)
    assert not window.detail.others.isVisible()


def test_a_failed_call_link_tells_the_vma(qtbot, ctx):
    from vmadesk.ui.console.window import MainWindow

    window = MainWindow(ctx, url_opener=lambda _url: False)  # no softphone installed
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.item_actions.next_most_urgent()
    window.item_actions.call()
    assert "softphone did not open" in window.last_message
    assert isinstance(window.active_dialog, AttemptDialog)  # the attempt is still logged
    assert not leaked(patient_names(ctx), [window.last_message])
    window.close_dialogs()


def test_quick_add_defaults_to_the_practice_in_view(window, ctx, qtbot):
    practices = ctx.worklist.practices()
    rows = ctx.worklist.page(ctx.worklist.query(None), 0, 1000)
    item = next(r for r in rows if r.practice_id != practices[0].id)
    window.select_item(item.id)  # "All practices", an item of the second practice on screen
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.active_dialog.practice.currentData() == item.practice_id
    window.active_dialog.reject()
    window.practice_filter.setCurrentIndex(window.practice_filter.findData(practices[0].id))
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.active_dialog.practice.currentData() == practices[0].id
    window.active_dialog.reject()


def test_waiting_items_sort_after_the_workable_ones(window, ctx, clock, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    called = window.current_item_id()
    assert window.model.item_at(0).id == called  # the most urgent, at the top
    qtbot.keyClick(window.table, Qt.Key.Key_A)
    dialog = window.active_dialog
    qtbot.keyClick(dialog, Qt.Key.Key_3)
    qtbot.keyClick(dialog.buttons[2], Qt.Key.Key_Return)
    window.refresh()
    assert called in _waiting_ids(window, clock)
    workable, waiting = _bands(window, clock)
    assert workable and waiting and max(workable) < min(waiting)
    clock.advance(hours=3)  # its next try has come: back among the workable, by due time
    window.refresh()
    workable, waiting = _bands(window, clock)
    assert called not in _waiting_ids(window, clock)
    assert not waiting or max(workable) < min(waiting)


def _rows(window):
    return [window.model.item_at(r) for r in range(window.model.rowCount())]


def _is_waiting(row, clock) -> bool:
    return (
        row.status != "on-hold" and bool(row.next_attempt_at) and (row.next_attempt_at > clock.now)
    )


def _waiting_ids(window, clock) -> set[int]:
    return {r.id for r in _rows(window) if _is_waiting(r, clock)}


def _bands(window, clock) -> tuple[list[int], list[int]]:
    rows = _rows(window)
    waiting = [i for i, r in enumerate(rows) if _is_waiting(r, clock)]
    workable = [
        i for i, r in enumerate(rows) if r.status != "on-hold" and not _is_waiting(r, clock)
    ]
    return workable, waiting
