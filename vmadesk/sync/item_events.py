"""Item events and ownership claims, written to the outbox inside each change's transaction.

:func:`make_change_hook` gives :class:`vmadesk.services.work.WorkService` (and the importer) an
``on_change`` hook; :func:`make_escalation_hook` gives one to
:class:`vmadesk.services.escalation.EscalationService`. Both return ``None`` while the profile is
not enrolled at a hub; while the team secret is missing (no pseudonyms) they queue nothing.

What leaves the machine for an item is its **pseudonym**, its lane, codes, an attempt count and
the event time *relative to the item's due time* (``seconds_from_due``; never a date). The
pseudonym covers the source record **and the lane**: ``pseudonym(secret, "<system>/<lane>",
source_id)``, because the same appointment is one item in the confirmation lane and another in
the eligibility lane, and two VMAs may own those two lanes.

Claims: an imported, created or reopened item is claimed (``claim`` row in the outbox,
``pending`` in the local ``claims`` table). A claim lives as long as the item: a completed,
failed or cancelled item is reported done (the hub keeps it owned as done work); a handed-off
item is *offered* to the receiver, and stays this VMA's until the receiver acknowledges it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from vmadesk import wire
from vmadesk.domain.vocabulary import CloseReason, HoldReason, ItemAction, ItemStatus, Lane, Outcome
from vmadesk.store import handoffs as handoffs_store
from vmadesk.store import items as items_store
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection
from vmadesk.store.escalations import EscalationRow
from vmadesk.store.items import ItemRow
from vmadesk.store.timestamps import from_db, to_db
from vmadesk.sync import outbox
from vmadesk.sync.enrolment import hub_config, team_secret
from vmadesk.sync.practice_identity import practice_aliases, team_system
from vmadesk.sync.pseudonym import pseudonym
from vmadesk.wire import ItemEventKind, ReleaseReason

#: Item action -> wire event kind. Actions not listed (attempts apart) send nothing.
ACTION_EVENTS: dict[ItemAction, ItemEventKind] = {
    ItemAction.IMPORTED: ItemEventKind.IMPORTED,
    ItemAction.OUTCOME: ItemEventKind.COMPLETED,
    ItemAction.COMPLETE: ItemEventKind.COMPLETED,
    ItemAction.CANCEL: ItemEventKind.CANCELLED,
    ItemAction.FAIL: ItemEventKind.FAILED,
    ItemAction.HOLD: ItemEventKind.ON_HOLD,
    ItemAction.HANDED_OFF: ItemEventKind.HANDED_OFF,
}
#: Actions after which the item is this VMA's work to own: claimed at the hub.
_CLAIM_ACTIONS = frozenset({ItemAction.IMPORTED, ItemAction.REOPENED})
RELEASE_FOR_STATUS = {
    ItemStatus.COMPLETED: ReleaseReason.COMPLETED,
    ItemStatus.FAILED: ReleaseReason.FAILED,
    ItemStatus.CANCELLED: ReleaseReason.CANCELLED,
}

EscalationHook = Callable[[Connection, EscalationRow], None]


def item_pseudonym(secret: bytes, item: ItemRow, aliases: Mapping[str, str] | None = None) -> str:
    """The pseudonym of one item (source record and lane) under the team secret.

    ``aliases``: the team-wide practice identities
    (:func:`~vmadesk.sync.practice_identity.practice_aliases`); practice-keyed systems are
    keyed by the team's practice id when their local code is registered.
    """
    system = team_system(item.source_system, aliases or {})
    return pseudonym(secret, f"{system}/{item.lane}", item.source_id)


def _clamp(seconds: float) -> int:
    return max(-wire.MAX_SECONDS, min(wire.MAX_SECONDS, round(seconds)))


def seconds_from_due(item: ItemRow, at: datetime) -> int:
    """``at`` minus the item's (effective) due time, in whole seconds, clamped to the wire."""
    return _clamp((at - item.effective_due).total_seconds())


