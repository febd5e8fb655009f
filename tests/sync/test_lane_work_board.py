"""The prior-authorization and referral lanes on the team board: states and lateness as codes.

A console with PA requests (one past the payer's window) and referrals syncs to a loopback hub
(SQLite, and PostgreSQL when ``VMADESK_TEST_PG_URL`` is set); the board carries the lane's
states, programs, urgencies and lateness, never a payer, code or name from the items; the
supervisor's board words them.
"""

from __future__ import annotations

import json
from datetime import timedelta

from tests.support.consoles import TEAM_CODE, new_console
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.referral_rules import ReferralDirection
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.lane_intake import quick_add_prior_auth, quick_add_referral
from vmadesk.services.lane_states import LaneStateService
from vmadesk.services.lane_work_words import work_text, work_tooltip
from vmadesk.services.supervisor_board import build_board
from vmadesk.services.sync_service import sync_once
from vmadesk.sync.item_events import make_change_hook


def test_the_board_shows_where_pa_and_referral_work_stands(hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ana = new_console(
        tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"], code=TEAM_CODE
    )
    try:
        hook = make_change_hook(ana.conn)
        practice = ana.ctx.id

        def pa(family: str, program: PayerProgram, urgency: PaUrgency) -> int:
            return quick_add_prior_auth(
                ana.conn, practice_id=practice, family=family, given="Q", phone="",
                program=program, services=[("97110", 12)], urgency=urgency, vma=ana.vma,
                clock=ana.clock, on_change=hook,
            )  # fmt: skip

        late = pa("Whitfield", PayerProgram.MEDICARE_ADVANTAGE, PaUrgency.EXPEDITED)
        pa("Okafor", PayerProgram.COMMERCIAL, PaUrgency.STANDARD)
        quick_add_referral(
            ana.conn, practice_id=practice, family="Lindqvist", given="M", phone="",
            direction=ReferralDirection.OUTGOING, reason="Knee pain",
            referred_to="Riverside Orthopedics", vma=ana.vma, clock=ana.clock, on_change=hook,
        )  # fmt: skip
        LaneStateService(ana.conn, vma=ana.vma, clock=ana.clock, on_change=hook).move(
            late, "submitted", channel="portal"
        )
        ana.clock.advance(days=4)  # expedited: 72 hours; the payer is a day late
        sync_once(ana.profile, now=ana.clock())
        board = hub.client("sue").board()
        (vma,) = [v for v in board.vmas if v.vma == "ana"]
        lanes = {lane.lane: lane for lane in vma.lanes}
        pa_work = lanes[Lane.PRIOR_AUTH].work
        assert pa_work is not None
        assert pa_work.by_state == {"needs_submission": 1, "submitted": 1}
        assert pa_work.by_program == {"commercial": 1, "medicare_advantage": 1}
        assert pa_work.by_urgency == {"expedited": 1, "standard": 1}
        assert pa_work.late == 1
        assert pa_work.late_by_max_s == int(timedelta(days=1).total_seconds())
        referral = lanes[Lane.REFERRAL].work
        assert referral is not None and referral.by_state == {"sent": 1}
        # its receipt by the specialist was due 3 days after sending: a day overdue
        assert referral.by_urgency == {"routine": 1} and referral.late == 1
        # nothing that names a patient, a payer or a code leaves the console
        dump = json.dumps(board.model_dump(mode="json")) + hub.dump()
        for text in ("Whitfield", "Okafor", "Riverside", "97110", "Knee"):
            assert text not in dump
        # the supervisor's words
        rows = {r.lane: r for r in build_board(board, {}) if r.vma == "ana"}
        assert rows[Lane.PRIOR_AUTH].work == (
            "Needs submission 1 · Submitted 1 · payer late 1 (up to 1 day)"
        )
        assert work_text(Lane.REFERRAL, referral) == "Sent 1 · overdue 1 (up to 1 day)"
        assert "Medicare Advantage 1" in work_tooltip(pa_work)
    finally:
        ana.close()
