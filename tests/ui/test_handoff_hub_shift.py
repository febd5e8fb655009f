"""End of a shift through the hub, on the real dialogs: whole items over, reasons and actions back.

Ana ends her shift handing two items to Ben through a real hub on loopback (SQLite, and
PostgreSQL when ``VMADESK_TEST_PG_URL`` is set); both consoles are real encrypted profiles.
The background sync's "round now" is a real sync round run on the test's thread.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from tests.support.consoles import TEAM_CODE, new_console
from tests.support.hub import db_url, hub
from tests.ui.conftest import LOCAL_TZ, MovableClock
from vmadesk.domain.vocabulary import (
    DeclineReason,
    EscalationCategory,
    Outcome,
    Priority,
    Urgency,
)
from vmadesk.services.console import Console
from vmadesk.services.escalation import Sbar
from vmadesk.services.sync_service import sync_once
from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog
from vmadesk.ui.dialogs.handoff.inbox import HandoffsDialog
from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog
from vmadesk.ui.ui_settings import UiSettings

__all__ = ["db_url", "hub"]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _context(profile, clock: MovableClock) -> Console:  # type: ignore[no-untyped-def]
    """The services as the application builds them for an enrolled profile (hub hooks on)."""
    return Console(profile, clock=clock, local_tz=LOCAL_TZ)


@pytest.fixture
def team(hub, tmp_path):  # type: ignore[no-untyped-def]
    made = []
    for handle in ("ana", "ben"):
        made.append(
            new_console(
                tmp_path / handle,
                handle,
                hub_url=hub.base_url,
                token=hub.tokens[handle],
                code=TEAM_CODE,
            )
        )
    yield made
    for console in made:
        console.close()


def test_handoff_through_the_hub_moves_the_whole_item(qtbot, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team
    clock = MovableClock(ana.clock.now)
    ctx_a, ctx_b = _context(ana.profile, clock), _context(ben.profile, clock)
    a, b = ana.import_appointments([1, 2])
    ctx_a.work.log_attempt(a, Outcome.NO_ANSWER, note="rang out twice")
    clock.advance(hours=2)
    ctx_a.work.log_attempt(a, Outcome.VOICEMAIL)
    ctx_a.escalations.raise_(
        a, EscalationCategory.SCHEDULING_CONFLICT, Urgency.URGENT, Sbar("Two bookings, one slot")
    )
    assert len(ctx_a.escalations.listing()) == 1

    # Ana: End shift & hand off — Ben comes from the hub, the packet travels with no file.
    end = EndShiftDialog(ctx_a, sync_now=lambda: sync_once(ana.profile))
    qtbot.addWidget(end)
    qtbot.waitUntil(lambda: end.receivers_loaded)
    assert end.receiver.currentText() == "ben — through the hub"
    assert not end.folder.isEnabled()
    rows = {item.id: row for row, item in enumerate(end.model.items)}
    end.select_row(rows[a])
    end.actions.setPlainText("Offer the 9:00 slot when they call back")
    end.select_row(rows[b])
    end.priority.setCurrentIndex(end.priority.findData(Priority.ROUTINE))
    end.actions.setPlainText("")  # no action listed: Ben decides it on its own
    result = end.write_packet()
    assert result is not None and result.path is None
    assert "queued for the hub" in end.done_text.text()
    end.finish()

    # Ben: the packet is in his Handoffs list; the review shows due, escalation and history.
    sync_once(ben.profile)
    window_b = QMainWindow()
    qtbot.addWidget(window_b)
    window_b.show()
    shell_b = ConsoleShell(ctx_b, window_b, ui_settings=UiSettings(), idle_ms=600_000)
    shell_b.sync_now = lambda: sync_once(ben.profile)
    inbox = shell_b.shift.handoffs()  # Ctrl+Shift+H
    assert isinstance(inbox, HandoffsDialog) and inbox.inbox_model.rowCount() == 1
    qtbot.keyClick(inbox.inbox_table, Qt.Key.Key_Return)  # Review… is the default button
    review = shell_b.dialog
    assert isinstance(review, ReviewPacketDialog) and review.via_hub
    cells = [[review.model.data(review.model.index(r, c)) for c in range(7)] for r in range(2)]
    escalated = [row for row in cells if row[4]]
    assert len(escalated) == 1 and escalated[0][4].startswith("⚑ Scheduling conflict")
    assert all(row[3] for row in cells)  # every due time shown
    assert not review.receipt_button.isVisible()  # no file to carry
    review.select_row(next(r for r, x in enumerate(review.model.rows) if x.payload["escalations"]))
    text = review.detail.toPlainText()
    assert "No answer. rang out twice" in text and "Voicemail" in text
    assert "no_answer" not in text

    with qtbot.waitActive(review):
        review.activateWindow()
    # Alt+W, Acknowledge all with actions (through the window: how shortcuts arrive)
    qtbot.keyClick(review.windowHandle(), Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: sum(r.state == "acknowledged" for r in review.model.rows) == 1)
    assert "1 to decide one by one" in review.message.text()
    assert review.current().state == "pending"
    assert not review.decline()  # a reason is required
    review.reason_code.setCurrentIndex(review.reason_code.findData(DeclineReason.OTHER))
    assert not review.decline()  # "Other" needs the words
    review.reason.setText("patient asked for the morning team")
    assert review.decline()  # the last decision sends the receipt through the hub
    (held,) = ctx_b.escalations.listing()
    assert held.situation == "Two bookings, one slot"

    # Ana: the receipt came back; the escalation left her list; her Handoffs list says why.
    assert sync_once(ana.profile).receipts_applied == 1
    assert ctx_a.escalations.listing() == []
    answers = HandoffsDialog(ctx_a)
    qtbot.addWidget(answers)
    said = {line.item_id: (line.state, line.words) for line in answers.sent_model.rows}
    assert said[a] == ("acknowledged", "Offer the 9:00 slot when they call back")
    assert said[b] == ("declined", "Other: patient asked for the morning team")
    shell_b.shutdown()
    assert ctx_a.worklist.detail(b).item.owner == ctx_a.vma  # back with Ana
    assert ctx_a.worklist.detail(a).item.owner == "ben"
