"""An immediate escalation reaches the supervisor's desk in seconds, over loopback.

The VMA clicks "Escalate" in the real dialog; the console's sync worker (a real thread, its
scheduled round an hour away) is asked for a round at once; the hub answers the desk's open
long poll as soon as the escalation is stored; the desk shows the row and the notification.
Everything waits on conditions, never on sleeps; the measured latency is asserted (<= 5 s) and
printed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.support.consoles import NOW, MovableClock, new_console
from tests.support.hub import ThreadedHub
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Urgency
from vmadesk.hub import auth
from vmadesk.hub.db import make_engine
from vmadesk.services.escalation import EscalationService
from vmadesk.services.supervisor import SupervisorService
from vmadesk.services.sync_service import sync_once
from vmadesk.sync.item_events import make_escalation_hook
from vmadesk.sync.worker import SyncWorker
from vmadesk.ui.dialogs.escalation import EscalationDialog
from vmadesk.ui.supervisor.app import SupervisorWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TARGET_SECONDS = 5.0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ThreadedHub, dict[str, str]]]:
    db_url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    server = ThreadedHub(db_url).start()
    engine = make_engine(db_url)
    with engine.begin() as conn:
        tokens = {
            n: auth.create_account(conn, n, r) for n, r in (("ana", "vma"), ("sue", "supervisor"))
        }
    engine.dispose()
    try:
        yield server, tokens
    finally:
        server.stop()


def test_immediate_escalation_reaches_the_desk_within_seconds(qtbot, served, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server, tokens = served
    console = new_console(
        tmp_path / "ana",
        "ana",
        hub_url=server.base_url,
        token=tokens["ana"],
        clock=MovableClock(NOW),
    )
    (item,) = console.import_appointments([1])
    worker = SyncWorker(console.profile.connect, sync_once, lambda _status: None, interval=3600)
    window = SupervisorWindow(
        SupervisorService(server.base_url, tokens["sue"]), poll_ms=3_600_000, watch_seconds=3
    )
    qtbot.addWidget(window)
    try:
        worker.start()
        qtbot.waitUntil(lambda: worker.rounds >= 1, timeout=30_000)  # the first round is done
        window.show()
        window.refresh_all()
        qtbot.waitUntil(lambda: window.idle, timeout=15_000)
        assert window.desk.model.rowCount() == 0
        window.watch()
        qtbot.waitUntil(lambda: server.app.state.hub.waiting >= 1, timeout=15_000)
        escalations = EscalationService(
            console.conn,
            vma=console.vma,
            clock=console.clock,
            on_change=make_escalation_hook(console.conn),
            after_raise=lambda _id: worker.sync_now(),  # as the console application wires it
        )
        dialog = EscalationDialog(escalations, item, "", lane=Lane.CONFIRMATION)
        qtbot.addWidget(dialog)
        dialog.category.setCurrentIndex(
            dialog.category.findData(EscalationCategory.PATIENT_COMPLAINT.value)
        )
        dialog.set_urgency(Urgency.IMMEDIATE)
        dialog.situation.setPlainText("Patient upset about a double booking.")
        clicked = time.monotonic()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.escalation_id is not None
        qtbot.waitUntil(
            lambda: window.desk.model.rowCount() == 1 and bool(window.notifications),
            timeout=30_000,
        )
        latency = time.monotonic() - clicked
        print(f"escalation click -> desk row and notification: {latency:.2f} s")
        (row,) = window.desk.model.rows()
        assert row.urgency is Urgency.IMMEDIATE and row.vma == "ana"
        assert "Patient upset" not in window.notifications[0]
        assert latency <= TARGET_SECONDS, f"{latency:.2f} s from click to desk"
    finally:
        window.close()
        worker.stop()
        console.close()
