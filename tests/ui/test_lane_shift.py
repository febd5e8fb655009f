"""A shift in the prior-authorization and referral lanes, on the real window and demo profile."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from vmadesk.domain.vocabulary import Lane
from vmadesk.services.lane_states import FOLLOW_UP_SOURCE, LaneStateService
from vmadesk.store import items


def _first(conn, lane: Lane, state: str) -> int:  # type: ignore[no-untyped-def]
    return conn.execute(
        "SELECT min(id) FROM items WHERE lane = ? AND lane_state = ?", (lane.value, state)
    ).fetchone()[0]


def test_a_prior_authorization_submitted_pended_approved_shows_its_reauthorization(
    qtbot, window, demo_profile, clock
) -> None:  # type: ignore[no-untyped-def]
    conn = demo_profile.conn
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.lanes.current_key() == Lane.PRIOR_AUTH
    item_id = _first(conn, Lane.PRIOR_AUTH, "needs_submission")
    window.select_item(item_id)
    assert "State: Needs submission" in window.detail.at_hand.text()
    assert "Practice's clock (business hours): submit by" in window.detail.at_hand.text()
    moves = LaneStateService(conn, vma="ana.r", clock=clock)
    moves.move(item_id, "submitted", channel="portal")
    window.refresh()
    window.select_item(item_id)
    text = window.detail.at_hand.text()
    assert "State: Submitted" in text
    assert "Payer's clock (calendar time): answer due by" in text  # both clocks in view
    moves.move(item_id, "pended")
    valid_to = clock.now.date() + timedelta(days=40)
    spawned = moves.move(
        item_id, "approved", auth_number="DEMO-A9", valid_from=clock.now.date(), valid_to=valid_to
    )
    window.refresh()
    (reauth,) = spawned
    assert items.get_item(conn, reauth).source_system == FOLLOW_UP_SOURCE
    window.select_item(reauth)
    text = window.detail.at_hand.text()
    assert "Re-authorization needed" in text and "State: Needs submission" in text
    assert "_" not in window.detail.at_hand.text()  # words, not codes


def test_a_referral_closed_by_its_consult_report(qtbot, window, demo_profile, clock) -> None:  # type: ignore[no-untyped-def]
    conn = demo_profile.conn
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.lanes.current_key() == Lane.REFERRAL
    item_id = _first(conn, Lane.REFERRAL, "visit_done")
    window.select_item(item_id)
    assert "State: Visit done" in window.detail.at_hand.text()
    LaneStateService(conn, vma="ana.r", clock=clock).move(
        item_id, "loop_closed", report_received_on=clock.now.date()
    )
    window.refresh()
    window.select_item(item_id)
    assert "loop closed" in window.detail.at_hand.text()
    assert items.get_item(conn, item_id).status == "completed"
