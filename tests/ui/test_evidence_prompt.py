"""Evidence requests reach the VMA: review what would be sent, send it or decline with a reason.

A real hub on loopback (SQLite), a real encrypted VMA profile and a supervisor's profile; the
supervisor sees the state change (answered, or declined with the reason code).
"""

from __future__ import annotations

import pytest

from tests.services.helpers import CANARY_FAMILY
from tests.services.test_evidence import (
    audit_details,
    hub,
    setup_request,
    supervisor_profile,
)
from vmadesk import wire
from vmadesk.sync.hub_client import HubClient
from vmadesk.ui.dialogs.evidence_prompt import EvidencePromptDialog

__all__ = ["hub", "supervisor_profile"]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_vma_reviews_then_sends_one_and_declines_the_other(  # type: ignore[no-untyped-def]
    qtbot, hub, new_profile, supervisor_profile
) -> None:
    responder, viewer, requests, _ = setup_request(hub, new_profile, supervisor_profile, n=2)
    dialog = EvidencePromptDialog(
        responder, lambda: HubClient(hub.base_url, hub.tokens["ana"]), local_tz="Asia/Manila"
    )
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.model.rowCount() == 2
    assert dialog.model.data(dialog.model.index(0, 0)) == "sue"
    assert CANARY_FAMILY in dialog.preview.toPlainText()  # exactly what would be sent
    sue = hub.client("sue")
    first, second = (r[0].request_id for r in dialog.model.rows)

    assert dialog.approve()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert sue.evidence(first).state is wire.EvidenceState.ANSWERED
    assert viewer.open(sue.evidence(first))["patient"]["family"] == CANARY_FAMILY
    assert dialog.model.rowCount() == 1

    assert not dialog.decline()  # a reason is required
    assert "Reason" in dialog.message.text()
    dialog.reason.setCurrentIndex(
        dialog.reason.findData(wire.EvidenceDeclineReason.PATIENT_OBJECTED)
    )
    assert dialog.decline()
    qtbot.waitUntil(lambda: not dialog.busy)
    record = sue.evidence(second)
    assert record.state is wire.EvidenceState.DECLINED and record.sealed is None
    assert record.decline_reason is wire.EvidenceDeclineReason.PATIENT_OBJECTED
    assert dialog.model.rowCount() == 0
    assert [(d["action"], d.get("reason")) for d in audit_details(new_profile, "export")] == [
        ("approved", None),
        ("declined", "patient_objected"),
    ]
    assert {r.request_id for r in requests} == {first, second}
    dialog.reject()
    assert dialog.preview.toPlainText() == ""


def test_shell_tells_the_vma_when_a_request_waits(  # type: ignore[no-untyped-def]
    qtbot, hub, new_profile, supervisor_profile
) -> None:
    from PySide6.QtWidgets import QMainWindow

    from tests.services.test_evidence import SECRET
    from vmadesk.services.enrolment import enroll
    from vmadesk.sync import enrolment
    from vmadesk.ui.application import build_context
    from vmadesk.ui.console.shell import ConsoleShell
    from vmadesk.ui.ui_settings import UiSettings

    enroll(
        new_profile.conn,
        hub.base_url,
        hub.tokens["ana"],
        team_secret_code=enrolment.team_secret_code(SECRET),
    )
    window = QMainWindow()
    qtbot.addWidget(window)
    shell = ConsoleShell(
        build_context(new_profile), window, ui_settings=UiSettings(), idle_ms=600_000
    )
    with qtbot.waitSignal(shell.evidence_waiting) as none_yet:
        shell.shift.check_evidence()
    assert none_yet.args == [0]
    setup_request(hub, new_profile, supervisor_profile, n=1)
    with qtbot.waitSignal(shell.evidence_waiting) as waiting:
        shell.shift.check_evidence()
    assert waiting.args == [1]
    dialog = shell.shift.evidence_requests()
    assert isinstance(dialog, EvidencePromptDialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.model.rowCount() == 1
    dialog.reject()
    shell.shutdown()
