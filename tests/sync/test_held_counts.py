"""One definition of "held by others": the status bar, `items --status held` and the view agree."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.consoles import MovableClock, new_console
from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import Priority
from vmadesk.services.handoff import HandoffService
from vmadesk.services.held_by_others import held_by_others
from vmadesk.services.item_listing import HeldBy, ListFilter, list_items
from vmadesk.services.sync_service import sync_once
from vmadesk.sync.worker import read_status
from vmadesk.ui.widgets.sync_indicator import status_text


def test_status_bar_listing_and_view_count_the_same_items(hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0))
    ana = new_console(
        tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"], clock=clock
    )
    ben = new_console(
        tmp_path / "ben", "ben", hub_url=hub.base_url, token=hub.tokens["ben"], clock=clock
    )
    try:
        ana.import_appointments(range(4))
        clock.advance(seconds=1)
        sync_once(ana.profile, now=clock())
        mine = ben.import_appointments(range(2, 6))  # 2 and 3 are ana's already
        clock.advance(seconds=1)
        sync_once(ben.profile, now=clock())
        # one of ben's own items waits in a handoff nobody has acknowledged yet
        note = HandoffNote(
            Priority.WATCH, "Confirm", (ActionStep("Call at 11:00"),), "If no answer then escalate"
        )
        HandoffService(ben.conn, vma=ben.vma, clock=clock).seal_packet(
            "cy", {mine[-1]: note}, "", one_time_code=True
        )

        status = read_status(ben.conn, now=clock())
        listed = list_items(ben.conn, vma=ben.vma, which=ListFilter.HELD)
        by_others = [row for row in listed if row.held is HeldBy.OTHERS]
        in_handoff = [row for row in listed if row.held is HeldBy.HANDOFF]
        view = held_by_others(ben.conn)
        assert (status.conflicts, status.in_handoff) == (len(by_others), len(in_handoff)) == (2, 1)
        assert sorted(h.item_id for h in view) == sorted(row.id for row in by_others)
        assert {h.held_by for h in view} == {"ana"}
        assert "2 held by others · 1 in handoff" in status_text(status)
    finally:
        ana.close()
        ben.close()
