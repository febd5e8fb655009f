"""Starting the supervisor board (token and hub checked first), the desk's keys, the figures."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from tests.support.hub import free_port
from tests.ui.supervisor.conftest import wait_idle
from vmadesk import wire
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.supervisor import BoardSnapshot, SupervisorService
from vmadesk.services.supervisor_board import BoardRow, build_board
from vmadesk.sync.hub_client import HTTP_LOGGERS
from vmadesk.ui.supervisor import app as supervisor_app
from vmadesk.ui.supervisor.board_tabs import BoardTab
from vmadesk.ui.supervisor.chart import TrendChart, nice_ticks
from vmadesk.ui.supervisor.models import minutes

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Qt's critical dialog, closed at once; the texts it would have shown."""
    shown: list[str] = []

    def critical(_parent, _title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        shown.append(text)

    monkeypatch.setattr(supervisor_app.QMessageBox, "critical", critical)
    return shown


@pytest.fixture
def http_log_levels() -> Iterator[None]:
    """Put the HTTP loggers' levels back: tests keep httpx's defaults."""
    saved = {name: logging.getLogger(name).level for name in HTTP_LOGGERS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_a_vma_token_does_not_open_the_board(qapp, hub, dialogs, capsys, http_log_levels) -> None:  # type: ignore[no-untyped-def]
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    assert supervisor_app.run_supervisor(None, hub.base_url, hub.tokens["ana"]) == 2
    # the console process polls: httpx's per-request INFO lines stay out of its log
    assert all(logging.getLogger(name).level == logging.WARNING for name in HTTP_LOGGERS)
    assert len(dialogs) == 1 and "belongs to ana (vma), not to a supervisor" in dialogs[0]
    assert "vmadesk: The token belongs to ana (vma)" in capsys.readouterr().err


def test_an_unreachable_hub_is_a_message_not_a_crash(qapp, dialogs, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}"
    assert supervisor_app.run_supervisor(None, url, "x" * 43) == 2
    assert f"The hub at {url} cannot be reached" in dialogs[0]
    assert "cannot be reached" in capsys.readouterr().err


def test_a_refused_token_is_named(hub) -> None:  # type: ignore[no-untyped-def]
    assert "refused the token (401" in (
        SupervisorService(hub.base_url, "y" * 43).access_problem() or ""
    )
    assert SupervisorService(hub.base_url, hub.tokens["sue"]).access_problem() is None


def test_ctrl4_then_a_acknowledges_without_a_click(hub, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.tabs.setCurrentIndex(0)
    window.tabs.tabBar().setFocus()
    qtbot.keyClick(window.tabs.tabBar(), Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.desk
    assert window.desk.view.hasFocus() and window.desk.selected() is not None
    target = window.desk.selected()
    qtbot.keyClick(window.desk.view, Qt.Key.Key_A)
    wait_idle(qtbot, window)
    state = hub.client("sue").escalation(target.escalation_id).state
    assert state is wire.EscalationState.ACKNOWLEDGED


def test_show_resolved_lists_resolved_escalations(hub, window, qtbot) -> None:  # type: ignore[no-untyped-def]
    desk = window.desk
    first = desk.model.rows()[0]
    hub.client("sue").resolve_escalation(first.escalation_id, wire.ResolutionCode.ADVICE_GIVEN)
    desk.refresh()
    wait_idle(qtbot, window)
    assert first.escalation_id not in [r.escalation_id for r in desk.model.rows()]
    desk.show_resolved.setChecked(True)
    wait_idle(qtbot, window)
    resolved = [r for r in desk.model.rows() if r.state is wire.EscalationState.RESOLVED]
    assert [r.escalation_id for r in resolved] == [first.escalation_id]
    window.poll()  # polling keeps the choice
    wait_idle(qtbot, window)
    assert first.escalation_id in [r.escalation_id for r in desk.model.rows()]
    desk.view.selectRow([r.escalation_id for r in desk.model.rows()].index(first.escalation_id))
    desk.acknowledge_selected()
    assert "already resolved" in desk.status.text() and window.idle


def _row(vma: str, lane: Lane | None, median: float | None) -> BoardRow:
    return BoardRow(vma, lane, 1, 0, 0, 0, 0, median, 0, 0, 0, None)


def test_board_caption_and_first_attempt_without_data(qtbot) -> None:  # type: ignore[no-untyped-def]
    tab = BoardTab()
    qtbot.addWidget(tab)
    trends = wire.Trends(days=1, start="2026-03-03", end="2026-03-03", series=[])
    rows = [_row("ana", None, None), _row("ana", Lane.CALLBACK, None)]
    tab.show_snapshot(BoardSnapshot(rows, trends, datetime.now(UTC)))
    assert tab.caption.text().startswith("1 VMA ·")
    column = tab.model.column("first_attempt")
    assert tab.model.index(1, column).data() == "–"
    assert minutes(None) == "–" and minutes(0.0) == "<1 min" and minutes(42) == "42 min"


def test_a_zero_median_is_a_figure_in_the_total() -> None:
    board = wire.Board(
        generated_at=datetime.now(UTC),
        window_days=7,
        vmas=[
            wire.BoardVma(
                vma="ana",
                lanes=[
                    wire.BoardLane(lane=Lane.CALLBACK, first_attempt_median_s=0),
                    wire.BoardLane(lane=Lane.CONFIRMATION),
                ],
            )
        ],
    )
    total, callback, confirmation = build_board(board, {})
    assert total.first_attempt_median_min == 0 and callback.first_attempt_median_min == 0
    assert confirmation.first_attempt_median_min is None


def test_count_axis_has_whole_distinct_ticks(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert nice_ticks(1, integer=True) == [0, 1]
    assert nice_ticks(3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(7, integer=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(1.0) == [0, 0.5, 1.0]  # the on-time rate: 0%, 50%, 100%
    chart = TrendChart("Escalations raised", "bar", lambda v: f"{v:.0f}", integer=True)
    qtbot.addWidget(chart)
    start = date(2026, 2, 4)
    days = [start + timedelta(days=i) for i in range(28)]
    chart.set_series(days, [None] * 27 + [1.0])
    labels = chart.tick_labels()
    assert labels == ["0", "1"] and len(set(labels)) == len(labels)
    assert "average 1 over 1 day with data" in chart.summary()
    chart.set_series(days, [None] * 26 + [1.0, 3.0])
    assert "over 2 days with data" in chart.summary()
    chart.grab()  # paints with the new ticks
