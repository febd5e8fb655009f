"""The PHI-free figures of the lanes with states of their own, for the summary.

Per lane: how many open items are in each state, of each payer program (prior authorization)
and urgency, and how late the late ones are — the payer past its window in calendar time
(submitted, pended or appeal submitted), a referral past its step's due time or still without
a visit past its scheduling due time. Codes and durations only; the fields read here (program,
urgency, times) never leave the machine as such.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta

from vmadesk import wire
from vmadesk.domain import referral_rules
from vmadesk.domain.lane_fields_codec import prior_auth_from_json, referral_from_json
from vmadesk.domain.payer_clock import PaClockPolicy, payer_clock
from vmadesk.domain.prior_auth_rules import PaState
from vmadesk.domain.referral_rules import ReferralPolicy
from vmadesk.domain.vocabulary import Lane
from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import from_db

#: PA states in which the payer's clock runs.
_PAYER_CLOCK_STATES = frozenset({PaState.SUBMITTED, PaState.PENDED, PaState.APPEAL_SUBMITTED})
_WORK_LANES = (Lane.PRIOR_AUTH, Lane.REFERRAL)


def _seconds(delta: timedelta) -> int:
    return max(0, min(wire.MAX_SECONDS, int(delta.total_seconds())))


def _late_by(
    lane: Lane, state_code: str, fields_json: str | None, due: str, now: datetime
) -> tuple[str, str | None, str, timedelta | None]:
    """(state, program or None, urgency, lateness or None) of one open item."""
    if lane is Lane.PRIOR_AUTH:
        pa = prior_auth_from_json(fields_json)
        state = PaState(state_code)
        late = None
        if state in _PAYER_CLOCK_STATES and pa.submitted_at is not None:
            late = payer_clock(
                pa.submitted_at, pa.program, pa.urgency, now, PaClockPolicy()
            ).late_by
        return state.value, pa.program.value, pa.urgency.value, late
    referral = referral_from_json(fields_json)
    state = referral_rules.state_of(referral.direction, state_code)
    policy = ReferralPolicy()
    due_at = from_db(due)
    late = None
    if now >= due_at:
        late = now - due_at
    elif referral_rules.is_unscheduled_overdue(state, referral, now, policy):
        late = now - referral_rules.schedule_due(referral, policy)
    return state.value, None, referral.urgency.value, late


def lane_work(conn: Connection, mine_sql: str, me: str, now: datetime) -> dict[Lane, wire.LaneWork]:
    """The open work of this VMA's prior-authorization and referral lanes.

    Args:
        conn: The profile's connection.
        mine_sql: The summary's "items this console owns and nobody else holds" predicate.
        me: This VMA's handle (its parameter).
        now: The summary's end.
    """
    states: dict[Lane, Counter[str]] = {lane: Counter() for lane in _WORK_LANES}
    programs: dict[Lane, Counter[str]] = {lane: Counter() for lane in _WORK_LANES}
    urgencies: dict[Lane, Counter[str]] = {lane: Counter() for lane in _WORK_LANES}
    late: dict[Lane, list[int]] = {lane: [] for lane in _WORK_LANES}
    for lane_code, state_code, fields_json, due in conn.execute(
        "SELECT lane, lane_state, lane_fields_json, effective_due FROM items"
        f" WHERE is_open = 1 AND lane IN (?, ?) AND lane_state IS NOT NULL AND {mine_sql}",
        (Lane.PRIOR_AUTH.value, Lane.REFERRAL.value, me),
    ):
        lane = Lane(lane_code)
        try:
            state, program, urgency, late_by = _late_by(lane, state_code, fields_json, due, now)
        except ValueError:
            continue  # unreadable details: the item shows it; the summary leaves it out
        states[lane][state] += 1
        if program:
            programs[lane][program] += 1
        urgencies[lane][urgency] += 1
        if late_by is not None and late_by > timedelta(0):
            late[lane].append(_seconds(late_by))
    out: dict[Lane, wire.LaneWork] = {}
    for lane in _WORK_LANES:
        if not states[lane]:
            continue
        out[lane] = wire.LaneWork(
            by_state=dict(sorted(states[lane].items())),
            by_program=dict(sorted(programs[lane].items())),
            by_urgency=dict(sorted(urgencies[lane].items())),
            late=len(late[lane]),
            late_by_median_s=int(statistics.median(late[lane])) if late[lane] else None,
            late_by_max_s=max(late[lane]) if late[lane] else None,
        )
    return out
