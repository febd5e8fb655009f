"""Handoffs carry open escalations to the receiver; the end-shift form's labels read plainly."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QLabel

from tests.ui.shell_helpers import (  # noqa: F401  (fixtures)
    open_items,
    second_profile,
)
from vmadesk.domain.vocabulary import EscalationCategory, Urgency
from vmadesk.services.escalation import Sbar
from vmadesk.ui.application import build_context
from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog
from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog, open_packet

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SITUATION = "Patient reports new dizziness since the dose change"


def test_open_escalation_travels_to_review_and_report(
    qtbot,
    ctx,
    second_profile,  # noqa: F811
    tmp_path,
) -> None:
    ctx_b = build_context(second_profile)
    ctx.handoffs.add_colleague("ben.k", ctx_b.handoffs.my_public_key())
    item = next(i for i in open_items(ctx) if i.handoff_id is None)
    ctx.escalations.raise_(
        item.id,
        EscalationCategory.CLINICAL_CONCERN,
        Urgency.URGENT,
        Sbar(SITUATION, request="Nurse to call the patient today"),
        red_flags_confirmed=True,
    )
    dialog = EndShiftDialog(ctx, out_dir=tmp_path)
    qtbot.addWidget(dialog)
    model = dialog.model
    row = next(r for r in range(model.rowCount()) if model.items[r].id == item.id)
    badge = model.data(model.index(row, model.HEADERS.index("Escalation")))
    assert badge.startswith("⚑ Clinical concern · urgent")
    for r in range(model.rowCount()):
        model.set_include(r, r == row)
    dialog.select_row(row)
    dialog.summary.setText("Waiting for the nurse")
    result = dialog.write_packet()
    assert result is not None, dialog.message.text()

    assert SITUATION in dialog.report_html
    assert "OPEN · Clinical concern · urgent · raised" in dialog.report_html
    due = re.search(r"<b>Due</b></td><td>([^<]*)</td>", dialog.report_html)
    assert due and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d [A-Z][A-Za-z0-9+-]+", due[1]), due

    handoff_id = open_packet(ctx_b.handoffs, result.path, lambda: None)
    review = ReviewPacketDialog(ctx_b.handoffs, handoff_id, out_dir=tmp_path)
    qtbot.addWidget(review)
    text = review.detail.toPlainText()
    assert SITUATION in text and "Clinical concern" in text
    assert "Nurse to call the patient today" in text
    review.reject()


def test_end_shift_labels_have_mnemonics_and_plain_zone_words(qtbot, ctx, tmp_path) -> None:
    dialog = EndShiftDialog(ctx, out_dir=tmp_path)
    qtbot.addWidget(dialog)
    labels = {label.text(): label for label in dialog.findChildren(QLabel)}
    assert labels["&Receiver"].buddy() is dialog.receiver
    assert labels["&Folder"].buddy() is dialog.folder
    actions = next(t for t in labels if t.startswith("&Actions"))
    assert re.fullmatch(r"&Actions \(times in your local zone, [^,()]+, HH:MM\)", actions)
    assert "Etc/" not in actions
    dialog.reject()
