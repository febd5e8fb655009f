"""The main search finds closed items on request (Alt+L), says they are closed and offers reopen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.models.item_table import Column

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _listed(window) -> dict[int, int]:
    while window.model.canFetchMore():
        window.model.fetchMore()
    return {window.model.item_at(r).id: r for r in range(window.model.rowCount())}


def test_a_closed_item_is_found_only_on_request(window, ctx, qtbot):
    window.lanes.choose(Lane.CONFIRMATION)
    item = window.model.item_at(0)
    ctx.work.complete(item.id, note="Confirmed by the practice")
    window.reload_items()
    family = item.patient_family

    window.search.setText(family)
    window.apply_search()
    assert item.id not in _listed(window)

    window.search.setFocus()
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    # a mnemonic clicks the box the animated way: the toggle lands a moment later
    qtbot.waitUntil(window.include_closed.isChecked)
    rows = _listed(window)
    assert item.id in rows
    row = rows[item.id]
    state = window.model.index(row, int(Column.STATE)).data()
    assert state == "Closed · Completed"
    assert window.model.index(row, int(Column.DUE_IN)).data() == "—"

    # Shown, it offers reopen and nothing that would work it as if it were open.
    window.table.selectRow(row)
    assert window.detail.detail.item.id == item.id
    actions = window.actions_by_name
    assert actions["reopen"].isEnabled()
    assert not actions["attempt"].isEnabled()
    assert not actions["call"].isEnabled()

    # N never picks closed work, even while closed items are listed.
    # (the item closed above was the lane's most urgent one)
    listing = ctx.worklist.query(Lane.CONFIRMATION, include_closed=True)
    picked = ctx.worklist.next_most_urgent(listing)
    assert picked is not None and picked != item.id
    assert ctx.worklist.detail(picked).item.status not in ("completed", "failed", "cancelled")

    window.include_closed.setChecked(False)
    assert item.id not in _listed(window)
