"""Searching and switching lanes in the console: what the item table keeps and what it drops."""

from __future__ import annotations

import pytest

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.models.item_table import Column, ItemIdRole

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


def _listed_ids(window) -> set[int]:
    while window.model.canFetchMore():
        window.model.fetchMore()
    return {window.model.item_at(r).id for r in range(window.model.rowCount())}


def _search(window, qtbot, text: str) -> set[int]:
    window.search.clear()
    qtbot.keyClicks(window.search, text)
    window.apply_search()
    return _listed_ids(window)


def test_a_phone_number_is_found_however_it_is_typed(window, ctx, qtbot):
    item = next(
        window.model.item_at(r)
        for r in range(window.model.rowCount())
        if (window.model.item_at(r).phone or "").startswith("+1")
    )
    national = item.phone[2:]
    area, exchange, line = national[:3], national[3:6], national[6:]
    for typed in (
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        item.phone,
        f"+1 {area} {exchange} {line}",
        f"{exchange}-{line}",
    ):
        assert item.id in _search(window, qtbot, typed), typed


def test_a_number_kept_as_written_is_found_by_its_international_form(window, ctx, qtbot):
    from vmadesk.services.intake import quick_add_callback

    practice = ctx.worklist.practices()[0]
    item_id = quick_add_callback(
        ctx.session.conn,
        practice_id=practice.id,
        family="Quill",
        given="Ada",
        phone="415.555.0177",
        reason="refill",
        window_start=None,
        window_end=None,
        vma=ctx.vma,
        clock=ctx.clock,
        on_change=ctx.work.on_change,
    )
    for typed in ("+14155550177", "(415) 555-0177", "1-415-555-0177"):
        assert item_id in _search(window, qtbot, typed), typed


def test_a_name_is_found_as_it_is_shown(window, qtbot):
    item = window.model.item_at(0)
    shown = item.patient_display
    assert ", " in shown
    assert item.id in _search(window, qtbot, shown)
    assert item.id in _search(window, qtbot, shown.replace(", ", ","))
    family, given = shown.split(", ", 1)
    assert item.id in _search(window, qtbot, f"{given} {family}")


def test_a_date_of_birth_is_found_however_it_is_typed(window, ctx, qtbot):
    from vmadesk.domain.typed_dates import typed_date
    from vmadesk.store import items

    def dob(item_id: int) -> str | None:
        return items.get_item(ctx.session.conn, item_id).patient_dob

    item_id = next(
        window.model.item_at(r).id
        for r in range(window.model.rowCount())
        if dob(window.model.item_at(r).id)
    )
    born = typed_date(dob(item_id) or "")
    assert born is not None
    for typed in (
        born.isoformat(),
        born.strftime("%m/%d/%Y"),
        f"{born.day} {born.strftime('%b %Y')}",
        born.strftime("%B %d, %Y"),
    ):
        found = _search(window, qtbot, typed)
        assert item_id in found, typed
        assert {dob(i) for i in found} == {born.isoformat()}, typed
