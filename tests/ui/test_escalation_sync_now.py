"""Raising an escalation in the running console asks the sync worker for a round at once."""

from __future__ import annotations

import pytest

from tests.support.consoles import offline_enrol
from vmadesk.domain.vocabulary import EscalationCategory, Urgency
from vmadesk.services.escalation import Sbar
from vmadesk.ui.application import RunningConsole
from vmadesk.ui.console.window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_escalation_wakes_the_sync_worker(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    offline_enrol(ctx.session.conn)  # enrolled at a hub that is down: rounds end offline
    window = MainWindow(ctx, staged=True)
    console = RunningConsole(ctx, window, [])
    qtbot.addWidget(window, before_close_func=lambda _w: console.stop())
    with qtbot.waitSignal(window.ready, timeout=5000):
        window.show()
    assert console.sync is not None
    worker = console.sync.worker
    qtbot.waitUntil(lambda: worker.rounds >= 1, timeout=15_000)  # the first round at start
    assert worker.interval >= 60  # the next scheduled round is a minute away
    item_id = window.model.item_at(0).id
    ctx.escalations.raise_(item_id, EscalationCategory.PAYER_BILLING, Urgency.URGENT, Sbar("x"))
    qtbot.waitUntil(lambda: worker.rounds >= 2, timeout=15_000)  # woken, not scheduled
