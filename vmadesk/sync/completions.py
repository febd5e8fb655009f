"""Whether reopening a completion takes it off the team board's "done" (on time or late).

Apart from :mod:`vmadesk.sync.summary` on purpose: the work service asks it on every reopen,
and the console must not load the wire schema (pydantic) before its first lane is painted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vmadesk.domain.vocabulary import BOARD_WINDOW_DAYS, COMPLETED_BY_PRACTICE_SYSTEM, ItemStatus
from vmadesk.store.items import ItemRow

WITHDRAWN_ON_TIME, WITHDRAWN_LATE = "on_time", "late"


def completion_withdrawn(item: ItemRow, now: datetime) -> str | None:
    """How reopening ``item`` at ``now`` changes the board's "done": on time, late or not at all.

    Only a completion the board counted (a VMA's, not the practice system's) and still sums
    (closed within :data:`~vmadesk.domain.vocabulary.BOARD_WINDOW_DAYS`) is withdrawn.
    """
    if item.status != ItemStatus.COMPLETED or item.closed_at is None:
        return None
    if item.outcome_json == COMPLETED_BY_PRACTICE_SYSTEM:
        return None
    closed = item.closed_at
    if closed < now - timedelta(days=BOARD_WINDOW_DAYS):
        return None
    return WITHDRAWN_ON_TIME if closed <= item.effective_due else WITHDRAWN_LATE
