"""Which of the profile's items another VMA holds: the one definition every count and list uses.

The status bar's "N held by others", ``vmadesk items --status held`` and the "Held by others"
view all read these, so their numbers cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from vmadesk.store.connection import Connection

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


def held_counts(conn: Connection, me: str) -> HeldCounts:
    """How many items another VMA holds, and how many wait in an unacknowledged handoff."""
    others, in_handoff = conn.execute(
        f"SELECT coalesce(sum({HELD_BY_OTHERS}), 0), coalesce(sum({IN_HANDOFF}), 0)"
        f" FROM {ITEMS_WITH_CLAIMS}",
        {"me": me},
    ).fetchone()
    return HeldCounts(int(others), int(in_handoff))
