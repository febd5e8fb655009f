"""Columns of the item table: chosen, ordered and sorted by the VMA, remembered without PHI;
the Patient column pinned so that it never scrolls away."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.console.window import MainWindow
from vmadesk.ui.models.item_table import Column
from vmadesk.ui.ui_settings import UiSettings, place_window, settings_path

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(window):
    """The console with every column shown (by default it shows those that fit its width)."""
    for column in Column:
        window.table.show_column(column, True)
    return window


def _click_header(qtbot, table, column: Column) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(int(column)) + header.sectionSize(int(column)) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def _all_rows(window):
    while window.model.canFetchMore():
        window.model.fetchMore()
    return [window.model.item_at(r) for r in range(window.model.rowCount())]


def test_header_click_sorts_in_the_store_and_state_goes_back_to_urgency(window, qtbot):
    urgency = [r.id for r in _all_rows(window)]
    _click_header(qtbot, window.table, Column.PATIENT)
    names = [(r.patient_family.lower(), r.patient_given.lower()) for r in _all_rows(window)]
    assert names == sorted(names) and len(names) == len(urgency)
    _click_header(qtbot, window.table, Column.PATIENT)
    names = [(r.patient_family.lower(), r.patient_given.lower()) for r in _all_rows(window)]
    assert names == sorted(names, reverse=True)
    _click_header(qtbot, window.table, Column.ATTEMPTS)
    attempts = [r.attempt_count for r in _all_rows(window)]
    assert attempts == sorted(attempts)
    _click_header(qtbot, window.table, Column.ESCALATION)
    states = [r.escalation for r in _all_rows(window)]
    escalated = [s for s in states if s is not None]
    assert escalated and escalated == sorted(escalated)
    assert states[: len(escalated)] == escalated  # never-escalated items come after
    _click_header(qtbot, window.table, Column.STATE)
    assert [r.id for r in _all_rows(window)] == urgency


def test_sorted_list_keeps_its_sort_across_search_and_lane_switch(window, qtbot):
    _click_header(qtbot, window.table, Column.REASON)
    window.lanes.choose(Lane.CALLBACK)
    reasons = [(r.reason or "").lower() for r in _all_rows(window)]
    assert reasons == sorted(reasons)


def test_columns_are_chosen_from_the_menu_and_patient_stays(window):
    table = window.table
    actions = {a.text(): a for a in table.columns_menu.actions()}
    actions["Phone"].trigger()
    assert table.isColumnHidden(int(Column.PHONE))
    assert not actions["Patient"].isEnabled()
    table.show_column(Column.PATIENT, False)
    assert not table.isColumnHidden(int(Column.PATIENT))
    assert table.columns_menu in [a.menu() for a in window.menu("View").actions() if a.menu()]


def test_patient_column_cannot_be_moved_off_the_left_edge(window):
    header = window.table.horizontalHeader()
    assert header.visualIndex(int(Column.PATIENT)) == 0
    header.moveSection(0, 4)
    assert header.visualIndex(int(Column.PATIENT)) == 0
    header.moveSection(header.visualIndex(int(Column.LANE)), 1)
    assert header.visualIndex(int(Column.LANE)) == 1


def test_column_layout_is_remembered_in_the_ui_settings(qtbot, ctx, window):
    place_window(window, UiSettings())
    table = window.table
    header = table.horizontalHeader()
    table.show_column(Column.PRACTICE, False)
    header.moveSection(header.visualIndex(int(Column.ATTEMPTS)), 1)
    _click_header(qtbot, table, Column.PATIENT)
    expected = [r.id for r in _all_rows(window)]

    again = MainWindow(ctx, url_opener=lambda _url: None)
    qtbot.addWidget(again)
    place_window(again, UiSettings())
    again.show()
    qtbot.waitExposed(again)
    other = again.table.horizontalHeader()
    assert again.table.isColumnHidden(int(Column.PRACTICE))
    assert other.visualIndex(int(Column.ATTEMPTS)) == 1
    assert other.visualIndex(int(Column.PATIENT)) == 0
    assert other.sortIndicatorSection() == int(Column.PATIENT)
    assert [r.id for r in _all_rows(again)] == expected
    # What the file holds is layout only: no patient name or phone.
    text = settings_path().read_bytes()
    for row in _all_rows(again)[:20]:
        assert row.patient_family.encode() not in text
        assert (row.phone or "x" * 12).encode() not in text


def test_patient_name_never_scrolls_away(window, qtbot):
    window.resize(1000, 600)
    qtbot.wait(10)
    table = window.table
    bar = table.horizontalScrollBar()
    assert bar.maximum() > 0  # the columns do not fit: the table scrolls sideways
    bar.setValue(bar.maximum())
    qtbot.wait(10)
    frozen = table.frozen
    assert frozen.isVisible()
    assert frozen.x() <= table.frameWidth()
    assert frozen.width() == table.columnWidth(int(Column.PATIENT))
    index = frozen.indexAt(QPoint(5, table.rowHeight(0) // 2))
    assert index.column() == int(Column.PATIENT)
    assert index.data() == window.model.item_at(index.row()).patient_display
    # The selection is one: a row chosen in the table is the row the pinned column shows.
    table.selectRow(3)
    assert frozen.selectionModel() is table.selectionModel()
    assert frozen.currentIndex().row() == 3
