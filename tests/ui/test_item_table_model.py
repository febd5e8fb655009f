"""The item table model: paging, model tester, the due-in tick without a reset."""

from __future__ import annotations

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.models import item_table as m
from vmadesk.ui.models.item_table import Column, ItemTableModel
from vmadesk.ui.widgets.escalations_view import EscalationTableModel


def test_model_tester_passes_on_item_model(qtmodeltester, ctx):
    model = ItemTableModel(ctx.worklist, ctx.clock)
    model.set_query(ctx.worklist.query(None))
    qtmodeltester.check(model)
    model.set_query(ctx.worklist.query(Lane.CALLBACK, search="zzz-nothing"))
    qtmodeltester.check(model)


def test_model_tester_passes_on_escalations_model(qtmodeltester, ctx):
    model = EscalationTableModel(ctx.local_tz)
    model.set_rows(ctx.escalations.listing(open_only=False), ctx.clock())
    assert model.rowCount() > 0
    qtmodeltester.check(model)


def test_rows_come_in_store_urgency_order_and_match_counts(ctx):
    model = ItemTableModel(ctx.worklist, ctx.clock)
    query = ctx.worklist.query(Lane.CONFIRMATION)
    model.set_query(query)
    assert model.rowCount() == ctx.worklist.count(query)
    ids = [model.data(model.index(r, 0), m.ItemIdRole) for r in range(model.rowCount())]
    assert ids == [r.id for r in ctx.worklist.page(query, 0, 1000)]
    assert model.headerData(int(Column.PATIENT), m.HORIZONTAL) == "Patient"


def test_pages_are_fetched_on_demand(ctx, monkeypatch):
    monkeypatch.setattr(m, "PAGE_SIZE", 7)
    model = ItemTableModel(ctx.worklist, ctx.clock)
    query = ctx.worklist.query(None)
    model.set_query(query)
    assert model.rowCount() == 7
    assert model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == ctx.worklist.count(query)


def test_due_states_have_text_and_icon_not_colour_alone(ctx):
    model = ItemTableModel(ctx.worklist, ctx.clock)
    model.set_query(ctx.worklist.query(None))
    labels = {model.data(model.index(r, int(Column.STATE))) for r in range(model.rowCount())}
    assert "Overdue" in labels and "On hold" in labels
    index = model.index(0, int(Column.STATE))
    assert not model.data(index, m.DECORATION).isNull()
    assert model.data(index, m.FOREGROUND) is not None


def test_tick_updates_due_in_without_reset(ctx, clock, qtbot):
    model = ItemTableModel(ctx.worklist, ctx.clock)
    model.set_query(ctx.worklist.query(Lane.CALLBACK))
    col = int(Column.DUE_IN)
    before = [model.data(model.index(r, col)) for r in range(model.rowCount())]
    resets, changes = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda tl, br, roles=(): changes.append((tl.column(), br.column())))
    clock.advance(minutes=45)
    model.tick()
    after = [model.data(model.index(r, col)) for r in range(model.rowCount())]
    assert not resets
    assert (col, col) in changes
    assert before != after


def test_clear_for_lock_forgets_rows(ctx):
    model = ItemTableModel(ctx.worklist, ctx.clock)
    model.set_query(ctx.worklist.query(None))
    model.clear_for_lock()
    assert model.rowCount() == 0 and not model.canFetchMore() and model.query is None
