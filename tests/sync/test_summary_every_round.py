"""A summary goes with every sync round, from the first round after enrolment is complete."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.consoles import NOW, TEAM_SECRET, MovableClock, new_console
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.enrolment import enroll
from vmadesk.services.sync_service import sync_once
from vmadesk.sync import enrolment


def test_every_round_sends_a_summary_and_is_the_last_sync(hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = MovableClock(NOW)
    c = new_console(tmp_path / "ana", "ana", clock=clock)
    try:
        result = enroll(c.conn, hub.base_url, hub.tokens["ana"])
        assert result.team_secret_source == "missing"
        sue = hub.client("sue")
        # enrolled without the team secret: nothing to report yet, but the round is seen
        sync_once(c.profile, now=NOW)
        assert hub.count("summaries") == 0
        enrolment.issue_team_secret(None, sue, ["ana"], secret=TEAM_SECRET)
        # the first round with the secret sends the first summary
        c.import_appointments(range(3))
        sync_once(c.profile, now=NOW + timedelta(seconds=30))
        sent = hub.count("summaries")
        assert sent >= 1  # (the one-time backfill of earlier work may send one of its own)
        board = sue.board().vmas[0]
        lanes = {lane.lane: lane for lane in board.lanes}
        assert lanes[Lane.CONFIRMATION].open == 3
        first_sync = board.last_sync_at
        # the next round, one minute later, sends one more: fresh figures, a later "last sync"
        sync_once(c.profile, now=NOW + timedelta(seconds=90))
        assert hub.count("summaries") == sent + 1
        assert sue.board().vmas[0].last_sync_at > first_sync
    finally:
        c.close()
