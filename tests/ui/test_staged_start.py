"""The staged start: the first lane is painted first, the rest is built right after it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from vmadesk.ui.application import RunningConsole
from vmadesk.ui.console.window import MIN_HEIGHT, MIN_WIDTH, MainWindow
from vmadesk.ui.widgets.detail_pane import DetailPane
from vmadesk.ui.widgets.escalations_view import EscalationsView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _staged(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx, staged=True)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    return window


def test_the_lane_is_painted_before_the_rest_is_built(qtbot, ctx) -> None:
    window = _staged(qtbot, ctx)
    # Before the first paint: the lane's first page is loaded, the detail pane is a blank
    # stand-in and the escalations page does not exist yet.
    assert window.model.rowCount() > 0
    assert not isinstance(window.splitter.widget(2), DetailPane)
    assert not any(
        isinstance(window.stack.widget(i), EscalationsView) for i in range(window.stack.count())
    )
    order: list[str] = []
    window.table.first_painted.connect(lambda: order.append("painted"))
    window.ready.connect(lambda: order.append("ready"))
    with qtbot.waitSignal(window.ready, timeout=5000):
        window.show()
    assert order == ["painted", "ready"]
    assert isinstance(window.splitter.widget(2), DetailPane)
    assert window.stack.indexOf(window.escalations_view) >= 0
    assert window.minimumWidth() >= MIN_WIDTH and window.minimumHeight() >= MIN_HEIGHT
    assert "open" in window.lanes.item(0).text()  # counts came after the paint
    assert window.size().width() == 1400  # the window did not jump once on screen


def test_an_early_key_builds_what_it_needs(qtbot, ctx) -> None:
    window = _staged(qtbot, ctx)
    # A VMA quick enough to act before "ready" (or a test) gets the pane on demand.
    pane = window.detail
    assert isinstance(pane, DetailPane) and window.splitter.widget(2) is pane
    assert window.detail is pane  # built once
    window.select_item(window.model.item_at(0).id)
    assert pane.detail is not None


def test_the_running_console_joins_once_ready(qtbot, ctx) -> None:
    window = _staged(qtbot, ctx)
    console = RunningConsole(ctx, window, ["Your keychain slot could not be used."])
    qtbot.addWidget(window, before_close_func=lambda _w: console.stop())
    assert console.shell is None
    with qtbot.waitSignal(window.ready, timeout=5000):
        window.show()
    assert console.shell is not None
    names = {a.objectName() for a in window.actions()}
    assert {"shell_lock", "shell_start_shift", "action_next"} <= names
    assert "No shift running" in window.last_message
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert any("keychain" in box.text() for box in boxes if box.isVisible())
    for box in boxes:
        box.close()
    assert console.sync is None  # not enrolled: no hub client was loaded
