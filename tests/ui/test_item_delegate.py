"""The item table's delegate fills each cell's style option exactly as Qt's own would."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from vmadesk.ui.models.item_delegate import ItemDelegate
from vmadesk.ui.models.item_table import ItemTableModel
from vmadesk.ui.widgets.item_table_view import ItemTableView


def _option(selected: bool) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.decorationSize = QSize(16, 16)
    option.state = QStyle.StateFlag.State_Enabled
    if selected:
        option.state |= QStyle.StateFlag.State_Selected
    return option


def _seen(option: QStyleOptionViewItem) -> tuple:
    return (
        option.text,
        option.features,
        option.palette.brush(QPalette.ColorRole.Text).color().name(),
        option.displayAlignment,
        option.icon.cacheKey() if not option.icon.isNull() else None,
        option.decorationSize,
        option.index,
    )


def test_delegate_options_match_qt_reading_every_role(ctx, qtbot):
    view = ItemTableView()
    qtbot.addWidget(view)
    model = ItemTableModel(ctx.worklist, ctx.clock)
    view.setModel(model)
    model.set_query(ctx.worklist.query(None))
    ours, qts = ItemDelegate(), QStyledItemDelegate()
    ours.model = model
    assert view.itemDelegate().model is model
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            for selected in (False, True):
                mine, theirs = _option(selected), _option(selected)
                ours.initStyleOption(mine, index)
                QStyledItemDelegate.initStyleOption(qts, theirs, index)
                assert _seen(mine) == _seen(theirs), (r, c)


def test_delegate_falls_back_to_qt_for_rows_it_has_not_loaded(ctx):
    model = ItemTableModel(ctx.worklist, ctx.clock)
    model.set_query(ctx.worklist.query(None))
    delegate = ItemDelegate()
    delegate.model = model
    other = ItemTableModel(ctx.worklist, ctx.clock)
    option = _option(False)
    delegate.initStyleOption(option, other.index(0, 0))
    assert option.text == ""
    assert model.look(model.rowCount()) is None
