"""Team-wide practice identities in a sync round: fetch the map, move claims to their new keys.

When the supervisor registers a practice (or adds a local code to one), the pseudonyms of this
console's practice-keyed items change (:mod:`vmadesk.sync.practice_identity`). Each claim moves:
the item is claimed under its new pseudonym first (granted, or a conflict that tells who else
works the same appointment under another local code), then the old claim goes (``rekeyed``), in
that order in the outbox, so no item is left without an owner at the hub. Done work is reported
done again under its new key.
"""

from __future__ import annotations

from datetime import datetime

from vmadesk import wire
from vmadesk.domain.vocabulary import ItemStatus
from vmadesk.store import items
from vmadesk.store.connection import Connection, transaction
from vmadesk.sync import enrolment, outbox
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.item_events import RELEASE_FOR_STATUS, item_pseudonym, queue_claim, queue_release
from vmadesk.sync.practice_identity import practice_aliases, store_aliases


def refresh_practices(conn: Connection, client: HubClient, now: datetime) -> int:
    """Fetch the team's practice identities; move claims whose pseudonym changed.

    Returns:
        How many claims moved to a new pseudonym.
    """
    listing = client.practices()
    fresh = {alias: p.practice for p in listing.practices for alias in p.aliases}
    if fresh == practice_aliases(conn):
        return 0
    secret = enrolment.team_secret(conn)
    moved = 0
    with transaction(conn):
        store_aliases(conn, fresh)
        if secret is None:
            return 0  # nothing was claimed yet; the backfill keys everything the new way
        rows = conn.execute("SELECT item_id, pseudonym, state FROM claims").fetchall()
        for item_id, old, state in rows:
            item = items.get_item(conn, item_id)
            new = item_pseudonym(secret, item, fresh)
            if new == old:
                continue
            moved += 1
            if state not in ("held", "pending"):
                conn.execute("UPDATE claims SET pseudonym = ? WHERE item_id = ?", (new, item_id))
                continue
            queue_claim(conn, item, secret, now)
            if not ItemStatus(item.status).is_open and item.status in RELEASE_FOR_STATUS:
                queue_release(conn, item, secret, RELEASE_FOR_STATUS[item.status], now)
            payload = {"pseudonym": old, "reason": wire.ReleaseReason.REKEYED.value}
            outbox.enqueue(conn, "release", payload, now=now)
    return moved
