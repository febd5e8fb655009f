"""The common paths as key sequences typed on the real console; each asserts what was stored.

Every key goes to whatever widget has the focus at that moment, as a keyboard would send it,
and the number of keys (figures typed apart) is checked against the issue's targets.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from vmadesk.domain.vocabulary import Lane

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

_NAMED = {
    "Enter": Qt.Key.Key_Return,
    "Tab": Qt.Key.Key_Tab,
    "Space": Qt.Key.Key_Space,
    "Backspace": Qt.Key.Key_Backspace,
    "Esc": Qt.Key.Key_Escape,
    "Down": Qt.Key.Key_Down,
}


class Keyboard:
    """Sends keys to the focused widget and counts them (typed figures counted apart)."""

    def __init__(self, qtbot, window) -> None:
        self.qtbot = qtbot
        self.window = window
        self.keys: list[str] = []
        self.typed = 0

    def _target(self):
        app = QApplication.instance()
        dialog = self.window.active_dialog
        if dialog is not None and dialog.isVisible():
            if not dialog.isActiveWindow():
                # What the window manager does for a new dialog (offscreen needs asking).
                dialog.activateWindow()
                self.qtbot.waitUntil(dialog.isActiveWindow)
            focus = app.focusWidget()
            assert focus is not None and focus.window() is dialog
            return focus
        if not self.window.isActiveWindow():
            # A dialog closed: the window manager gives the window back its focus.
            self.window.activateWindow()
            self.qtbot.waitUntil(self.window.isActiveWindow)
        return app.focusWidget() or self.window.table

    def press(self, *keys: str) -> None:
        """Press named keys or single characters, one keystroke each."""
        for key in keys:
            target = self._target()
            if key in _NAMED:
                self.qtbot.keyClick(target, _NAMED[key])
            else:
                self.qtbot.keyClicks(target, key)
            self.keys.append(key)

    def type(self, text: str) -> None:
        """Type a figure (not counted as a keystroke of the path)."""
        self.qtbot.keyClicks(self._target(), text)
        self.typed += len(text)


@pytest.fixture
def keyboard(qtbot, window):
    window.table.setFocus()
    return Keyboard(qtbot, window)


def _dialog_closed(window) -> bool:
    dialog = window.active_dialog
    return dialog is None or not dialog.isVisible()


def test_no_answer_is_four_keys(window, ctx, keyboard, qtbot):
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("C")
    qtbot.waitExposed(window.active_dialog)
    keyboard.press("3", "Enter")
    assert len(keyboard.keys) == 4
    attempts = ctx.worklist.detail(item.id).attempts
    assert attempts[-1].outcome == "no_answer"


def test_confirmation_is_six_keys_with_one_identity_check(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.CONFIRMATION)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("C")
    qtbot.waitExposed(window.active_dialog)
    keyboard.press("1", "I", "1", "Enter")
    assert _dialog_closed(window)
    assert keyboard.keys == ["N", "C", "1", "I", "1", "Enter"]
    detail = ctx.worklist.detail(item.id)
    assert detail.item.status == "completed" and detail.item.outcome == "confirmed"
    reached, confirmed = detail.attempts[-2:]
    assert (reached.outcome, confirmed.outcome) == ("reached", "confirmed")
    assert reached.identity_verified and confirmed.identity_verified
    assert "Outcome recorded: Confirmed" in window.last_message


def test_space_ticks_the_identity_the_cursor_lands_on(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.CONFIRMATION)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("C")
    qtbot.waitExposed(window.active_dialog)
    keyboard.press("1", "Space", "3", "Enter")
    assert len(keyboard.keys) == 6
    assert ctx.worklist.detail(item.id).item.outcome == "reschedule_requested"


def test_backspace_goes_back_from_reached_to_the_call_result(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.CONFIRMATION)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("C")
    dialog = window.active_dialog
    qtbot.waitExposed(dialog)
    keyboard.press("1", "Backspace", "2", "Enter")
    assert _dialog_closed(window)
    detail = ctx.worklist.detail(item.id)
    assert detail.attempts[-1].outcome == "voicemail" and detail.item.status != "completed"


def test_reached_without_identity_is_refused_and_nothing_is_written(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.CONFIRMATION)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    before = len(ctx.worklist.detail(item.id).attempts)
    keyboard.press("C")
    dialog = window.active_dialog
    qtbot.waitExposed(dialog)
    keyboard.press("1", "1", "Enter")
    assert dialog.isVisible() and "identity" in dialog.error.text().lower()
    assert len(ctx.worklist.detail(item.id).attempts) == before
    keyboard.press("I", "Enter")
    assert _dialog_closed(window)
    assert ctx.worklist.detail(item.id).item.outcome == "confirmed"


def test_eligibility_coverage_active_is_six_keys_plus_figures(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.ELIGIBILITY)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    assert item.plan  # prefilled from the import
    keyboard.press("O")
    qtbot.waitExposed(window.active_dialog)
    keyboard.press("1")
    keyboard.type("25")
    keyboard.press("Tab")
    keyboard.type("$1,250.5")
    keyboard.press("Tab")
    keyboard.type("REF42")
    keyboard.press("Enter")
    assert _dialog_closed(window)
    assert keyboard.keys == ["N", "O", "1", "Tab", "Tab", "Enter"]
    stored = ctx.worklist.detail(item.id).item
    assert stored.outcome == "coverage_active"
    details = json.loads(stored.outcome_json)
    assert details["copay"] == "25.00" and details["deductible_remaining"] == "1250.50"
    assert details["plan"] == item.plan and details["reference_number"] == "REF42"


def test_copay_is_an_amount_not_free_text(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.ELIGIBILITY)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("O")
    dialog = window.active_dialog
    qtbot.waitExposed(dialog)
    keyboard.press("1")
    keyboard.type("twenty")  # the field refuses letters as they are typed
    assert dialog.fields["copay"].text() == ""
    dialog.fields["copay"].setText("12.345")  # pasted: checked on confirm
    dialog.fields["deductible_remaining"].setText("0")
    dialog.fields["reference_number"].setText("R1")
    keyboard.press("Enter")
    assert dialog.isVisible() and dialog.error.text().startswith("⚠ Copay")
    assert ctx.worklist.detail(item.id).item.status != "completed"


def test_service_refuses_an_amount_that_is_not_one(ctx):
    from vmadesk.domain.vocabulary import Outcome
    from vmadesk.services.errors import ActionRefused

    rows = ctx.worklist.page(ctx.worklist.query(Lane.ELIGIBILITY), 0, 5)
    details = {
        "plan": "P",
        "copay": "about 20",
        "deductible_remaining": "0",
        "reference_number": "R",
    }
    with pytest.raises(ActionRefused, match=r"^Copay: enter an amount"):
        ctx.work.record_outcome(rows[0].id, Outcome.COVERAGE_ACTIVE, details=details)
    assert ctx.worklist.detail(rows[0].id).item.status != "completed"


def test_eligibility_through_the_call_offers_the_outcome_after_reached(
    window, ctx, keyboard, qtbot
):
    window.lanes.choose(Lane.ELIGIBILITY)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("C")
    qtbot.waitExposed(window.active_dialog)
    keyboard.press("1", "I", "1")
    keyboard.type("25")
    keyboard.press("Tab")
    keyboard.type("100")
    keyboard.press("Tab")
    keyboard.type("REF7")
    keyboard.press("Enter")
    assert _dialog_closed(window)
    assert len(keyboard.keys) == 8
    assert ctx.worklist.detail(item.id).item.outcome == "coverage_active"


def test_outcome_after_a_reached_call_does_not_ask_identity_again(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.CONFIRMATION)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("A")
    qtbot.waitExposed(window.active_dialog)
    # Reached, identity checked, no lane outcome yet (the patient is looking at the calendar).
    keyboard.press("1", "I", "Backspace")
    keyboard.press("1", "Enter")  # Backspace dropped Reached: 1 picks it again, Enter logs
    assert _dialog_closed(window)
    keyboard.press("O")
    dialog = window.active_dialog
    qtbot.waitExposed(dialog)
    assert dialog.identity.isChecked()
    keyboard.press("1", "Enter")
    assert _dialog_closed(window)
    assert ctx.worklist.detail(item.id).item.outcome == "confirmed"


def test_callback_reached_is_five_keys_and_completes(window, ctx, keyboard, qtbot):
    window.lanes.choose(Lane.CALLBACK)
    window.table.setFocus()
    keyboard.press("N")
    item = window.current_item()
    keyboard.press("C")
    qtbot.waitExposed(window.active_dialog)
    keyboard.press("1", "I", "Enter")
    assert _dialog_closed(window)
    assert keyboard.keys == ["N", "C", "1", "I", "Enter"]
    detail = ctx.worklist.detail(item.id)
    assert detail.item.status == "completed" and detail.attempts[-1].identity_verified
