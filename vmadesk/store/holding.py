"""Which of the profile's items another VMA holds: the one definition every count and list uses.

The status bar's "N held by others", ``vmadesk items --status held`` and the "Held by others"
view all read these, so their numbers cannot drift apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import from_db

#: Held by another VMA, as SQL over ``items AS i LEFT JOIN claims AS c`` (``:me`` = this VMA's
#: handle): the hub gave the claim to someone else (a conflict, or taken over from us), or the
#: console already moved the item's owner to its holder — either mark counts.
HELD_BY_OTHERS = "(i.owner != :me OR coalesce(c.state IN ('conflict', 'taken_over'), 0))"
#: Still this VMA's, but sent in a handoff packet the receiver has not acknowledged yet.
IN_HANDOFF = f"(i.is_open = 1 AND i.handoff_id IS NOT NULL AND NOT {HELD_BY_OTHERS})"
#: The join both predicates read.
ITEMS_WITH_CLAIMS = "items AS i LEFT JOIN claims AS c ON c.item_id = i.id"


@dataclass(frozen=True)
class HeldCounts:
    """Items in the profile that are not in the VMA's lanes, by why."""

    others: int
    in_handoff: int
    #: Of ``others``: items this VMA had worked, whose work went to the holder.
    with_work_passed: int = 0


def held_counts(conn: Connection, me: str) -> HeldCounts:
    """How many items another VMA holds, and how many wait in an unacknowledged handoff."""
    others, in_handoff, passed = conn.execute(
        f"SELECT coalesce(sum({HELD_BY_OTHERS}), 0), coalesce(sum({IN_HANDOFF}), 0),"
        f" coalesce(sum({HELD_BY_OTHERS} AND EXISTS"
        " (SELECT 1 FROM handback_rows h WHERE h.item_id = i.id)), 0)"
        f" FROM {ITEMS_WITH_CLAIMS}",
        {"me": me},
    ).fetchone()
    return HeldCounts(int(others), int(in_handoff), int(passed))


#: Claim states in which another VMA holds the item at the hub.
HELD_ELSEWHERE_STATES = ("conflict", "taken_over")


@dataclass(frozen=True)
class HeldElsewhere:
    """Who holds one of this profile's items at the hub, and what was passed to them."""

    holder: str
    since: datetime | None
    #: This VMA's calls (contact attempts) and notes on the item sent to the holder.
    calls_passed: int
    notes_passed: int


def passed_counts(
    conn: Connection, contact_outcomes: Iterable[str], item_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """Per item (or for ``item_id``): how many of this VMA's calls and notes went to its holder."""
    contact = sorted(contact_outcomes)
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for passed_item, kind, n in conn.execute(
        "SELECT h.item_id, h.kind, count(*) FROM handback_rows h"
        " LEFT JOIN attempts a ON h.kind = 'attempt' AND a.id = h.row_id"
        f" WHERE (h.kind = 'note' OR a.outcome IN ({', '.join('?' * len(contact))}))"
        " AND (? IS NULL OR h.item_id = ?)"
        " GROUP BY h.item_id, h.kind",
        (*contact, item_id, item_id),
    ):
        out[passed_item][0 if kind == "attempt" else 1] = int(n)
    return {k: (v[0], v[1]) for k, v in out.items()}


def held_elsewhere(
    conn: Connection, item_id: int, contact_outcomes: Iterable[str]
) -> HeldElsewhere | None:
    """Who holds ``item_id`` when another VMA does (None when it is this VMA's to work)."""
    row = conn.execute(
        "SELECT held_by, held_since FROM claims WHERE item_id = ? AND state IN (?, ?)",
        (item_id, *HELD_ELSEWHERE_STATES),
    ).fetchone()
    if row is None:
        return None
    calls, notes = passed_counts(conn, contact_outcomes, item_id).get(item_id, (0, 0))
    return HeldElsewhere(row[0] or "another VMA", from_db(row[1]) if row[1] else None, calls, notes)
