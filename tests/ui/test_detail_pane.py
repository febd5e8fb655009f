"""The detail pane at the window's smallest size: who to call is always readable whole."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_the_phone_number_is_whole_at_the_smallest_window(window, ctx, qtbot) -> None:
    window.resize(window.minimumSize())
    qtbot.waitUntil(lambda: window.size() == window.minimumSize(), timeout=2000)
    window.select_item(ctx.worklist.next_most_urgent(window.current_query()))
    label = window.detail.phone
    qtbot.waitUntil(lambda: label.text().startswith("Phone: +"), timeout=2000)
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    for button in (window.detail.copy_button, window.detail.call_button):
        assert button.isVisible() and button.width() >= button.minimumSizeHint().width()
