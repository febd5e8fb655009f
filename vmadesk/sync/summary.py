"""The Summary payload: one VMA's PHI-free figures for an interval, read from the store.

Everything here is a count, a duration, a code or the VMA's own time (shift start/end, interval):
the builder reads PHI columns only to compute such figures and never copies one.

Definitions (interval = ``[since, now)``). Only this VMA's own work counts, so that the board's
figures summed over the team equal the distinct items the consoles hold:

* an item counts where it is owned: not once an acknowledged handoff made it the receiver's, and
  not while another VMA holds it at the hub (a refused claim or a takeover: the holder counts it);
* an attempt is a contact try this VMA made (a contact outcome); recording a lane's outcome
  (confirmed, coverage active, …) finishes the item and is not a second attempt.

* ``by_status`` — every item open at ``now`` or closed in the interval, by status;
* ``by_due_state`` — open items at ``now``: on-hold items ``paused``, past their effective due
  ``overdue``, past their due-soon time ``due_soon``, else ``on_track``;
* ``completed_on_time`` / ``completed_late`` — items completed in the interval, at or before /
  after their effective due time; not those the practice's own system reported done (an
  export's "Confirmed", :data:`~vmadesk.domain.vocabulary.COMPLETED_BY_PRACTICE_SYSTEM`);
* ``reopened_on_time`` / ``reopened_late`` — completions counted above (at most
  :data:`~vmadesk.domain.vocabulary.BOARD_WINDOW_DAYS` old, completed before the interval) that this
  VMA reopened in the interval: the board subtracts them, so a reopened item leaves "done" and
  counts as open again;
* time to first attempt — from the item's creation in the profile to its first attempt, for items
  whose first attempt fell in the interval (median and 90th percentile, nearest rank). An item
  whose first attempt is dated before its creation in the profile (history brought along, demo
  data) has no meaningful figure and is left out; with no item left the fields are ``None``
  ("no data"), never 0;
* attempts, outcomes — attempts recorded in the interval (lane outcomes included);
* ``carried_over`` — **the one definition** of carry-over, used by ``vmadesk summary``, the hub's
  board and trends alike: items open at ``now`` that were created before the start of ``now``'s
  UTC day (the hub's day), i.e. work carried over from an earlier day and still open. It does
  not depend on ``since``: summaries are sent every few minutes, and "created before the
  interval" would count nearly every open item in one summary and none in another;
* escalations raised in the interval by category and urgency; handoff items sent in the interval
  and how receivers answered (acknowledged/declined in the interval);
* shift start/end of the latest shift overlapping the interval; the audit chain head.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from vmadesk import wire
from vmadesk.domain.vocabulary import (
    COMPLETED_BY_PRACTICE_SYSTEM,
    CONTACT_OUTCOMES,
    DueState,
    EscalationCategory,
    ItemStatus,
    Lane,
    Outcome,
    Urgency,
)
from vmadesk.store import audit, settings_store
from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import from_db, to_db
from vmadesk.sync.completions import WITHDRAWN_LATE, WITHDRAWN_ON_TIME
from vmadesk.sync.lane_work import lane_work

_LAST_SUMMARY = "sync.summary_until"


def _percentile(values: list[float], q: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return max(0, min(wire.MAX_SECONDS, round(ordered[rank - 1])))


def _count(n: int) -> int:
    return max(0, min(wire.MAX_COUNT, int(n)))


#: Items this console owns and nobody else holds at the hub (``?`` = this VMA's handle).
_MINE = (
    "owner = ? AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.item_id = items.id"
    " AND c.state IN ('conflict', 'taken_over'))"
)
#: Contact tries only (``?`` = this VMA's handle), as SQL over the ``attempts`` alias ``a``.
_CONTACT = "a.author = ? AND a.outcome IN ({})".format(
    ", ".join(f"'{outcome.value}'" for outcome in CONTACT_OUTCOMES)
)


def build_summary(conn: Connection, *, now: datetime, since: datetime) -> wire.Summary:
    """The summary of ``[since, now)`` for this profile."""
    start, end = to_db(since), to_db(now)
    me = settings_store.vma_handle(conn)
    by_status: dict[str, Counter[str]] = defaultdict(Counter)
    for lane, status, n in conn.execute(
        f"SELECT lane, status, count(*) FROM items WHERE (is_open = 1"
        f" OR (closed_at >= ? AND closed_at < ?)) AND {_MINE} GROUP BY lane, status",
        (start, end, me),
    ):
        by_status[lane][status] += n

    due: dict[str, Counter[str]] = defaultdict(Counter)
    for lane, paused, overdue, soon, total in conn.execute(
        "SELECT lane, sum(is_paused), sum(NOT is_paused AND effective_due < ?),"
        " sum(NOT is_paused AND effective_due >= ? AND due_soon_at <= ?), count(*)"
        f" FROM items WHERE is_open = 1 AND {_MINE} GROUP BY lane",
        (end, end, end, me),
    ):
        paused, overdue, soon = int(paused or 0), int(overdue or 0), int(soon or 0)
        due[lane].update(
            {
                DueState.PAUSED.value: paused,
                DueState.OVERDUE.value: overdue,
                DueState.DUE_SOON.value: soon,
                DueState.ON_TRACK.value: int(total) - paused - overdue - soon,
            }
        )

    on_time: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for lane, in_time, n in conn.execute(
        "SELECT lane, closed_at <= effective_due, count(*) FROM items WHERE status = ?"
        f" AND closed_at >= ? AND closed_at < ? AND outcome_json IS NOT ? AND {_MINE}"
        " GROUP BY lane, closed_at <= effective_due",
        (ItemStatus.COMPLETED.value, start, end, COMPLETED_BY_PRACTICE_SYSTEM, me),
    ):
        (on_time if in_time else late)[lane] += n

    withdrawn: dict[str, Counter[str]] = defaultdict(Counter)
    for lane, how, n in conn.execute(
        "SELECT items.lane, json_extract(a.details, '$.withdrawn'), count(*) FROM audit a"
        " JOIN items ON items.id = a.item_id WHERE a.event = ? AND a.at >= ? AND a.at < ?"
        f" AND json_extract(a.details, '$.withdrawn') IS NOT NULL AND {_MINE}"
        # completed and reopened within this interval: never counted, nothing to withdraw
        " AND json_extract(a.details, '$.completed_at') < ?"
        " GROUP BY items.lane, json_extract(a.details, '$.withdrawn')",
        (audit.AuditEvent.ITEM_CHANGED.value, start, end, me, start),
    ):
        withdrawn[lane][how] += n

    first: dict[str, list[float]] = defaultdict(list)
    for lane, created, first_at in conn.execute(
        "SELECT i.lane, i.created_at, min(a.at) FROM attempts a JOIN items i ON i.id = a.item_id"
        f" WHERE {_CONTACT} GROUP BY a.item_id HAVING min(a.at) >= ? AND min(a.at) < ?",
        (me, start, end),
    ):
        waited = (from_db(first_at) - from_db(created)).total_seconds()
        if waited >= 0:  # attempted before it existed here: no figure (see the docstring)
            first[lane].append(waited)

    attempts_total: Counter[str] = Counter()
    attempted: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for lane, outcome, contact, n in conn.execute(
        f"SELECT i.lane, a.outcome, {_CONTACT}, count(*) FROM attempts a"
        " JOIN items i ON i.id = a.item_id WHERE a.at >= ? AND a.at < ? AND a.author = ?"
        " GROUP BY i.lane, a.outcome",
        (me, start, end, me),
    ):
        if contact:
            attempts_total[lane] += n
        if outcome in Outcome.__members__.values():
            outcomes[lane][outcome] += n
    for lane, n in conn.execute(
        "SELECT i.lane, count(DISTINCT a.item_id) FROM attempts a JOIN items i ON i.id = a.item_id"
        f" WHERE a.at >= ? AND a.at < ? AND {_CONTACT} GROUP BY i.lane",
        (start, end, me),
    ):
        attempted[lane] = n

    carried = Counter(
        dict(
            conn.execute(
                f"SELECT lane, count(*) FROM items WHERE is_open = 1 AND created_at < ?"
                f" AND {_MINE} GROUP BY lane",
                (to_db(day_start(now)), me),
            ).fetchall()
        )
    )

    lanes = []
    work = lane_work(conn, _MINE, me, now)
    for lane in Lane:
        key = lane.value
        if not (by_status.get(key) or attempts_total.get(key) or carried.get(key)):
            continue
        total = attempts_total.get(key, 0)
        items_attempted = attempted.get(key, 0)
        lanes.append(
            wire.LaneSummary(
                lane=lane,
                by_status={ItemStatus(s): _count(n) for s, n in sorted(by_status[key].items())},
                by_due_state={DueState(s): _count(n) for s, n in sorted(due[key].items()) if n},
                completed_on_time=_count(on_time.get(key, 0)),
                completed_late=_count(late.get(key, 0)),
                first_attempt_median_s=_percentile(first.get(key, []), 0.5),
                first_attempt_p90_s=_percentile(first.get(key, []), 0.9),
                attempts_total=_count(total),
                items_attempted=_count(items_attempted),
                attempts_per_item=float(round(total / items_attempted, 3))
                if items_attempted
                else 0.0,
                outcomes={Outcome(o): _count(n) for o, n in sorted(outcomes[key].items())},
                carried_over=_count(carried.get(key, 0)),
                reopened_on_time=_count(withdrawn[key][WITHDRAWN_ON_TIME]),
                reopened_late=_count(withdrawn[key][WITHDRAWN_LATE]),
                work=work.get(lane),
            )
        )

    escalation_counts = [
        wire.EscalationCount(
            category=EscalationCategory(category), urgency=Urgency(urgency), count=_count(n)
        )
        for category, urgency, n in conn.execute(
            "SELECT category, urgency, count(*) FROM escalations WHERE raised_at >= ?"
            " AND raised_at < ? GROUP BY category, urgency ORDER BY category, urgency",
            (start, end),
        )
        if category in EscalationCategory.__members__.values()
    ]

    sent = conn.execute(
        "SELECT count(*) FROM handoff_items hi JOIN handoffs h ON h.id = hi.handoff_id"
        " WHERE h.direction = 'out' AND h.created_at >= ? AND h.created_at < ?",
        (start, end),
    ).fetchone()[0]
    answered = dict(
        conn.execute(
            "SELECT hi.state, count(*) FROM handoff_items hi JOIN handoffs h"
            " ON h.id = hi.handoff_id WHERE h.direction = 'out' AND hi.acted_at >= ?"
            " AND hi.acted_at < ? GROUP BY hi.state",
            (start, end),
        ).fetchall()
    )

    shift = conn.execute(
        "SELECT started_at, ended_at FROM shifts WHERE started_at < ?"
        " AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at DESC LIMIT 1",
        (end, start),
    ).fetchone()
    head = audit.head(conn)
    return wire.Summary(
        interval_start=wire.utc(since),
        interval_end=wire.utc(now),
        shift_start=wire.utc(from_db(shift[0])) if shift else None,
        shift_end=wire.utc(from_db(shift[1])) if shift and shift[1] else None,
        lanes=lanes,
        escalations=escalation_counts,
        handoffs=wire.HandoffCounts(
            sent=_count(sent),
            acknowledged=_count(answered.get("acknowledged", 0)),
            declined=_count(answered.get("declined", 0)),
        ),
        audit_head=wire.AuditHead(seq=head.seq, hash=head.hash),
    )


def day_start(at: datetime) -> datetime:
    """Midnight UTC of ``at``'s UTC day (the hub's day; carry-over is measured from it)."""
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def last_summary_end(conn: Connection) -> datetime | None:
    """Where the previous summary's interval ended (None before the first)."""
    value = settings_store.get(conn, _LAST_SUMMARY)
    return from_db(value) if value else None


def next_interval_start(conn: Connection, now: datetime) -> datetime:
    """Start of the next summary: the previous one's end, else the start of today (UTC)."""
    last = last_summary_end(conn)
    if last is not None and last <= now:
        return last
    return day_start(now)


def queue_summary(conn: Connection, *, now: datetime) -> wire.Summary:
    """Build the next summary and write it to the outbox (call inside a transaction)."""
    from vmadesk.sync import outbox

    summary = build_summary(conn, now=now, since=next_interval_start(conn, now))
    outbox.enqueue(conn, "summary", summary, now=now)
    settings_store.put(conn, _LAST_SUMMARY, to_db(now))
    return summary


def summary_due(conn: Connection, *, now: datetime, every: timedelta) -> bool:
    """Whether the next summary is due (``every`` since the last one, and never twice at once).

    ``every`` zero means every sync round; a round that already queued one (the backfill's) at
    this instant adds no empty interval after it.
    """
    last = last_summary_end(conn)
    return last is None or (now > last and now - last >= every)
