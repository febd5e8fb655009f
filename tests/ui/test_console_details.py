"""Small behaviours of the real console: N, states, labels, shortcut sheet, layout."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication

from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Outcome, Priority, Urgency
from vmadesk.services.escalation import Sbar
from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.dialogs.escalation import IMMEDIATE_HINT, EscalationDialog
from vmadesk.ui.models.item_table import IN_HANDOFF, Column, ItemIdRole
from vmadesk.ui.ui_settings import UiSettings
from vmadesk.ui.widgets.escalations_view import FOOTER
from vmadesk.ui.widgets.lane_list import ESCALATIONS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _log_no_answer(window, qtbot) -> int:
    """Log "No answer" on the selected item with the keyboard, as a VMA does."""
    item_id = window.current_item_id()
    qtbot.keyClick(window.table, Qt.Key.Key_A)
    dialog = window.active_dialog
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_3)
    qtbot.keyClick(dialog.buttons[2], Qt.Key.Key_Return)
    assert not dialog.isVisible()
    return item_id


def _close_proposal(window) -> None:
    box = window.active_dialog
    if box is not None and box.windowTitle() == "Attempts used up":
        box.reject()


def test_n_skips_the_item_just_called_and_marks_it_waiting(window, ctx, qtbot):
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    called = _log_no_answer(window, qtbot)
    _close_proposal(window)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    assert window.current_item_id() != called
    row = window.model.row_of(called)
    state = window.model.index(row, int(Column.STATE)).data()
    assert re.fullmatch(r"Waiting · next try (\w{3} \d+ \w{3} )?\d\d:\d\d", state), state


def test_n_says_when_nothing_can_be_called_and_stays_put(window, ctx, clock, qtbot):
    window.lanes.choose(Lane.CALLBACK)
    query = window.current_query()
    for row in ctx.worklist.page(query, 0, 1000):
        if row.status != "on-hold":
            ctx.work.log_attempt(row.id, Outcome.BUSY)
    window.reload_items()
    window.table.selectRow(0)
    selected = window.current_item_id()
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    assert window.current_item_id() == selected
    assert re.match(r"Nothing to call now; next attempt at .*\d\d:\d\d", window.last_message)
    retry = ctx.worklist.next_retry_at(query)
    clock.now = retry
    window.tick()
    window.last_message = ""
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    workable = ctx.worklist.next_most_urgent(query)
    assert workable is not None and window.current_item_id() == workable
    assert window.last_message == ""


def test_handed_off_items_are_marked_in_table_and_detail(window, ctx, tmp_path):
    from vmadesk.services.handoff import HandoffService

    other = HandoffService(ctx.session.conn, vma="someone")
    ctx.handoffs.add_colleague("ben.k", other.my_public_key())
    item = window.model.item_at(0)
    note = HandoffNote(Priority.ROUTINE, "Left a voicemail", (), "")
    ctx.handoffs.create_packet("ben.k", {item.id: note}, "", out_dir=tmp_path)
    window.refresh()
    row = window.model.row_of(item.id)
    assert window.model.index(row, int(Column.STATUS)).data() == IN_HANDOFF
    window.select_item(item.id)
    assert IN_HANDOFF in window.detail.state.text()


def test_completed_item_shows_its_outcome_not_a_due_state(window, ctx, clock):
    window.lanes.choose(Lane.CONFIRMATION)
    item = next(
        window.model.item_at(r)
        for r in range(window.model.rowCount())
        if window.model.item_at(r).status == "requested"
    )
    window.select_item(item.id)
    clock.advance(hours=30)  # long past due: the pane must still not say overdue
    ctx.work.record_outcome(item.id, Outcome.CONFIRMED, identity_verified=True)
    window.reload_items()
    window.show_item(item.id)
    text = window.detail.state.text()
    assert re.fullmatch(r"Completed · confirmed at .*\d\d:\d\d.*", text), text
    assert "overdue" not in text.lower()


def test_overlay_is_opaque_and_lists_shell_and_dialog_keys(window, ctx, qtbot):
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    late = QAction("Late &addition", window)
    late.setShortcut("Ctrl+Shift+Y")
    window.add_menu_action("Help", late)
    qtbot.keyClick(window.table, Qt.Key.Key_Question)
    overlay = window.overlay
    assert overlay.isVisible() and overlay.autoFillBackground()
    text = " ".join(overlay.texts())
    for keys in ("Ctrl+L", "Ctrl+,", "Ctrl+Q", "Ctrl+Shift+Y", "Late addition"):
        assert keys in text, keys
    for letter in "SEORKA":
        assert f"Ctrl+Shift+{letter}" in text, letter
    assert "In the attempt dialog" in text and "1–7" in text and "No answer" in text
    assert "End shift and hand off" in text
    menu_texts = [a.text() for a in window.menu("Item").actions()]
    assert not any("(D)" in t or "(X)" in t or "(&" in t for t in menu_texts)
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    shell.shutdown()


@pytest.mark.parametrize(
    ("lane", "expected"),
    [
        (Lane.CALLBACK, EscalationCategory.OTHER),
        (Lane.ELIGIBILITY, EscalationCategory.PAYER_BILLING),
    ],
)
def test_escalation_defaults_by_lane_and_clinical_is_urgent(window, qtbot, lane, expected):
    window.lanes.choose(lane)
    window.table.selectRow(0)
    qtbot.keyClick(window.table, Qt.Key.Key_E)
    dialog = window.active_dialog
    assert isinstance(dialog, EscalationDialog)
    qtbot.waitExposed(dialog)
    assert dialog.category.currentData() == expected.value
    assert dialog.urgency.currentData() == Urgency.ROUTINE.value
    top = dialog.situation.mapTo(dialog, dialog.situation.rect().topLeft()).y()
    dialog.set_category(EscalationCategory.CLINICAL_CONCERN)
    qtbot.wait(10)
    assert dialog.urgency.currentData() == Urgency.URGENT.value
    assert dialog.urgency_hint.isVisible() and dialog.urgency_hint.text() == IMMEDIATE_HINT
    # The guidance area is reserved: the SBAR fields do not jump when the category changes.
    assert dialog.situation.mapTo(dialog, dialog.situation.rect().topLeft()).y() == top
    dialog.reject()


def test_escalations_lane_names_patient_practice_and_lane_most_urgent_first(window, ctx):
    item = window.model.item_at(0)
    ctx.escalations.raise_(
        item.id, EscalationCategory.PATIENT_COMPLAINT, Urgency.IMMEDIATE, Sbar("Angry caller")
    )
    window.lanes.choose(ESCALATIONS)
    model = window.escalations_view.model
    headers = list(model.HEADERS)
    first = [model.index(0, c).data() for c in range(len(headers))]
    assert first[headers.index("Patient")] == item.patient_display
    assert first[headers.index("Lane")] == Lane(item.lane).label
    assert first[headers.index("Practice")]
    assert not any(str(cell).startswith("#") for cell in first)
    ranks = {"immediate": 0, "urgent": 1, "routine": 2}
    order = [(ranks[r.urgency], r.raised_at) for r in model.rows]
    assert order == sorted(order)
    window.escalations_view.select_row(0)
    assert "Situation: Angry caller" in window.escalations_view.sbar.text()
    labels = window.escalations_view.findChildren(type(window.detail.state))
    assert FOOTER in [label.text() for label in labels]


def test_window_title_names_the_app_once(window):
    app = QApplication.instance()
    before = QGuiApplication.applicationDisplayName()
    app.setApplicationDisplayName("vmadesk")
    try:
        window.refresh_counts()
        # The platform appends " — vmadesk" to the title itself.
        assert "vmadesk" not in window.windowTitle()
        assert window.windowTitle().endswith("overdue")
    finally:
        app.setApplicationDisplayName(before)


def test_small_window_keeps_the_patient_column_and_lanes_apart(window, qtbot):
    window.resize(600, 400)
    qtbot.wait(20)
    # At its smallest the window still fits a 1280×720 screen at 150 % (853×480 logical).
    assert 700 <= window.width() <= 853 and 400 <= window.height() <= 456
    table = window.table
    patient = int(Column.PATIENT)
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    frozen = table.frozen
    assert frozen.isVisible() and frozen.width() == table.columnWidth(patient)
    assert frozen.x() + frozen.width() <= table.viewport().width()
    left_edge = window.left_pane.mapTo(window, window.left_pane.rect().topRight()).x()
    assert left_edge < table.mapTo(window, table.rect().topLeft()).x()
    assert table.model().index(0, patient).data(ItemIdRole) is not None
