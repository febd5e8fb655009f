"""End shift & hand off to a second real profile; review, acknowledge 2, decline 1; receipt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from tests.ui.shell_helpers import (  # noqa: F401  (fixtures)
    open_items,
    patient_names,
    second_profile,
)
from vmadesk.domain.vocabulary import DeclineReason, Lane, Priority
from vmadesk.services.handoff import HandoffService
from vmadesk.ui.application import build_context
from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.console.window import MainWindow
from vmadesk.ui.dialogs.handoff.end_shift import ONE_TIME_CODE, EndShiftDialog
from vmadesk.ui.dialogs.handoff.notes_model import HandoffItemsModel
from vmadesk.ui.dialogs.handoff.packet_model import PacketItemsModel
from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog, open_packet
from vmadesk.ui.ui_settings import UiSettings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _leaks(path, names) -> list[str]:
    """Names found in a sealed file's clear fields or in its decoded ciphertext.

    Searching the base64 text itself would find short names by chance (it is random letters);
    the decoded bytes are where plaintext would show.
    """
    import base64
    import json

    envelope = json.loads(path.read_text("ascii"))
    clear = json.dumps({k: v for k, v in envelope.items() if k not in ("ciphertext", "salt")})
    sealed = base64.b64decode(envelope["ciphertext"])
    return [n for n in names if n in clear or n.encode() in sealed]


def _audit_events(conn, event: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT details FROM audit WHERE event = ?", (event,))]


def _compose(qtbot, ctx, out_dir, *, keep: int = 3) -> tuple[EndShiftDialog, list[int]]:
    dialog = EndShiftDialog(ctx, out_dir=out_dir)
    qtbot.addWidget(dialog)
    model = dialog.model
    assert model.rowCount() >= keep
    for row in range(keep, model.rowCount()):
        model.set_include(row, False)
    ids = [model.items[row].id for row in range(keep)]
    # Row 0: high priority without a contingency -> refused, naming the field.
    dialog.select_row(0)
    dialog.priority.setCurrentIndex(dialog.priority.findData(Priority.HIGH))
    dialog.summary.setText("Waiting on payer callback")
    dialog.actions.setPlainText("14:30 call the payer again\nconfirm copay with patient")
    assert dialog.write_packet() is None
    assert dialog.message.text().startswith("Row 1: contingency")
    assert model.data(model.index(0, 5)).startswith("contingency")
    dialog.contingency.setText("if the payer line is down then escalate as payer problem")
    dialog.select_row(1)
    dialog.actions.setPlainText("call back after 2 pm")
    dialog.shift_note.setPlainText("Quiet afternoon; payer portal slow.")
    return dialog, ids


def test_handoff_round_trip_between_two_profiles(
    qtbot,
    ctx,
    demo_profile,
    second_profile,  # noqa: F811
    tmp_path,
) -> None:
    names = patient_names(ctx)
    ctx_b = build_context(second_profile)
    ctx.handoffs.add_colleague("ben.k", ctx_b.handoffs.my_public_key())
    ctx_b.handoffs.add_colleague("ana.r", ctx.handoffs.my_public_key())
    out = tmp_path / "handoffs"

    dialog, ids = _compose(qtbot, ctx, out)
    assert dialog.receiver.currentData() == ("file", "ben.k")
    result = dialog.write_packet()
    assert result is not None, dialog.message.text()
    assert result.code is None
    assert not _leaks(result.path, names)
    assert not any(name in result.path.name for name in names)
    assert dialog.model.rowCount() == 0  # PHI dropped from the finished form
    in_handoff = {i.id for i in open_items(ctx) if i.handoff_id is not None}
    assert set(ids) <= in_handoff

    # Report: nothing written before Save; saving is audited; the name carries no PHI.
    assert not list(out.glob("*.pdf"))
    preview = dialog.preview_report()
    assert preview is not None and "Waiting on payer callback" in preview.preview.toPlainText()
    assert not list(out.glob("*.pdf"))
    exports_before = len(_audit_events(demo_profile.conn, "export"))
    saved = preview.save()
    assert saved is not None and saved.exists() and saved.read_bytes().startswith(b"%PDF")
    assert not any(name in saved.name for name in names)
    assert len(_audit_events(demo_profile.conn, "export")) == exports_before + 1

    # Receiver: open, acknowledge two, decline one, write the receipt.
    handoff_id = open_packet(ctx_b.handoffs, result.path, lambda: None)
    review = ReviewPacketDialog(ctx_b.handoffs, handoff_id, out_dir=out)
    qtbot.addWidget(review)
    assert review.model.rowCount() == 3
    assert review.next_action.text() == "call the payer again"  # first action, to edit
    assert "History" in review.detail.toPlainText()
    review.next_action.setText("")
    assert not review.acknowledge()
    assert "Restate" in review.message.text()
    review.next_action.setText("I call the payer at 14:30")
    assert review.acknowledge()
    assert review.write_receipt() is None  # two still pending
    review.select_row(1)
    assert review.acknowledge()  # pre-filled with the sender's first action
    review.select_row(2)
    assert not review.decline()  # a reason is required
    review.reason_code.setCurrentIndex(review.reason_code.findData(DeclineReason.NOT_MY_LANE))
    assert review.decline()
    receipt = review.write_receipt()
    assert receipt is not None and receipt.exists()
    assert not _leaks(receipt, names)
    assert sorted(r.state for r in review.model.rows) == [
        "acknowledged",
        "acknowledged",
        "declined",
    ]
    received = {i.source_id for i in open_items(ctx_b)}
    assert len(received) == 2

    # Sender applies the receipt through the shell.
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    counts = shell.shift.apply_receipt(receipt)
    assert counts == {"acknowledged": 2, "declined": 1}
    mine = {i.id: i for i in open_items(ctx)}
    kept = [i for i in ids if i in mine]
    assert len(kept) == 1 and mine[kept[0]].handoff_id is None
    gone = [i for i in ids if i not in mine]
    assert len(gone) == 2
    assert {ctx.worklist.detail(i).item.owner for i in gone} == {"ben.k"}
    shell.shutdown()  # as run() does: the app-wide lock filter must not outlive the window


def test_one_time_code_packet(qtbot, ctx, second_profile, tmp_path) -> None:  # noqa: F811
    ctx_b = build_context(second_profile)
    dialog, _ids = _compose(qtbot, ctx, tmp_path / "out", keep=1)
    dialog.receiver.setCurrentIndex(dialog.receiver.findText(ONE_TIME_CODE))
    assert dialog.write_packet() is None
    assert dialog.message.text().startswith("Receiver:")
    dialog.code_receiver.setText("ben.k")
    result = dialog.write_packet()
    assert result is not None and result.code
    assert result.code in dialog.done_text.text()

    with pytest.raises(ValueError, match="cancelled"):
        open_packet(ctx_b.handoffs, result.path, lambda: None)
    with pytest.raises(ValueError):
        open_packet(ctx_b.handoffs, result.path, lambda: "wrong-code-0000")
    handoff_id = open_packet(ctx_b.handoffs, result.path, lambda: result.code)
    _, rows = ctx_b.handoffs.packet(handoff_id)
    assert len(rows) == 1


def test_end_shift_ends_the_running_shift(qtbot, ctx, tmp_path) -> None:
    ctx.shifts.start([Lane.CALLBACK])
    ctx.handoffs.add_colleague("ben.k", HandoffService(ctx.session.conn, vma="x").my_public_key())
    dialog, _ = _compose(qtbot, ctx, tmp_path / "out", keep=1)
    assert dialog.write_packet() is not None
    dialog.finish()
    assert ctx.shifts.current() is None


def test_models_pass_the_model_tester(qtmodeltester, qtbot, ctx, second_profile, tmp_path) -> None:  # noqa: F811
    items = open_items(ctx)[:5]
    model = HandoffItemsModel(items)
    qtmodeltester.check(model)
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.data(model.index(0, 5)) == "stays with you"
    assert model.rowCount(model.index(0, 0)) == 0

    ctx_b = build_context(second_profile)
    ctx.handoffs.add_colleague("ben.k", ctx_b.handoffs.my_public_key())
    dialog, _ = _compose(qtbot, ctx, tmp_path / "out", keep=2)
    result = dialog.write_packet()
    handoff_id = open_packet(ctx_b.handoffs, result.path, lambda: None)
    _, rows = ctx_b.handoffs.packet(handoff_id)
    packet_model = PacketItemsModel(rows)
    qtmodeltester.check(packet_model)
    assert packet_model.columnCount(QModelIndex()) == 7


def test_received_item_brings_its_practice_history_and_escalation(
    qtbot,
    ctx,
    second_profile,  # noqa: F811
    tmp_path,
) -> None:
    """Ben's console serves none of Ana's practices: after acknowledging, everything is usable
    at once (practice in the filter, its zone on the detail pane, the call history, the
    escalation in his list), without a restart."""
    from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
    from vmadesk.domain.vocabulary import EscalationCategory, Outcome, Urgency
    from vmadesk.services.escalation import Sbar

    ctx_b = build_context(second_profile)
    ctx.handoffs.add_colleague("ben.k", ctx_b.handoffs.my_public_key())
    item = next(i for i in open_items(ctx) if i.lane == Lane.CALLBACK.value)
    ctx.work.log_attempt(item.id, Outcome.NO_ANSWER, note="no pickup at 9")
    ctx.escalations.raise_(
        item.id, EscalationCategory.PATIENT_COMPLAINT, Urgency.URGENT, Sbar("Upset about billing")
    )
    practice = ctx.work.practice(item.practice_id)
    note = HandoffNote(Priority.ROUTINE, "One try so far", (ActionStep("Call after 14:00"),))
    result = ctx.handoffs.create_packet("ben.k", {item.id: note}, "", out_dir=tmp_path)

    window = MainWindow(ctx_b)
    qtbot.addWidget(window)
    shell = ConsoleShell(ctx_b, window, ui_settings=UiSettings(), idle_ms=600_000)
    assert window.practice_filter.findText(practice.name) == -1
    review = shell.shift.open_packet(result.path)
    assert review is not None
    assert review.acknowledge()
    # The practice is in the filter at once, and the item works under its zone and SOP.
    assert window.practice_filter.findText(practice.name) >= 0
    (mine,) = open_items(ctx_b)
    detail = ctx_b.worklist.detail(mine.id)
    assert (detail.practice.name, detail.practice.tz) == (practice.name, practice.tz)
    assert detail.sop == practice.sop[Lane.CALLBACK]
    assert [a.outcome for a in detail.attempts] == ["no_answer"]
    (escalation,) = ctx_b.escalations.listing()
    assert (escalation.item_id, escalation.situation) == (mine.id, "Upset about billing")
    review.reject()
    shell.shutdown()


def test_review_list_grows_with_the_dialog_and_fits_the_screen(
    qtbot,
    ctx,
    second_profile,  # noqa: F811
    tmp_path,
) -> None:
    from vmadesk.domain.handoff_notes import ActionStep, HandoffNote

    ctx_b = build_context(second_profile)
    ctx.handoffs.add_colleague("ben.k", ctx_b.handoffs.my_public_key())
    note = HandoffNote(Priority.ROUTINE, "Not reached", (ActionStep("Call after 14:00"),))
    chosen = open_items(ctx)[:12]
    result = ctx.handoffs.create_packet("ben.k", {i.id: note for i in chosen}, "", out_dir=tmp_path)
    review = ReviewPacketDialog(ctx_b.handoffs, ctx_b.handoffs.open_packet(result.path))
    qtbot.addWidget(review)
    review.show()
    qtbot.waitExposed(review)
    area = review.screen().availableGeometry()
    assert review.width() <= area.width() and review.height() <= area.height()
    review.resize(700, 420)
    qtbot.waitUntil(lambda: review.height() == 420)
    small = review.table.viewport().size()
    review.resize(1100, 680)
    qtbot.waitUntil(lambda: review.height() == 680)
    large = review.table.viewport().size()
    assert large.height() > small.height() + 150 and large.width() > small.width()
    review.reject()


def test_sender_is_told_when_the_receiver_answered(
    qtbot,
    ctx,
    second_profile,  # noqa: F811
    tmp_path,
) -> None:
    """A receipt applied in the background (as the sync worker does) is news to the sender."""
    from vmadesk.domain.handoff_notes import ActionStep, HandoffNote

    ctx_b = build_context(second_profile)
    ctx.handoffs.add_colleague("ben.k", ctx_b.handoffs.my_public_key())
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    assert shell.shift.check_answers() == 0
    note = HandoffNote(Priority.ROUTINE, "Not reached", (ActionStep("Call after 14:00"),))
    chosen = open_items(ctx)[:2]
    result = ctx.handoffs.create_packet("ben.k", {i.id: note for i in chosen}, "", out_dir=tmp_path)
    handoff_id = ctx_b.handoffs.open_packet(result.path)
    assert ctx_b.handoffs.acknowledge_all(handoff_id)
    ctx.handoffs.apply_receipt(ctx_b.handoffs.write_receipt(handoff_id, tmp_path))
    assert shell.shift.check_answers() == 2
    assert window.last_message.startswith("2 handed-off item(s) answered")
    assert shell.shift.check_answers() == 2  # told once
    shell.shutdown()
