"""The team board shows a console whose audit trail went backwards (on its total row)."""

from __future__ import annotations

from datetime import UTC, datetime

from vmadesk import wire
from vmadesk.services.supervisor_board import build_board
from vmadesk.ui.supervisor.models import BOARD_COLUMNS


def test_the_board_marks_a_console_whose_audit_trail_went_back() -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    board = wire.Board(
        generated_at=now,
        window_days=7,
        vmas=[
            wire.BoardVma(vma="ana", audit_went_back_at=now),
            wire.BoardVma(vma="ben"),
        ],
    )
    audit = next(c for c in BOARD_COLUMNS if c.name == "audit")
    totals = {row.vma: audit.text(row) for row in build_board(board, {}) if row.lane is None}
    assert totals["ana"].startswith("⚠ went back")
    assert totals["ben"] == "ok"
