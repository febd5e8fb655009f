"""Enter confirms every dialog wherever the focus is, except in a multi-line note (Ctrl+Enter
there); Tab leaves a date editor without touching it; the search box's Esc and Down."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDateTimeEdit,
    QDialog,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.dialogs.attempt import AttemptDialog
from vmadesk.ui.dialogs.escalation import EscalationDialog
from vmadesk.ui.dialogs.hold import HoldDialog
from vmadesk.ui.dialogs.outcomes import CancelDialog, NoteActionDialog, OutcomeDialog
from vmadesk.ui.dialogs.quick_add import QuickAddDialog
from vmadesk.ui.dialogs.settings import SettingsDialog
from vmadesk.ui.dialogs.shift import StartShiftDialog
from vmadesk.ui.ui_settings import UiSettings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _item(ctx, lane: Lane):
    rows = ctx.worklist.page(ctx.worklist.query(lane), 0, 50)
    return next(r for r in rows if r.status == "requested")


def _factories(ctx) -> dict[str, Callable[[], QDialog]]:
    callback = _item(ctx, Lane.CALLBACK)
    confirmation = _item(ctx, Lane.CONFIRMATION)
    eligibility = _item(ctx, Lane.ELIGIBILITY)

    def attempt(item) -> QDialog:
        dialog = AttemptDialog(ctx.work, item.id, item=item, number="+14155550111")
        dialog.buttons[1].setChecked(True)
        return dialog

    def outcome() -> QDialog:
        dialog = OutcomeDialog(ctx.work, eligibility, "2026-12-10")
        dialog.radios[2].setChecked(True)
        return dialog

    def escalate() -> QDialog:
        dialog = EscalationDialog(ctx.escalations, callback.id, "", lane=Lane.CALLBACK)
        dialog.situation.setPlainText("Patient upset")
        return dialog

    return {
        "attempt callback": lambda: attempt(callback),
        "attempt confirmation": lambda: attempt(confirmation),
        "attempt eligibility": lambda: attempt(eligibility),
        "outcome": outcome,
        "cancel": lambda: CancelDialog(ctx.work, callback.id),
        "complete": lambda: NoteActionDialog("Complete", "Complete?", lambda _n: None),
        "hold": lambda: HoldDialog(ctx.work, callback.id),
        "quick add": lambda: QuickAddDialog(ctx, ctx.worklist.practices()),
        "escalate": escalate,
        "settings": lambda: SettingsDialog(ctx, UiSettings()),
        "start shift": lambda: StartShiftDialog(ctx.shifts),
    }


def focus_chain(dialog: QDialog) -> list[QWidget]:
    """The widgets Tab visits in a dialog, in order."""
    chain: list[QWidget] = []
    widget = dialog.nextInFocusChain()
    while widget is not dialog and widget not in chain:
        if (
            widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisibleTo(dialog)
            and widget.isEnabled()
            and not isinstance(widget, QPushButton)
            and widget.window() is dialog
        ):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def _default_button(dialog: QDialog) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.isDefault())


def _multi_line(widget: QWidget) -> bool:
    return isinstance(widget, QPlainTextEdit | QTextEdit)


@pytest.mark.parametrize(
    "name",
    [
        "attempt callback",
        "attempt confirmation",
        "attempt eligibility",
        "outcome",
        "cancel",
        "complete",
        "hold",
        "quick add",
        "escalate",
        "settings",
        "start shift",
    ],
)
def test_enter_confirms_wherever_the_focus_is(qtbot, ctx, name):
    factory = _factories(ctx)[name]
    probe = factory()
    qtbot.addWidget(probe)
    probe.show()
    qtbot.waitExposed(probe)
    count = len(focus_chain(probe))
    assert count >= 1
    probe.close()
    for index in range(count):
        dialog = factory()
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        widget = focus_chain(dialog)[index]
        widget.setFocus()
        button = _default_button(dialog)
        clicks: list[bool] = []
        button.clicked.connect(lambda *_a, clicks=clicks: clicks.append(True))
        if _multi_line(widget):
            before = widget.toPlainText()
            qtbot.keyClick(widget, Qt.Key.Key_Return)
            after = widget.toPlainText()
            assert not clicks and after.count("\n") == before.count("\n") + 1, (name, index)
            qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        else:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        assert clicks, (name, index, type(widget).__name__, widget.accessibleName())
        dialog.close()


def test_tab_leaves_a_date_editor_without_changing_it(qtbot, ctx):
    dialog = HoldDialog(ctx.work, _item(ctx, Lane.CALLBACK).id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    until = dialog.until
    assert isinstance(until, QDateTimeEdit)
    until.setFocus()
    before = until.dateTime()
    qtbot.keyClick(until, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.reason
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is until
    qtbot.keyClick(until, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is not until
    assert until.dateTime() == before


def test_settings_time_editors_are_left_by_tab(qtbot, ctx):
    dialog = SettingsDialog(ctx, UiSettings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    editors = [w for w in focus_chain(dialog) if isinstance(w, QAbstractSpinBox)]
    for editor in editors:
        if isinstance(editor, QDateTimeEdit):
            editor.setFocus()
            qtbot.keyClick(editor, Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is not editor, editor.accessibleName()


def test_esc_clears_the_search_then_leaves_it_and_down_enters_the_results(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    assert QApplication.focusWidget() is window.search
    total = window.model.rowCount()
    qtbot.keyClicks(window.search, "zzzz")
    window.apply_search()
    assert window.model.rowCount() < total
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == "" and QApplication.focusWidget() is window.search
    window.apply_search()
    assert window.model.rowCount() == total
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.table
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    first = window.model.item_at(0)
    qtbot.keyClicks(window.search, first.patient_family)
    window.apply_search()
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is window.table
    assert window.current_item_id() == window.model.item_at(0).id
