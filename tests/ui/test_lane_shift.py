"""A shift in the prior-authorization and referral lanes, on the real window and demo profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from vmadesk.domain.vocabulary import Lane
from vmadesk.services.lane_states import FOLLOW_UP_SOURCE, LaneStateService
from vmadesk.store import items
from vmadesk.ui.dialogs.lane_state import LaneStateDialog

# The offscreen platform plugin warns of any dialog opened (as in the other window tests).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _record(qtbot, window, digit: int, **typed: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.table, Qt.Key.Key_O)
    dialog = window.active_dialog
    assert isinstance(dialog, LaneStateDialog)
    qtbot.keyClick(dialog, getattr(Qt.Key, f"Key_{digit}"))
    for key, text in typed.items():
        qtbot.keyClicks(dialog.inputs[key][0], text)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.error.isVisible(), dialog.error.text()


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
    # O opens the next state; digits pick it, Enter records it.
    _record(qtbot, window, 2)  # Submitted (sent by the portal, the first channel)
    text = window.detail.at_hand.text()
    assert "State: Submitted" in text
    assert "Payer's clock (calendar time): answer due by" in text  # both clocks in view
    _record(qtbot, window, 1)  # Pended
    assert "State: Pended" in window.detail.at_hand.text()
    valid_to = clock.now.date() + timedelta(days=40)
    before = {r[0] for r in conn.execute("SELECT id FROM items")}
    _record(
        qtbot,
        window,
        2,  # Approved
        auth_number="DEMO-A9",
        valid_from=clock.now.date().isoformat(),
        valid_to=valid_to.isoformat(),
    )
    spawned = sorted({r[0] for r in conn.execute("SELECT id FROM items")} - before)
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


def test_a_denial_asks_for_the_reason_code_then_offers_appeal_or_close(
    qtbot, window, demo_profile
) -> None:  # type: ignore[no-untyped-def]
    conn = demo_profile.conn
    item_id = _first(conn, Lane.PRIOR_AUTH, "pended")
    window.select_item(item_id)
    qtbot.keyClick(window.table, Qt.Key.Key_O)
    dialog = window.active_dialog
    words = [words for _code, words in dialog.choices]
    qtbot.keyClick(dialog, getattr(Qt.Key, f"Key_{words.index('Denied') + 1}"))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert "reason code" in dialog.error.text()  # refused, still open
    qtbot.keyClicks(dialog.inputs["denial_reason"][0], "CO50")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert "Appeal deadline:" in window.detail.at_hand.text()
    qtbot.keyClick(window.table, Qt.Key.Key_O)
    offered = [words for _code, words in window.active_dialog.choices]
    assert offered == ["Appeal submitted", "Closed"]
    window.active_dialog.reject()


def test_the_tick_raises_a_follow_up_when_the_payer_is_late(window, demo_profile, clock) -> None:  # type: ignore[no-untyped-def]
    conn = demo_profile.conn
    late = "Payer is past its response window: call the payer"
    count = "SELECT count(*) FROM items WHERE reason = ?"
    before = conn.execute(count, (late,)).fetchone()[0]
    window.tick()
    after = conn.execute(count, (late,)).fetchone()[0]
    assert after > before  # the demo's request nine days with a Medicare Advantage payer
    window.tick()
    assert conn.execute(count, (late,)).fetchone()[0] == after  # once
