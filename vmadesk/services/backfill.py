"""The one-time backfill: work that existed before this profile could send reaches the hub.

Change hooks queue hub messages only once the profile can make pseudonyms (enrolled *and*
holding the team secret). Items imported or created and escalations raised before that moment
were never queued, so the hub would not know who owns those items and supervisors would never
see those escalations. When a profile first becomes able to send, :func:`run_backfill` queues,
in one transaction with a marker setting:

* a claim for every open item this VMA owns (the hub then knows who works it);
* an :class:`~vmadesk.wire.EscalationRaised` (and its ``escalated`` item event) for every
  open escalation (raised or acknowledged) the hub has not been told about;
* a summary, when the profile holds any items, so the board shows the figures at once.

The marker (:data:`BACKFILL_SETTING`) records the hub URL and account it ran for: running again
for the same enrolment queues nothing, while an enrolment at another hub (or as another account)
backfills again, because that hub knows nothing yet. Only VMA profiles backfill: a supervisor's
profile holds evidence keys, not a work queue.

Called by :func:`vmadesk.services.sync_service.sync_once` (the secret may arrive on any round)
and at the end of :func:`vmadesk.services.enrolment.enroll` when the secret came with enrolment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vmadesk.store import escalations, settings_store
from vmadesk.store import items as items_store
from vmadesk.store.audit import AuditEvent, append
from vmadesk.store.connection import Connection
from vmadesk.store.settings_store import vma_handle
from vmadesk.sync import enrolment, summary
from vmadesk.sync.item_events import queue_claim, queue_escalation_raised

#: Setting holding ``"<hub url> <handle>"`` of the enrolment the backfill ran for.
BACKFILL_SETTING = "sync.backfilled_for"


@dataclass(frozen=True)
class BackfillResult:
    """What one backfill queued (counts only)."""

    claims: int
    escalations: int
    summary: bool


def _marker(config: enrolment.HubConfig) -> str:
    # A space cannot occur in a URL or a handle, so the pair stays unambiguous.
    return f"{config.url} {config.handle}"


def backfill_due(conn: Connection) -> bool:
    """Whether this profile can send and has not backfilled for its current enrolment."""
    config = enrolment.hub_config(conn)
    if config is None or config.role != "vma" or enrolment.team_secret(conn) is None:
        return False
    return settings_store.get(conn, BACKFILL_SETTING) != _marker(config)


def run_backfill(conn: Connection, *, now: datetime) -> BackfillResult | None:
    """Queue what existed before the profile could send; None when nothing is due.

    Call inside a transaction: the outbox rows and the marker commit together, so a crash
    either leaves everything to do again or nothing.

    Args:
        conn: Connection inside a transaction.
        now: Time of the claims and of the summary's interval end.

    Returns:
        The counts queued, or None when no backfill was due.
    """
    if not conn.in_transaction:
        raise RuntimeError("run_backfill belongs inside a transaction")
    if not backfill_due(conn):
        return None
    config = enrolment.hub_config(conn)
    secret = enrolment.team_secret(conn)
    assert config is not None and secret is not None  # backfill_due checked both
    item_ids = [
        int(row[0])
        for row in conn.execute(
            "SELECT id FROM items WHERE is_open = 1 AND owner = ? ORDER BY id", (vma_handle(conn),)
        )
    ]
    # Items acknowledged from a handoff take the sender's offered claim instead of conflicting.
    acknowledged = {
        int(row[0])
        for row in conn.execute(
            "SELECT hi.item_id FROM handoff_items hi JOIN handoffs h ON h.id = hi.handoff_id"
            " WHERE h.direction = 'in' AND hi.state = 'acknowledged' AND hi.item_id IS NOT NULL"
        )
    }
    for item_id in item_ids:
        queue_claim(
            conn,
            items_store.get_item(conn, item_id),
            secret,
            now,
            accept_offer=item_id in acknowledged,
        )
    sent_escalations = sum(
        queue_escalation_raised(conn, row, secret, force=True)
        for row in escalations.listing(conn, open_only=True)
    )
    has_items = conn.execute("SELECT 1 FROM items LIMIT 1").fetchone() is not None
    if has_items:
        summary.queue_summary(conn, now=now)
    settings_store.put(conn, BACKFILL_SETTING, _marker(config))
    append(
        conn,
        AuditEvent.SYNC,
        details={
            "action": "backfill",
            "claims": len(item_ids),
            "escalations": sent_escalations,
        },
        at=now,
    )
    return BackfillResult(len(item_ids), sent_escalations, has_items)
