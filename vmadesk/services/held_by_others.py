"""Items another VMA holds at the team hub, and taking one over with a reason.

What the GUI's "Held by others" view and ``vmadesk item ID takeover`` share: the list (which
VMA, since when, whether they are working it, it is unattended or done) and the takeover, with
every failure turned into words (:class:`~vmadesk.services.errors.ActionRefused`); nothing
changes locally unless the hub recorded the takeover.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vmadesk import wire
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.errors import ActionRefused
from vmadesk.services.held_elsewhere import CONTACT_CODES, plural
from vmadesk.services.sync_claims import REASON_LABELS, takeover
from vmadesk.store import settings_store
from vmadesk.store.connection import Connection
from vmadesk.store.holding import HELD_BY_OTHERS, ITEMS_WITH_CLAIMS, passed_counts
from vmadesk.store.timestamps import from_db
from vmadesk.sync import enrolment
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable

#: The reason codes a takeover is recorded with (the product's vocabulary; includes ``other``).
TakeoverReason = wire.TakeoverReason

#: What the hub said of the holder's work, in words.
STATUS_WORDS: dict[str, str] = {
    "working": "working on it",
    "unattended": "unattended (their console is away)",
    "done": "done",
}

#: Takeover reasons in the order offered to the VMA, with their words.
TAKEOVER_REASONS: tuple[tuple[wire.TakeoverReason, str], ...] = tuple(
    (reason, REASON_LABELS[reason].capitalize()) for reason in wire.TakeoverReason
)


class HubUnreachable(ActionRefused):
    """The team hub could not be reached: nothing changed; trying again later may work."""


@dataclass(frozen=True)
class HeldItem:
    """One of this console's items that another VMA holds (no patient detail)."""

    item_id: int
    lane: Lane
    due: datetime
    held_by: str
    since: datetime | None
    status: str
    #: This VMA's calls and notes on the item that went to the holder.
    calls_passed: int = 0
    notes_passed: int = 0

    @property
    def status_words(self) -> str:
        """The holder's status in words."""
        return STATUS_WORDS.get(self.status, self.status)

    @property
    def passed_words(self) -> str:
        """What of this VMA's work went to the holder, in words ("–" when nothing)."""
        parts = [
            plural(n, word)
            for n, word in ((self.calls_passed, "call"), (self.notes_passed, "note"))
            if n
        ]
        return f"{' and '.join(parts)} passed to them" if parts else "–"


def held_by_others(conn: Connection) -> list[HeldItem]:
    """Items that left this VMA's lanes because another VMA holds them, oldest claim first.

    The same items the status bar counts and ``vmadesk items --status held`` lists as held by
    another VMA (:data:`vmadesk.store.holding.HELD_BY_OTHERS`).
    """
    rows = conn.execute(
        "SELECT i.id, i.lane, i.effective_due, coalesce(c.held_by, i.owner), c.held_since,"
        f" c.held_status FROM {ITEMS_WITH_CLAIMS} WHERE {HELD_BY_OTHERS}"
        " ORDER BY c.held_since IS NULL, c.held_since, i.id",
        {"me": settings_store.vma_handle(conn)},
    ).fetchall()
    passed = passed_counts(conn, CONTACT_CODES)
    return [
        HeldItem(
            item_id=r[0],
            lane=Lane(r[1]),
            due=from_db(r[2]),
            held_by=r[3] or "another VMA",
            since=from_db(r[4]) if r[4] else None,
            status=r[5] or "working",
            calls_passed=passed.get(r[0], (0, 0))[0],
            notes_passed=passed.get(r[0], (0, 0))[1],
        )
        for r in rows
    ]


def parse_reason(code: str) -> wire.TakeoverReason:
    """A reason code as typed (``holder_off_shift``, ``other`` …).

    Raises:
        ActionRefused: not one of the product's reason codes (the message lists them).
    """
    try:
        return wire.TakeoverReason(code.strip().lower())
    except ValueError:
        codes = ", ".join(reason.value for reason in wire.TakeoverReason)
        raise ActionRefused(f"Unknown takeover reason. Use one of: {codes}.") from None


def take_over(
    conn: Connection,
    item_id: int,
    reason: wire.TakeoverReason,
    *,
    client: HubClient | None = None,
    now: datetime | None = None,
) -> str:
    """Take over ``item_id`` from the VMA holding it; returns what happened, in words.

    Raises:
        ActionRefused: not enrolled, no such item, already this VMA's, done work, or the hub
            unreachable or refusing; nothing changed.
    """
    config = enrolment.hub_config(conn)
    if config is None:
        raise ActionRefused(
            "This profile is not enrolled at a team hub: there is nobody to take it over from."
        )
    row = conn.execute(
        "SELECT c.state, c.held_by FROM items i LEFT JOIN claims c ON c.item_id = i.id"
        " WHERE i.id = ?",
        (item_id,),
    ).fetchone()
    if row is None:
        raise ActionRefused(f"There is no item {item_id} in this profile.")
    state, holder = row
    if state is None:
        raise ActionRefused(
            f"Item {item_id} is not claimed at the team hub yet: sync first, then try again."
        )
    if state not in ("conflict", "taken_over"):
        raise ActionRefused(f"Item {item_id} is already yours; nobody else holds it.")
    own = client is None
    hub = client or HubClient(config.url, config.token)
    try:
        result = takeover(conn, hub, item_id, reason, now=now)
    except HubUnavailable:
        raise HubUnreachable(
            "The team hub cannot be reached: nothing changed. Try again once it is back."
        ) from None
    except HubRejected as error:
        if error.status == 409:
            raise ActionRefused(
                f"{holder} has done this item: done work cannot be taken over (they can reopen it)."
            ) from None
        raise ActionRefused(
            f"The team hub refused the takeover ({error.status}); nothing changed."
        ) from None
    finally:
        if own:
            hub.close()
    previous = result.previous_holder or holder or "nobody"
    return f"Item {item_id} taken over from {previous} ({REASON_LABELS[reason]})."
