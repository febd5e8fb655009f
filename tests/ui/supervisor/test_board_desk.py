"""The supervisor's board, trends, conflicts and escalation desk against a real hub."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.supervisor.conftest import wait_idle
from tests.ui.supervisor.simulate import pn
from vmadesk import wire
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Urgency
from vmadesk.ui.supervisor.desk import RESOLUTION_KEYS

# the offscreen platform cannot resize native windows; harmless
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_board_shows_load_and_capacity_signals(window, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = window.board.model
    rows = model.rows()
    assert [(r.vma, r.lane) for r in rows if r.lane is None] == [("ana", None), ("ben", None)]
    ana_callback = next(r for r in rows if r.vma == "ana" and r.lane is Lane.CALLBACK)
    assert ana_callback.overdue == 7 and ana_callback.escalations_open == 2
    assert ana_callback.signals, "ana's callback lane is overloaded"
    signals = model.index(rows.index(ana_callback), model.column("signals")).data()
    assert "since" in signals
    assert model.index(rows.index(ana_callback), model.column("recommendation")).data() != "–"
    assert "ana" in window.board.caption.text()
    qtmodeltester.check(model)
    qtmodeltester.check(window.conflicts.model)
    qtmodeltester.check(window.desk.model)


def test_trend_charts_and_selector(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.tabs.setCurrentWidget(window.trends)
    trends = window.trends
    assert len(trends.on_time.days) == 28
    assert "On-time rate" in trends.on_time.accessibleDescription()
    trends.vma_box.setCurrentIndex(trends.vma_box.findData("ana"))
    trends.lane_box.setCurrentIndex(trends.lane_box.findData("callback"))
    assert trends.on_time.values[-1] == 0.6  # 3 on time, 2 late
    assert trends.backlog.values[-1] == 2 + 1 + 7
    assert "Backlog" in trends.summary.text()
    trends.on_time.grab()  # paints without warnings
    trends.backlog.grab()


def test_conflicts_listed_with_reasons(hub, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    ana, ben = hub.client("ana"), hub.client("ben")
    p = pn("ana", "claimed")
    ana.claim([p])
    ben.claim([p])
    ben.takeover(p, wire.TakeoverReason.HOLDER_OFF_SHIFT)
    # ben keeps importing ana's work: three more refused claims on two items
    for other in ("x", "y"):
        ana.claim([pn("ana", other)])
        ben.claim([pn("ana", other)])
    ben.claim([pn("ana", "x")])
    # ana hands one item to ben, who acknowledges it (the claim moves from ana to ben)
    ana.claim([pn("ana", "handed")])
    ana.offer([pn("ana", "handed")], "ben")
    ben.claim([pn("ana", "handed")], accept_offer=True)
    window.refresh_all()
    wait_idle(qtbot, window)
    groups = {(g.kind.value, g.claimant, g.holder): g for g in window.conflicts.model.rows()}
    # every kind reads the right way round (the hub stores the receiver as claimant)
    words = {
        window.conflicts.model.index(row, window.conflicts.model.column("what")).data()
        for row in range(window.conflicts.model.rowCount())
    }
    assert words == {
        "ben imported 3 items that ana holds (not granted)",
        "ben took over 1 item from ana",
        "ana handed 1 item to ben",
    }
    refused = groups[("conflict", "ben", "ana")]
    assert (refused.events, refused.items) == (4, 3)  # one row per pair, with counts
    took = groups[("takeover", "ben", "ana")]
    assert took.reasons == (wire.TakeoverReason.HOLDER_OFF_SHIFT,) and took.events == 1
    model = window.conflicts.model
    assert model.index(0, model.column("events")).data() == "4"
    row = model.rows().index(took)
    assert model.index(row, model.column("reason")).data() == "holder off shift"
    assert model.index(0, model.column("at")).data().startswith(str(refused.latest.year))


def test_conflicts_grouped_per_practice(hub, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    hub.client("sue").register_practice("riverside-fm", ["rvs"])
    hub.client("sue").register_practice("lakeview-fm", ["lake"])
    ana, ben = hub.client("ana"), hub.client("ben")
    codes = {pn("ana", f"r{n}"): "riverside-fm" for n in range(3)}
    codes[pn("ana", "l0")] = "lakeview-fm"
    ana.claim(list(codes), practices=codes)
    ben.claim(list(codes), practices=codes)
    window.refresh_all()
    wait_idle(qtbot, window)
    model = window.conflicts.model
    shown = {
        (model.index(row, model.column("practice")).data(), g.items)
        for row, g in enumerate(model.rows())
        if (g.claimant, g.holder) == ("ben", "ana")
    }
    assert shown == {("riverside-fm", 3), ("lakeview-fm", 1)}


def test_escalation_desk_by_keyboard(hub, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.tabs.setCurrentWidget(window.desk)
    desk = window.desk
    records = desk.model.rows()
    assert [r.urgency for r in records] == [Urgency.URGENT, Urgency.URGENT, Urgency.ROUTINE]
    desk.view.setFocus()
    desk.view.selectRow(0)
    target = desk.selected()
    qtbot.keyClick(desk.view, Qt.Key.Key_A)
    wait_idle(qtbot, window)
    sue = hub.client("sue")
    assert sue.escalation(target.escalation_id).state is wire.EscalationState.ACKNOWLEDGED
    desk.view.selectRow([r.escalation_id for r in desk.model.rows()].index(target.escalation_id))
    qtbot.keyClick(desk.view, Qt.Key.Key_R)
    assert desk.resolving and "1 advice given" in desk.status.text()
    qtbot.keyClick(desk.view, Qt.Key.Key_3)
    wait_idle(qtbot, window)
    record = sue.escalation(target.escalation_id)
    assert record.state is wire.EscalationState.RESOLVED
    assert record.resolution is RESOLUTION_KEYS[2]
    assert target.escalation_id not in [r.escalation_id for r in desk.model.rows()]
    # the VMA's console sees the new state on its next sync
    assert hub.client(target.vma).escalation(target.escalation_id).state.value == "resolved"


def test_immediate_escalation_notifies_without_phi(team, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert window.notifications == []
    escalation_id = team["ben"].escalate(9, Urgency.IMMEDIATE, EscalationCategory.CLINICAL_CONCERN)
    window.poll()
    wait_idle(qtbot, window)
    assert window.notifications == ["Immediate escalation: Clinical concern, Callbacks (ben)"]
    assert window.statusBar().currentMessage() == window.notifications[0]
    assert pn("ben", "e9") not in window.notifications[0]
    assert window.desk.model.rows()[0].escalation_id == escalation_id
    window.poll()  # the same escalation does not notify twice
    wait_idle(qtbot, window)
    assert len(window.notifications) == 1


def test_hub_down_is_a_message_not_a_crash(hub, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.service.hub_url = "http://127.0.0.1:9"
    window.refresh_all()
    wait_idle(qtbot, window)
    assert window.errors and all(e == "Hub unreachable; will retry." for e in window.errors)


def test_unattended_work_reassigned_from_its_tab(hub, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from vmadesk.hub.db import claims

    ana = hub.client("ana")
    p = pn("ana", "away")
    ana.claim([p])
    with hub.engine.begin() as conn:  # ana's console closed: her lease lapsed
        conn.execute(update(claims).where(claims.c.pseudonym == p).values(lease_expires_at=1000))
    window.refresh_all()
    wait_idle(qtbot, window)
    tab = window.unattended
    window.tabs.setCurrentWidget(tab)
    assert [(u.pseudonym, u.holder) for u in tab.model.rows()] == [(p, "ana")]
    assert [tab.vma.itemText(i) for i in range(tab.vma.count())] == ["ana", "ben"]
    tab.vma.setCurrentText("ana")
    tab.reassign_selected()
    assert tab.status.text() == "ana holds it already: pick another VMA."
    tab.vma.setCurrentText("ben")
    tab.reason.setCurrentIndex(tab.reason.findData(wire.TakeoverReason.HOLDER_OFF_SHIFT))
    tab.view.setFocus()
    qtbot.keyClick(
        tab.view,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    wait_idle(qtbot, window)
    assert tab.status.text() == f"Reassigned {p[:8]} from ana to ben."
    assert tab.model.rows() == []
    kinds = [(c.kind, c.claimant, c.by) for c in window.conflicts.model.rows()]
    assert (wire.ConflictKind.REASSIGN, "ben", "sue") in kinds
    assert ana.heartbeat([p]).lost == [p]
