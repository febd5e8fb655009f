"""Searching and switching lanes in the console: what the item table keeps and what it drops."""

from __future__ import annotations

import pytest

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.item_table_model import Column, ItemIdRole

#: The offscreen platform says this when a top-level window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_a_space_that_changes_no_query_keeps_rows_and_selection(window):
    window.search.setText("a")
    window.apply_search()
    assert window.model.rowCount() > 2
    window.table.selectRow(1)
    selected = window.table.currentIndex().data(ItemIdRole)
    resets = []
    window.model.modelReset.connect(lambda: resets.append(1))
    window.search.setText("a ")
    window.apply_search()
    assert not resets
    assert window.table.currentIndex().data(ItemIdRole) == selected
    window.search.setText("a b")
    window.apply_search()
    assert resets


def test_lane_switch_lists_the_lane_in_urgency_order_with_badges(window, ctx):
    window.lanes.choose(Lane.CALLBACK)
    query = ctx.worklist.query(Lane.CALLBACK)
    full = ctx.worklist.page(query, 0, 1000)
    model = window.model
    assert [model.item_at(r).id for r in range(model.rowCount())] == [r.id for r in full]
    badges = ctx.worklist.escalation_badges([r.id for r in full])
    shown = {
        model.item_at(r).id: model.index(r, int(Column.ESCALATION)).data()
        for r in range(model.rowCount())
    }
    assert {i for i, text in shown.items() if text} == set(badges)
    patient = {model.item_at(r).id: model.index(r, int(Column.PATIENT)).data() for r in range(3)}
    assert patient == {r.id: r.patient_display for r in full[:3]}
