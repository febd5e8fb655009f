"""An item another VMA turned out to hold: not workable here, and what happened to the work.

A console that was offline (or had not synced yet) may hold an item in its lanes that another
VMA claimed first, took over or was given by a supervisor. Once the sync round learns it, the
item leaves this VMA's lanes; a dialog that was open on it meanwhile meets these rules:

* a **call** already made is never lost: it is recorded in the item's history (it changes
  nothing else here) and goes to the holder with the next round
  (:mod:`vmadesk.services.conflict_handback`), so the patient is not called twice;
* every **other change** is refused (one owner per item) with words that say who holds it,
  since when, and what of this VMA's work went to them (:func:`conflict_words`).

Light on purpose: the work service reads it on every change, so it loads no sync machinery.
"""

from __future__ import annotations

from datetime import UTC, datetime

from vmadesk.domain.vocabulary import CONTACT_OUTCOMES, ItemAction, Outcome
from vmadesk.services.errors import ActionRefused
from vmadesk.store import audit, history, holding
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.holding import HeldElsewhere

#: Outcome codes that are calls (what "your N calls" counts).
CONTACT_CODES = frozenset(outcome.value for outcome in CONTACT_OUTCOMES)


def held_elsewhere(conn: Connection, item_id: int) -> HeldElsewhere | None:
    """Who holds ``item_id`` when another VMA does (None when it is this VMA's to work)."""
    return holding.held_elsewhere(conn, item_id, CONTACT_CODES)


def _since_words(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "a moment unknown here"


def plural(n: int, word: str) -> str:
    """``n`` and the word, in the plural unless ``n`` is 1."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def conflict_words(held: HeldElsewhere) -> str:
    """The item's conflict state in words: who holds it, since when, what went to them."""
    text = f"Held by {held.holder} since {_since_words(held.since)}"
    if held.calls_passed or held.notes_passed:
        passed = []
        if held.calls_passed:
            passed.append(f"your {plural(held.calls_passed, 'call')}")
        if held.notes_passed:
            passed.append(f"{'your ' if not passed else ''}{plural(held.notes_passed, 'note')}")
        verb = "was" if held.calls_passed + held.notes_passed == 1 else "were"
        text += f"; {' and '.join(passed)} {verb} passed to them"
    return text + "."


def refuse_if_held_elsewhere(conn: Connection, item_id: int, action: ItemAction) -> None:
    """Refuse to change an item another VMA holds (one owner per item).

    A hold that ends by itself (the console's tick) is bookkeeping, not work, and passes.

    Raises:
        ActionRefused: another VMA holds it; the message says who and what was passed on.
    """
    if action is ItemAction.RESUME:
        return
    held = held_elsewhere(conn, item_id)
    if held is not None:
        raise ActionRefused(f"{conflict_words(held)} Take it over (with a reason) to work it here.")


def record_call_for_holder(
    conn: Connection,
    item_id: int,
    outcome: Outcome,
    *,
    at: datetime,
    author: str,
    number_dialled: str | None,
    identity_verified: bool,
    note: str,
    details: dict[str, str] | None,
) -> HeldElsewhere | None:
    """Record a call made on an item another VMA holds, for them (one transaction).

    The attempt joins the item's history here (nothing else on the item changes) and goes to
    the holder with the next sync round.

    Returns:
        Who holds the item, or None when it is this VMA's (then nothing was written).
    """
    with transaction(conn):
        held = held_elsewhere(conn, item_id)
        if held is None:
            return None
        history.add_attempt(
            conn,
            item_id,
            at=at,
            outcome=outcome.value,
            number_dialled=number_dialled,
            identity_verified=identity_verified,
            note=note,
            details=details,
            author=author,
        )
        audit.append(
            conn,
            AuditEvent.CLAIM,
            item_id=item_id,
            details={"action": "call_for_holder", "holder": held.holder, "outcome": outcome.value},
            at=at,
        )
    return held