def _code(enum: type, value: Any) -> Any:
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def build_item_event(
    item: ItemRow,
    event: ItemEventKind,
    *,
    secret: bytes,
    at: datetime | None = None,
    outcome: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> wire.ItemEvent:
    """The PHI-free event for ``item``: pseudonym, lane, codes, time relative to due."""
    when = at or item.updated_at
    close_reason = None
    if event in (ItemEventKind.CANCELLED, ItemEventKind.FAILED):
        close_reason = _code(CloseReason, item.status_reason)
    return wire.ItemEvent(
        pseudonym=item_pseudonym(secret, item, aliases),
        lane=Lane(item.lane),
        event=event,
        outcome=_code(Outcome, outcome if outcome is not None else item.outcome),
        close_reason=close_reason,
        hold_reason=_code(HoldReason, item.hold_reason) if event is ItemEventKind.ON_HOLD else None,
        seconds_from_due=seconds_from_due(item, when),
        attempt_count=min(item.attempt_count, wire.MAX_COUNT),
    )


def events_for(
    item: ItemRow, action: ItemAction, details: dict[str, Any]
) -> list[tuple[ItemEventKind, str | None]]:
    """The wire events one local action produces (with the outcome code to report)."""
    if action == ItemAction.ATTEMPT:
        outcome = details.get("outcome")
        first = ItemEventKind.FIRST_ATTEMPT if item.attempt_count <= 1 else ItemEventKind.ATTEMPT
        out: list[tuple[ItemEventKind, str | None]] = [(first, outcome)]
        if item.status == ItemStatus.COMPLETED:
            out.append((ItemEventKind.COMPLETED, outcome))
        elif item.status == ItemStatus.ON_HOLD:
            out.append((ItemEventKind.ON_HOLD, outcome))
        return out
    kind = ACTION_EVENTS.get(action)
    if kind is None:
        return []
    return [(kind, details.get("outcome"))]


# -- local claims table ------------------------------------------------------------------------


def queue_claim(
    conn: Connection, item: ItemRow, secret: bytes, now: datetime, *, accept_offer: bool = False
) -> None:
    """Claim ``item`` at the next sync (outbox row + ``pending`` claim), in the transaction.

    ``accept_offer``: the item was acknowledged from a handoff; the hub moves the sender's
    claim to this VMA (see :func:`queue_offer`).
    """
    aliases = practice_aliases(conn)
    code = item_pseudonym(secret, item, aliases)
    conn.execute(
        "INSERT INTO claims (item_id, pseudonym, state, updated_at) VALUES (?, ?, 'pending', ?)"
        " ON CONFLICT (item_id) DO UPDATE SET pseudonym = excluded.pseudonym,"
        " state = CASE WHEN claims.state IN ('held', 'conflict') AND NOT ? THEN claims.state"
        " ELSE 'pending' END, updated_at = excluded.updated_at",
        (item.id, code, to_db(now), accept_offer),
    )
    payload: dict[str, Any] = {"pseudonym": code}
    if accept_offer:
        payload["accept_offer"] = True
    # The team practice id (registered at the hub; a code, never a name) lets the supervisor
    # see conflicts per practice. A practice the hub does not know is not named.
    local = conn.execute("SELECT code FROM practices WHERE id = ?", (item.practice_id,)).fetchone()
    if local is not None and local[0] in aliases:
        payload["practice"] = aliases[local[0]]
    outbox.enqueue(conn, "claim", payload, now=now)


def queue_release(
    conn: Connection, item: ItemRow, secret: bytes, reason: ReleaseReason, now: datetime
) -> None:
    """Report ``item``'s work ended (done) at the next sync, if this console claimed it.

    The hub keeps the claim as done work; the local claim stays as it is (a reopening claims
    again).
    """
    row = conn.execute(
        "SELECT state, pseudonym FROM claims WHERE item_id = ?", (item.id,)
    ).fetchone()
    if row is None or row[0] not in ("held", "pending"):
        return
    outbox.enqueue(conn, "release", {"pseudonym": row[1], "reason": reason.value}, now=now)


def queue_offer(conn: Connection, item: ItemRow, secret: bytes, now: datetime) -> None:
    """Offer ``item``'s claim to the receiver of the handoff it is in, at the next sync.

    The claim stays this VMA's at the hub until the receiver acknowledges the item.
    """
    row = conn.execute(
        "SELECT state, pseudonym FROM claims WHERE item_id = ?", (item.id,)
    ).fetchone()
    if row is None or row[0] not in ("held", "pending") or item.handoff_id is None:
        return
    receiver = handoffs_store.get(conn, item.handoff_id).receiver
    to = receiver if re.fullmatch(wire.HANDLE_PATTERN, receiver) else None
    outbox.enqueue(conn, "offer", {"pseudonym": row[1], "to": to}, now=now)


# -- hooks -------------------------------------------------------------------------------------


def _secret_reader(conn: Connection) -> Callable[[Connection], bytes | None] | None:
    """How a hook gets the team secret; None when the profile is not enrolled at a hub.

    Consoles build their hooks once, at start. An enrolled profile whose secret has not arrived
    yet still gets a reader, which looks again at each change until the secret is there (the
    sync round stores it on its own connection); what happened before it arrived is queued by
    the one-time backfill (:mod:`vmadesk.services.backfill`).
    """
    secret = team_secret(conn)
    if secret is not None:
        return lambda _conn: secret
    if hub_config(conn) is None:
        return None
    found: list[bytes] = []

    def read(conn: Connection) -> bytes | None:
        if not found:
            value = team_secret(conn)
            if value is None:
                return None
            found.append(value)
        return found[0]

    return read


def make_change_hook(conn: Connection) -> ChangeHook | None:
    """An ``on_change`` hook queueing item events and claims, or None when not enrolled.

    A profile enrolled at a hub but still without its team secret gets a hook that queues
    nothing until the secret arrives (see :func:`_secret_reader`).
    """
    read_secret = _secret_reader(conn)
    if read_secret is None:
        return None

    def hook(conn: Connection, item: ItemRow, action: ItemAction, details: dict[str, Any]) -> None:
        secret = read_secret(conn)
        if secret is None:
            return  # no pseudonyms yet: the backfill claims what is still open later
        when = item.updated_at
        names = practice_aliases(conn)
        for kind, outcome in events_for(item, action, details):
            outbox.enqueue(
                conn,
                "item_event",
                build_item_event(
                    item, kind, secret=secret, at=when, outcome=outcome, aliases=names
                ),
                now=when,
            )
        if action in _CLAIM_ACTIONS:
            queue_claim(conn, item, secret, when)
        elif action == ItemAction.HANDED_OFF:
            queue_offer(conn, item, secret, when)
        elif item.status in RELEASE_FOR_STATUS:
            queue_release(conn, item, secret, RELEASE_FOR_STATUS[item.status], when)

    return hook


def record_import(conn: Connection, item_id: int, hook: ChangeHook | None) -> None:
    """Call the hook for a freshly inserted item (inside the insert's transaction)."""
    if hook is not None:
        hook(conn, items_store.get_item(conn, item_id), ItemAction.IMPORTED, {})


def escalation_hub_id(conn: Connection, escalation_id: int, now: datetime) -> str:
    """The UUID the hub knows an escalation by (made on first use)."""
    row = conn.execute(
        "SELECT hub_id FROM escalation_links WHERE escalation_id = ?", (escalation_id,)
    ).fetchone()
    if row is not None:
        return str(row[0])
    hub_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO escalation_links (escalation_id, hub_id, hub_state, updated_at)"
        " VALUES (?, ?, 'raised', ?)",
        (escalation_id, hub_id, to_db(now)),
    )
    return hub_id


