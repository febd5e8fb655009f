"""The status-bar indicator's text, and the controller relaying worker reports across threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from vmadesk.sync.worker import SyncStatus
from vmadesk.ui.widgets.sync_indicator import SyncController, status_text


def test_status_texts() -> None:
    at = datetime(2026, 3, 3, 12, 4, tzinfo=UTC)
    local = at.astimezone().strftime("%H:%M")
    assert status_text(SyncStatus("synced", last_success_at=at)) == f"synced · {local}"
    assert status_text(SyncStatus("pending", pending=12)) == "12 pending"
    assert (
        status_text(SyncStatus("offline", pending=3, offline_since=at))
        == f"offline since {local} · 3 pending"
    )
    assert "2 held by others" in status_text(SyncStatus("synced", conflicts=2))
    assert status_text(SyncStatus("not_enrolled")) == "not enrolled"
    assert status_text(SyncStatus("no_team_secret")) == "waiting for the team secret"


def test_controller_relays_worker_reports(qtbot, new_profile) -> None:  # type: ignore[no-untyped-def]
    rounds = []
    controller = SyncController(new_profile.connect, rounds.append, interval=0.05)
    qtbot.addWidget(controller.indicator)
    with qtbot.waitSignal(controller.status_changed, timeout=5000):
        controller.start()
    qtbot.waitUntil(lambda: controller.indicator.text() == "not enrolled")
    assert controller.last_status is not None and controller.last_status.state == "not_enrolled"
    controller.stop()
    assert not controller.worker.is_alive()
    assert controller.worker.ident != threading.get_ident()
    assert rounds == []  # not enrolled: no round runs, nothing is sent
