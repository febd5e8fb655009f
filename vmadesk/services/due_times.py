"""Recompute the due times of open items after a practice's hours or policies change."""

from __future__ import annotations

from datetime import timedelta

from vmadesk.domain.sla import compute_due
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.item_factory import timing_columns
from vmadesk.services.practice_setup import load_context
from vmadesk.store import item_queries, items
from vmadesk.store.connection import Connection


def recompute_open_due(conn: Connection, practice_id: int) -> int:
    """Move every open item of a practice to the due time its current policy gives.

    Time already spent on hold still pushes the due time back. Call inside the transaction
    that changed the policy, so items never disagree with the settings on screen.

    Returns:
        How many items were updated.
    """
    ctx = load_context(conn, practice_id)
    query = item_queries.ItemQuery(practice_id=practice_id, open_only=True)
    total = item_queries.count(conn, query)
    changed = 0
    for row in item_queries.page(conn, query, offset=0, limit=max(total, 1)):
        lane = Lane(row.lane)
        due = compute_due(
            ctx.policies[lane],
            ctx.hours,
            requested_at=row.requested_at or row.created_at,
            appointment_start=row.appointment_start,
        )
        values = timing_columns(ctx, lane, due, timedelta(seconds=row.held_seconds))
        if any(row.stored_value(k) != v for k, v in values.items()):
            items.update_item(conn, row.id, values)
            changed += 1
    return changed