def queue_escalation_raised(
    conn: Connection, row: EscalationRow, secret: bytes, *, force: bool = False
) -> bool:
    """Queue an :class:`~vmadesk.wire.EscalationRaised` and its ``escalated`` item event.

    Call inside the transaction of the change (or of the backfill). An escalation the hub
    already knows (it has an ``escalation_links`` row) is skipped, so this is idempotent.

    Args:
        conn: Connection inside a transaction.
        row: The local escalation.
        secret: The team secret (for the item's pseudonym).
        force: Queue it in any open state (the backfill sends acknowledged ones too); without
            it only a freshly ``raised`` escalation is sent (later moves come from the hub).

    Returns:
        Whether anything was queued.
    """
    if row.state != "raised" and not (force and row.state != "resolved"):
        return False
    known = conn.execute(
        "SELECT 1 FROM escalation_links WHERE escalation_id = ?", (row.id,)
    ).fetchone()
    if known is not None:
        return False
    item = items_store.get_item(conn, row.item_id)
    names = practice_aliases(conn)
    raised = from_db(row.raised_at)
    age = (raised - item.created_at).total_seconds()
    message = wire.EscalationRaised(
        escalation_id=escalation_hub_id(conn, row.id, raised),
        category=wire.EscalationCategory(row.category),
        urgency=wire.Urgency(row.urgency),
        lane=Lane(item.lane),
        pseudonym=item_pseudonym(secret, item, names),
        age_seconds=max(0, min(wire.MAX_SECONDS, round(age))),
    )
    outbox.enqueue(conn, "escalation", message, now=raised)
    outbox.enqueue(
        conn,
        "item_event",
        build_item_event(item, ItemEventKind.ESCALATED, secret=secret, at=raised, aliases=names),
        now=raised,
    )
    return True


def make_escalation_hook(conn: Connection) -> EscalationHook | None:
    """An ``on_change`` hook for escalations, or None when not enrolled.

    A newly raised escalation queues an :class:`~vmadesk.wire.EscalationRaised` (category,
    urgency, lane, pseudonym, the item's age) and an ``escalated`` item event. Acknowledging and
    resolving happen at the hub (supervisors) and flow back on sync; local moves send nothing.
    Like :func:`make_change_hook`, an enrolled profile still waiting for its team secret gets a
    hook that starts queueing once the secret has arrived.
    """
    read_secret = _secret_reader(conn)
    if read_secret is None:
        return None

    def hook(conn: Connection, row: EscalationRow) -> None:
        secret = read_secret(conn)
        if secret is not None:
            queue_escalation_raised(conn, row, secret)

    return hook


def utcnow() -> datetime:
    """Now, UTC."""
    return datetime.now(UTC)
