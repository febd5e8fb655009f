"""A prior authorization handed off through the console keeps its lane: state, fields, clocks.

The sender includes one PA and one referral in End shift & hand off; the receiver reviews and
acknowledges them; the receiver's own console shows them in their lanes with the payer program,
the services, the state and both clocks in the detail pane.
"""

from __future__ import annotations

import pytest

from tests.ui.shell_helpers import open_items, second_profile  # noqa: F401
from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.application import build_context
from vmadesk.ui.console.window import MainWindow
from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog
from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog, open_packet

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_pa_and_referral_travel_with_their_lane_fields(
    qtbot,
    ctx,
    second_profile,  # noqa: F811
    tmp_path,
) -> None:
    ctx_b = build_context(second_profile)
    ctx.handoffs.add_colleague("ben.k", ctx_b.handoffs.my_public_key())
    ctx_b.handoffs.add_colleague("ana.r", ctx.handoffs.my_public_key())
    dialog = EndShiftDialog(ctx, out_dir=tmp_path)
    qtbot.addWidget(dialog)
    model = dialog.model
    wanted = {}
    for row in range(model.rowCount()):
        item = model.items[row]
        lane = Lane(item.lane)
        keep = lane in (Lane.PRIOR_AUTH, Lane.REFERRAL) and lane not in wanted and item.lane_state
        model.set_include(row, bool(keep))
        if keep:
            wanted[lane] = item
    assert set(wanted) == {Lane.PRIOR_AUTH, Lane.REFERRAL}
    result = dialog.write_packet()
    assert result is not None, dialog.message.text()

    handoff_id = open_packet(ctx_b.handoffs, result.path, lambda: None)
    review = ReviewPacketDialog(ctx_b.handoffs, handoff_id, out_dir=tmp_path)
    qtbot.addWidget(review)
    assert review.model.rowCount() == 2
    for row in range(2):
        review.select_row(row)
        review.next_action.setText("I follow it up this afternoon")
        assert review.acknowledge(), review.message.text()
    received = {Lane(i.lane): i for i in open_items(ctx_b)}
    for lane, sent in wanted.items():
        got = received[lane]
        assert (got.lane_state, got.lane_fields_json) == (sent.lane_state, sent.lane_fields_json)
        assert got.subject_kind == sent.subject_kind

    window = MainWindow(ctx_b)
    qtbot.addWidget(window)
    window.lanes.choose(Lane.PRIOR_AUTH)
    window.select_item(received[Lane.PRIOR_AUTH].id)
    text = window.detail.at_hand.text()
    assert "State: " in text and "Services: " in text
    assert "Practice's clock (business hours)" in text or "Payer's clock" in text
