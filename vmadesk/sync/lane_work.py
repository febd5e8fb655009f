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
from vmadesk.domain import lanes
from vmadesk.domain.vocabulary import Lane
from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import from_db


def _seconds(delta: timedelta) -> int:
    return max(0, min(wire.MAX_SECONDS, int(delta.total_seconds())))


def lane_work(conn: Connection, mine_sql: str, me: str, now: datetime) -> dict[Lane, wire.LaneWork]:
    """The open work of this VMA's lanes with states of their own (each lane's ``standing``).

    Args:
        conn: The profile's connection.
        mine_sql: The summary's "items this console owns and nobody else holds" predicate.
        me: This VMA's handle (its parameter).
        now: The summary's end.
    """
    rules = {d.lane: d.standing for d in lanes.ALL if d.standing is not None}
    states: dict[Lane, Counter[str]] = {lane: Counter() for lane in rules}
    programs: dict[Lane, Counter[str]] = {lane: Counter() for lane in rules}
    urgencies: dict[Lane, Counter[str]] = {lane: Counter() for lane in rules}
    late: dict[Lane, list[int]] = {lane: [] for lane in rules}
    marks = ", ".join("?" for _ in rules)
    for lane_code, state_code, fields_json, due in conn.execute(
        "SELECT lane, lane_state, lane_fields_json, effective_due FROM items"
        f" WHERE is_open = 1 AND lane IN ({marks}) AND lane_state IS NOT NULL AND {mine_sql}",
        (*(lane.value for lane in rules), me),
    ):
        lane = Lane(lane_code)
        try:
            standing = rules[lane](state_code, fields_json, from_db(due), now)
        except ValueError:
            continue  # unreadable details: the item shows it; the summary leaves it out
        states[lane][standing.state] += 1
        if standing.program:
            programs[lane][standing.program] += 1
        urgencies[lane][standing.urgency] += 1
        if standing.late_by is not None and standing.late_by > timedelta(0):
            late[lane].append(_seconds(standing.late_by))
    out: dict[Lane, wire.LaneWork] = {}
    for lane in rules:
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
