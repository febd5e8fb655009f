"""Spot checks end to end in the supervisor window: draw, timeline, score, evidence, report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.helpers import CANARY_FAMILY, CANARY_PHONE, callback, practice
from tests.ui.supervisor.conftest import wait_idle
from tests.ui.supervisor.simulate import env
from vmadesk import wire
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.evidence import EvidenceResponder
from vmadesk.store import items
from vmadesk.store import profile as profiles
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.item_events import item_pseudonym

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
SECRET = b"s" * 32


def draw(window, qtbot, vma: str = "ana") -> wire.Sample:  # type: ignore[no-untyped-def]
    spot = window.spot
    window.tabs.setCurrentWidget(spot)
    spot.vma_box.setCurrentText(vma)
    spot.items_view.setFocus()
    qtbot.keyClick(spot.items_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert spot.sample is not None
    return spot.sample


def test_draw_timeline_and_score_round_trip(hub, window, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    sample = draw(window, qtbot)
    spot = window.spot
    assert sample.vma == "ana" and len(sample.items) == 2  # per stratum 2 of 6 confirmations
    assert f"seed {sample.seed}" in spot.seed_label.text()
    assert "2 of 6" in spot.seed_label.text()
    wait_idle(qtbot, window)
    timeline = [(t.what, t.detail) for t in spot.timeline_model.rows()]
    assert timeline == [
        ("imported", ""),
        ("first attempt", "voicemail"),
        ("completed", "confirmed"),
    ]
    assert spot.timeline_model.rows()[2].relative == "19 h before due"
    spot.on_time.setChecked(True)
    spot.consistent.setChecked(True)
    spot.documented.setChecked(False)
    spot.comment.setCurrentIndex(spot.comment.findData("documentation_missing"))
    qtbot.keyClick(spot.items_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    (record,) = hub.client("sue").scores(sample.sample_id).scores
    assert record.score.pseudonym == sample.items[0].pseudonym
    assert (record.score.on_time, record.score.documentation_complete) == (True, False)
    assert record.score.comment is wire.CommentCode.DOCUMENTATION_MISSING
    assert spot.items_model.index(0, spot.items_model.column("scored")).data() == "yes"
    # the recorded seed redraws the same items
    again = hub.client("sue").draw_sample(
        wire.SampleRequest(vma="ana", week=sample.week, per_stratum=2, seed=sample.seed)
    )
    assert again.items == sample.items
    for model in (spot.items_model, spot.timeline_model):
        qtmodeltester.check(model)


@pytest.fixture
def vma_profile(tmp_path: Path):  # type: ignore[no-untyped-def]
    profile, _ = profiles.create(
        tmp_path / "ana", PASSPHRASE, vma_handle="ana", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


def test_evidence_request_approve_and_view(hub, window, qtbot, vma_profile) -> None:  # type: ignore[no-untyped-def]
    ctx = practice(vma_profile.conn)
    item = items.get_item(vma_profile.conn, callback(vma_profile.conn, ctx, 77))
    p = item_pseudonym(SECRET, item)
    hub.client("ana").send(
        [
            env(
                wire.ItemEvent(
                    pseudonym=p,
                    lane=Lane.CALLBACK,
                    event=wire.ItemEventKind.COMPLETED,
                    seconds_from_due=-600,
                    attempt_count=1,
                )
            )
        ]
    )
    sample = draw(window, qtbot)
    spot = window.spot
    row = [i.pseudonym for i in sample.items].index(p)
    spot.items_view.selectRow(row)
    wait_idle(qtbot, window)
    qtbot.keyClick(spot.items_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert "waiting for ana" in spot.status.text()
    qtbot.keyClick(spot.items_view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert spot.evidence_dialog is None and "not answered" in spot.status.text()
    # the VMA approves on their console
    responder = EvidenceResponder(
        vma_profile.conn, lambda: HubClient(hub.base_url, hub.tokens["ana"]), team_secret=SECRET
    )
    (request,) = responder.pending()
    responder.approve(request)
    assert CANARY_FAMILY not in hub.dump()
    qtbot.keyClick(spot.items_view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    dialog = spot.evidence_dialog
    assert dialog is not None
    text = dialog.text.toPlainText()
    assert CANARY_FAMILY in text and CANARY_PHONE in text
    assert CANARY_FAMILY not in dialog.windowTitle()
    shown = dialog.text
    dialog.reject()
    assert shown.toPlainText() == ""
    qtbot.waitUntil(lambda: spot.evidence_dialog is None, timeout=5000)


def test_supervisor_sees_a_declined_evidence_request(hub, window, qtbot, vma_profile) -> None:  # type: ignore[no-untyped-def]
    ctx = practice(vma_profile.conn)
    item = items.get_item(vma_profile.conn, callback(vma_profile.conn, ctx, 78))
    p = item_pseudonym(SECRET, item)
    hub.client("ana").send(
        [
            env(
                wire.ItemEvent(
                    pseudonym=p,
                    lane=Lane.CALLBACK,
                    event=wire.ItemEventKind.COMPLETED,
                    seconds_from_due=-600,
                    attempt_count=1,
                )
            )
        ]
    )
    sample = draw(window, qtbot)
    spot = window.spot
    spot.items_view.selectRow([i.pseudonym for i in sample.items].index(p))
    wait_idle(qtbot, window)
    qtbot.keyClick(spot.items_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    responder = EvidenceResponder(
        vma_profile.conn, lambda: HubClient(hub.base_url, hub.tokens["ana"]), team_secret=SECRET
    )
    (request,) = responder.pending()
    responder.decline(request, wire.EvidenceDeclineReason.PRACTICE_POLICY)
    qtbot.keyClick(spot.items_view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert spot.evidence_dialog is None
    assert spot.status.text() == (
        "Evidence declined by ana: The practice's policy does not allow it."
    )


def test_report_csv_and_pdf_without_phi(hub, window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = draw(window, qtbot)
    spot = window.spot
    qtbot.keyClick(spot.items_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    window.tabs.setCurrentWidget(window.report)
    window.report.refresh()
    wait_idle(qtbot, window)
    report = window.report
    assert [(r.vma, r.sampled, r.scored) for r in report.rows] == [("ana", 2, 1)]
    report.practice_edit.setText("Northside Clinic")
    out = tmp_path / "export"
    out.mkdir()
    csv_path = report.export("csv", out)
    pdf_path = report.export("pdf", out)
    week = "{}-W{:02d}".format(*datetime.now(UTC).isocalendar()[:2])
    assert csv_path.name == f"vmadesk-spotchecks-{week}.csv"
    assert pdf_path.name == f"vmadesk-spotchecks-{week}.pdf"
    text = csv_path.read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith(f"{week},ana,2,1,")
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000
    for blob in (text.encode(), data):
        for secret in (
            CANARY_FAMILY.encode(),
            sample.items[0].pseudonym.encode(),
            sample.items[0].pseudonym[:8].encode(),
        ):
            assert secret not in blob
    assert report.last_written == [csv_path, pdf_path]
