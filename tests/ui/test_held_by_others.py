"""The "Held by others" dialog: the real window on a real profile, a real hub over loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.support.consoles import Console, new_console
from tests.support.hub import db_url, hub
from tests.ui.conftest import make_context
from vmadesk import wire
from vmadesk.services.sync_service import sync_once
from vmadesk.store import items
from vmadesk.ui.dialogs.held_by_others import HeldByOthersDialog

__all__ = ["db_url", "hub"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def pair(hub, tmp_path) -> Iterator[tuple[Console, Console]]:  # type: ignore[no-untyped-def]
    """ana holds appointment 1; ben imported it too (a conflict) and appointment 2 (his)."""
    ana = new_console(tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"])
    ben = new_console(tmp_path / "ben", "ben", hub_url=hub.base_url, token=hub.tokens["ben"])
    ana.import_appointments([1])
    sync_once(ana.profile)
    ben.import_appointments([1, 2])
    sync_once(ben.profile)
    yield ana, ben
    ana.close()
    ben.close()


def test_take_over_from_the_window(qtbot, hub, pair) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.ui.console.window import MainWindow

    ana, ben = pair
    ctx = make_context(ben.profile)
    win = MainWindow(ctx, url_opener=lambda _url: None)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    assert win.actions_by_name["held_by_others"].shortcuts()[0].toString() == "Ctrl+Shift+T"
    win.actions_by_name["held_by_others"].trigger()
    dialog = win.active_dialog
    assert isinstance(dialog, HeldByOthersDialog)
    assert dialog.model.rowCount() == 1
    row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert row[1:] and row[3] == "ana" and row[5] == "working on it"
    (item_id,) = [
        r[0] for r in ben.conn.execute("SELECT item_id FROM claims WHERE state = 'conflict'")
    ]
    assert dialog.selected_item() == item_id
    index = dialog.reason.findData(wire.TakeoverReason.PATIENT_CALLED_BACK)
    dialog.reason.setCurrentIndex(index)
    with qtbot.waitSignal(dialog.taken_over, timeout=20_000):
        qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == f"Item {item_id} taken over from ana (patient called back)."
    assert dialog.model.rowCount() == 0
    assert items.get_item(ben.conn, item_id).owner == ben.vma
    assert ctx.worklist.count(ctx.worklist.query(None)) == 2
    # the supervisor sees it; ana's console drops the item with a note naming the reason
    log = hub.client("sue").conflicts().conflicts
    assert (log[0].kind, log[0].claimant, log[0].reason) == (
        wire.ConflictKind.TAKEOVER,
        "ben",
        wire.TakeoverReason.PATIENT_CALLED_BACK,
    )
    assert sync_once(ana.profile).lost_claims == 1
    note = ana.conn.execute(
        "SELECT text FROM notes WHERE kind = 'claim' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert note.startswith("Taken over by ben (patient called back)")
    win.close_dialogs()


def test_done_work_is_refused_in_words(qtbot, hub, pair) -> None:  # type: ignore[no-untyped-def]
    ana, ben = pair
    (a,) = [r[0] for r in ana.conn.execute("SELECT id FROM items")]
    ana.work().complete(a)
    sync_once(ana.profile)
    sync_once(ben.profile)
    dialog = HeldByOthersDialog(make_context(ben.profile))
    qtbot.addWidget(dialog)
    assert dialog.model.index(0, 5).data() == "done"
    dialog.take_over_selected()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=20_000)
    assert dialog.message.text() == (
        "ana has done this item: done work cannot be taken over (they can reopen it)."
    )
    assert dialog.model.rowCount() == 1
