"""Escalation details: the SBAR text sealed on the VMA's console to each supervisor, read at
the desk with the supervisor profile's key; the hub holds ciphertext only."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.support.consoles import NOW, MovableClock, new_console
from tests.ui.supervisor.conftest import wait_idle
from vmadesk import wire
from vmadesk.domain.vocabulary import EscalationCategory, Urgency
from vmadesk.services.escalation import EscalationService, Sbar
from vmadesk.services.evidence import EvidenceViewer
from vmadesk.services.supervisor import SupervisorService
from vmadesk.services.sync_service import sync_once, takeover
from vmadesk.store import audit
from vmadesk.sync.item_events import make_escalation_hook
from vmadesk.ui.supervisor.app import SupervisorWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SBAR = Sbar(
    "Zelda Quux reports chest pain since this morning.",
    "Seen last week for hypertension.",
    "Sounds urgent.",
    "Please call her back at 555-0100.",
)


def test_sbar_sealed_to_the_supervisor_opens_at_the_desk(  # type: ignore[no-untyped-def]
    qtbot, hub, supervisor_profile, tmp_path: Path
) -> None:
    viewer = EvidenceViewer(supervisor_profile.conn)
    hub.client("sue").register_public_key(viewer.public_key_b64())
    console = new_console(
        tmp_path / "ana",
        "ana",
        hub_url=hub.base_url,
        token=hub.tokens["ana"],
        clock=MovableClock(NOW),
    )
    try:
        (item,) = console.import_appointments([1])
        escalations = EscalationService(
            console.conn,
            vma=console.vma,
            clock=console.clock,
            on_change=make_escalation_hook(console.conn),
        )
        escalations.raise_(
            item,
            EscalationCategory.CLINICAL_CONCERN,
            Urgency.IMMEDIATE,
            SBAR,
            red_flags_confirmed=True,
        )
        sync_once(console.profile)
    finally:
        console.close()
    (record,) = hub.client("sue").escalations().escalations
    assert record.details_for == ["sue"] and record.sealed_details is not None
    assert hub.client("ana").escalations().escalations[0].sealed_details is None  # not hers
    dump = hub.dump()
    assert "Zelda" not in dump and "555-0100" not in dump and "chest" not in dump

    window = SupervisorWindow(
        SupervisorService(hub.base_url, hub.tokens["sue"]), viewer=viewer, poll_ms=3_600_000
    )
    qtbot.addWidget(window)
    window.show()
    window.refresh_all()
    wait_idle(qtbot, window)
    window.tabs.setCurrentWidget(window.desk)
    window.desk.focus_list()
    model = window.desk.model
    assert model.index(0, model.column("details")).data() == "sealed to you"
    before = audit.head(supervisor_profile.conn).seq
    qtbot.keyClick(window.desk.view, Qt.Key.Key_D)
    dialog = window.desk.details_dialog
    assert dialog is not None and dialog.windowTitle() == "Escalation details"
    text = dialog.text.toPlainText()
    assert "Situation: Zelda Quux reports chest pain" in text and "555-0100" in text
    assert audit.head(supervisor_profile.conn).seq == before + 1  # the view is audited
    dialog.reject()
    assert dialog.text.toPlainText() == ""  # cleared on close
    window.close()


def test_the_sbar_follows_a_taken_over_item_to_its_new_holder(  # type: ignore[no-untyped-def]
    qtbot, hub, supervisor_profile, tmp_path: Path
) -> None:
    """ana escalates and drops off; ben takes the item over; the desk seals the text to ben."""
    viewer = EvidenceViewer(supervisor_profile.conn)
    hub.client("sue").register_public_key(viewer.public_key_b64())
    clock = MovableClock(NOW)
    ana = new_console(
        tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"], clock=clock
    )
    ben = new_console(
        tmp_path / "ben", "ben", hub_url=hub.base_url, token=hub.tokens["ben"], clock=clock
    )
    try:
        (item,) = ana.import_appointments([1])
        sync_once(ana.profile)
        ana.escalations().raise_(
            item, EscalationCategory.CLINICAL_CONCERN, Urgency.URGENT, SBAR,
            red_flags_confirmed=True,
        )  # fmt: skip
        sync_once(ana.profile)
        (mine,) = ben.import_appointments([1])
        sync_once(ben.profile)
        takeover(ben.conn, ben.client(), mine, wire.TakeoverReason.HOLDER_UNREACHABLE)
        sync_once(ben.profile)
        assert ben.escalations().listing(open_only=True) == []  # moved to him, unreadable
        window = SupervisorWindow(
            SupervisorService(hub.base_url, hub.tokens["sue"]), viewer=viewer, poll_ms=3_600_000
        )
        qtbot.addWidget(window)
        window.show()
        window.refresh_all()  # the desk polls: it seals the text to ben
        wait_idle(qtbot, window)
        (record,) = hub.client("sue").escalations().escalations
        assert record.vma == "ben" and record.details_for == ["ben", "sue"]
        dump = hub.dump()
        assert "Zelda" not in dump and "555-0100" not in dump and "chest" not in dump
        sync_once(ben.profile)
        (escalation,) = ben.escalations().listing(open_only=True)
        assert escalation.item_id == mine and escalation.situation == SBAR.situation
        assert escalation.request == SBAR.request
        sync_once(ben.profile)  # once
        assert len(ben.escalations().listing(open_only=False)) == 1
        # ana comes back: her console passes the item's history; the escalation is not doubled
        sync_once(ana.profile)
        sync_once(ben.profile)
        assert len(ben.escalations().listing(open_only=False)) == 1
        window.close()
    finally:
        ana.close()
        ben.close()
