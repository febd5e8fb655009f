"""Board totals equal the distinct items the consoles hold: two VMAs import overlapping work."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.consoles import MovableClock, new_console
from vmadesk.domain.vocabulary import Lane, Outcome, ReopenReason
from vmadesk.services.sync_service import sync_once


def test_board_counts_each_appointment_once(hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # one clock for the team, started at the hub's time (the board's window is the last week)
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0))
    ana = new_console(
        tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"], clock=clock
    )
    ben = new_console(
        tmp_path / "ben", "ben", hub_url=hub.base_url, token=hub.tokens["ben"], clock=clock
    )

    def sync(console) -> None:  # type: ignore[no-untyped-def]
        clock.advance(seconds=1)
        sync_once(console.profile, now=clock())

    try:
        first = ana.import_appointments(range(5))  # appointments 0-4
        sync(ana)
        ben.import_appointments(range(3, 8))  # 3 and 4 are ana's already: held by others
        sync(ben)
        held = ben.conn.execute("SELECT count(*) FROM claims WHERE state = 'conflict'")
        assert held.fetchone()[0] == 2
        # ana reaches one patient and records the outcome: one attempt, one done
        ana.work().log_attempt(first[0], Outcome.REACHED, identity_verified=True)
        ana.work().record_outcome(first[0], Outcome.CONFIRMED, identity_verified=True)
        for console in (ana, ben):
            sync(console)
        board = {v.vma: v for v in hub.client("sue").board().vmas}
        lanes = {
            name: next(lane for lane in board[name].lanes if lane.lane is Lane.CONFIRMATION)
            for name in ("ana", "ben")
        }
        assert (lanes["ana"].open, lanes["ben"].open) == (4, 3)
        distinct_open = 8 - 1  # appointments 0-7, one of them done
        assert lanes["ana"].open + lanes["ben"].open == distinct_open
        done = lanes["ana"].completed_on_time + lanes["ana"].completed_late
        assert done == 1 and lanes["ben"].completed_on_time + lanes["ben"].completed_late == 0
        summaries = hub.client("sue").summaries(vma="ana").summaries
        latest = max(summaries, key=lambda s: s.summary.interval_end).summary
        attempts = sum(lane.attempts_total for s in summaries for lane in s.summary.lanes)
        assert attempts == 1 and latest.lanes  # the outcome was not a second attempt
    finally:
        ana.close()
        ben.close()


def test_the_board_matches_the_console_after_the_round_that_found_a_conflict(
    hub, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
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
        ben.import_appointments(range(2, 6))  # 2 and 3 are ana's
        clock.advance(seconds=1)
        sync_once(ben.profile, now=clock())  # one round: the claims are refused in it
        board = {v.vma: v for v in hub.client("sue").board().vmas}
        ben_lane = next(lane for lane in board["ben"].lanes if lane.lane is Lane.CONFIRMATION)
        # the summary of that round already leaves out what the round found held by ana
        assert ben_lane.open == 2
    finally:
        ana.close()
        ben.close()


def test_a_reopened_completion_leaves_done_on_the_board(hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0))
    ana = new_console(
        tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"], clock=clock
    )

    def confirmation_lane():  # type: ignore[no-untyped-def]
        clock.advance(seconds=1)
        sync_once(ana.profile, now=clock())
        vma = next(v for v in hub.client("sue").board().vmas if v.vma == "ana")
        lane = next(lane for lane in vma.lanes if lane.lane is Lane.CONFIRMATION)
        return lane.open, lane.completed_on_time + lane.completed_late

    try:
        first = ana.import_appointments(range(3))
        assert confirmation_lane() == (3, 0)
        ana.work().record_outcome(first[0], Outcome.CONFIRMED, identity_verified=True)
        assert confirmation_lane() == (2, 1)
        # done by mistake: reopened in a later round, it leaves "done" and is open again
        ana.work().reopen(first[0], ReopenReason.CLOSED_BY_MISTAKE)
        assert confirmation_lane() == (3, 0)
        # completed and reopened within one round: never counted, nothing withdrawn
        ana.work().record_outcome(first[1], Outcome.CONFIRMED, identity_verified=True)
        ana.work().reopen(first[1], ReopenReason.CLOSED_BY_MISTAKE)
        assert confirmation_lane() == (3, 0)
        # and done again counts once
        ana.work().record_outcome(first[0], Outcome.CONFIRMED, identity_verified=True)
        assert confirmation_lane() == (2, 1)
    finally:
        ana.close()
