"""The supervisor's board over a real hub shows the prior-authorization and referral lanes."""

from __future__ import annotations

from tests.ui.supervisor.simulate import Console, lane_summary
from vmadesk.domain.vocabulary import Lane


def test_board_shows_prior_authorizations_and_referrals(hub) -> None:  # type: ignore[no-untyped-def]
    ana = Console("ana", hub.client("ana"))
    ana.summary(
        [
            lane_summary(Lane.PRIOR_AUTH, overdue=4, on_time=1, late=2),
            lane_summary(Lane.REFERRAL, on_time=3),
        ]
    )
    ana.completed(1, Lane.PRIOR_AUTH, late=True)
    ana.completed(2, Lane.REFERRAL)
    board = hub.client("sue").board()
    lanes = {lane.lane: lane for lane in board.vmas[0].lanes}
    assert set(lanes) >= {Lane.PRIOR_AUTH, Lane.REFERRAL}
    assert lanes[Lane.PRIOR_AUTH].overdue == 4
    assert lanes[Lane.REFERRAL].completed_on_time >= 3
