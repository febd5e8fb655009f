"""Work done on an item another VMA held, passed to that holder: no patient called twice.

A console that was offline (or had not synced yet) may log calls and notes on an item that
meanwhile another VMA claimed first, took over, or was given by a supervisor. The sync round
that learns it (:mod:`vmadesk.services.sync_claims`, :mod:`vmadesk.services.sync_moves`) moves the
item out of this VMA's lanes; this module then

* **passes the work on** (:func:`pass_back`): the item as a handoff packet carries it — its
  attempts, notes and escalations with their SBAR texts — whenever this VMA made any on it
  (the holder's copy never had them: they claimed it first, took it over, or were given it),
  sealed to the holder's pinned public key and relayed by the hub's envelope relay as
  ciphertext (no PHI at the hub). Each row passed is recorded (``handback_rows``) so that none
  is passed twice, also when a dialog that was open during the round records one more call
  afterwards (:func:`vmadesk.services.held_elsewhere.record_call_for_holder`);
* **merges it at the holder** (:func:`apply_handback`): the history joins the holder's copy
  (nothing doubled; calls counted in the item's attempts, but on the board for whoever made
  them), open escalations with their SBAR texts and hub links come along, and one note says who
  worked it and how much. A holder that never had the item (a supervisor gave it to them)
  gets it whole, in their lanes, claimed at the hub.

What the passing console shows and refuses is :mod:`vmadesk.services.held_elsewhere`.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from vmadesk import wire
from vmadesk.services.errors import ActionRefused
from vmadesk.services.handoff_hub import default_note, pin_colleague
from vmadesk.services.handoff_payload import (
    item_payload,
    payload_columns,
    receiver_practice,
    take_over_history,
)
from vmadesk.services.held_elsewhere import CONTACT_CODES, plural
from vmadesk.store import audit, box_keys, history, items, settings_store
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.holding import HELD_ELSEWHERE_STATES
from vmadesk.store.timestamps import to_db
from vmadesk.sync import enrolment, outbox, sealed
from vmadesk.sync.hub_client import HubClient, HubRejected
from vmadesk.sync.item_events import queue_claim

log = logging.getLogger(__name__)

#: The key that marks a sealed envelope's body as a hand-back (packets and receipts lack it).
HANDBACK_KEY = "handback"
#: Notes that are the console's own bookkeeping, never passed on.
_NOT_PASSED = ("claim", HANDBACK_KEY)


# -- the passing console -------------------------------------------------------------------


def _unpassed_rows(conn: Connection, item_id: int, author: str) -> list[tuple[str, int]]:
    """This VMA's attempts, notes and escalations on the item not passed to its holder yet."""
    return [
        (str(kind), int(row_id))
        for kind, row_id in conn.execute(
            "SELECT 'attempt', id FROM attempts WHERE item_id = :item AND author = :me"
            " UNION ALL SELECT 'note', id FROM notes WHERE item_id = :item AND author = :me"
            f" AND kind NOT IN ({', '.join(repr(k) for k in _NOT_PASSED)})"
            " UNION ALL SELECT 'escalation', id FROM escalations WHERE item_id = :item"
            " AND author = :me"
            " EXCEPT SELECT kind, row_id FROM handback_rows WHERE item_id = :item",
            {"item": item_id, "me": author},
        )
    ]


def _held_with_work(conn: Connection, me: str, author: str) -> dict[str, list[tuple[int, list]]]:
    """Per holder: the items another VMA holds that carry work of ``author`` not passed yet."""
    out: dict[str, list[tuple[int, list]]] = defaultdict(list)
    for item_id, holder in conn.execute(
        "SELECT item_id, held_by FROM claims WHERE state IN (?, ?) AND held_by IS NOT NULL"
        " AND held_by != ? ORDER BY item_id",
        (*HELD_ELSEWHERE_STATES, me),
    ).fetchall():
        rows = _unpassed_rows(conn, item_id, author)
        if rows:
            out[holder].append((item_id, rows))
    return out


def _holder_key(conn: Connection, client: HubClient, holder: str) -> Any | None:
    """The holder's pinned public key (fetched and pinned on first use); None if unusable."""
    known = box_keys.colleagues(conn).get(holder)
    if known is not None:
        return known
    try:
        pin_colleague(conn, holder, client.public_key(holder).public_key)
    except (ActionRefused, HubRejected) as error:
        log.warning("no usable key to pass work to a colleague (%s)", type(error).__name__)
        return None
    return box_keys.colleagues(conn).get(holder)


def pass_back(conn: Connection, client: HubClient, now: datetime, *, me: str, author: str) -> int:
    """Seal and queue, to each holder, the items others hold that carry this VMA's unpassed work.

    ``me`` is the VMA's hub handle (holders are hub handles), ``author`` the handle its
    attempts and notes are signed with (the same once enrolment adopted the hub handle).

    The envelope goes out with the round's last sends (the outbox); the rows passed, a note on
    each item and an audit entry are written in the same transaction.

    Returns:
        How many items had work passed on.
    """
    passed = 0
    for holder, work in _held_with_work(conn, me, author).items():
        key = _holder_key(conn, client, holder)
        if key is None:
            continue  # tried again next round
        with transaction(conn):
            payloads = []
            for index, (item_id, _rows) in enumerate(work):
                item = items.get_item(conn, item_id)
                payload = item_payload(conn, item, default_note(item), index)
                payload["notes"] = [n for n in payload["notes"] if n["kind"] not in _NOT_PASSED]
                payload["pseudonym"] = conn.execute(
                    "SELECT pseudonym FROM claims WHERE item_id = ?", (item_id,)
                ).fetchone()[0]
                payloads.append(payload)
            body = {HANDBACK_KEY: 1, "sender": author, "items": payloads}
            envelope = wire.HandoffEnvelope(
                envelope_id=str(uuid.uuid4()),
                receiver=holder,
                sealed=sealed.b64(sealed.seal_to(key, json.dumps(body).encode("utf-8"))),
                item_count=0,  # nothing changes hands: it is history, not items
            )
            outbox.enqueue(conn, "handoff", envelope, now=now)
            conn.execute(
                "INSERT INTO hub_handoffs (envelope_id, direction, kind, peer, created_at)"
                " VALUES (?, 'out', 'handback', ?, ?)",
                (envelope.envelope_id, holder, to_db(now)),
            )
            for item_id, rows in work:
                _record_passed(conn, item_id, rows, holder, envelope.envelope_id, now)
        passed += len(work)
    return passed


def _record_passed(
    conn: Connection,
    item_id: int,
    rows: list[tuple[str, int]],
    holder: str,
    envelope_id: str,
    now: datetime,
) -> None:
    conn.executemany(
        "INSERT INTO handback_rows (kind, row_id, item_id, holder, envelope_id, passed_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(kind, row_id, item_id, holder, envelope_id, to_db(now)) for kind, row_id in rows],
    )
    calls = sum(
        1
        for kind, row_id in rows
        if kind == "attempt"
        and conn.execute("SELECT outcome FROM attempts WHERE id = ?", (row_id,)).fetchone()[0]
        in CONTACT_CODES
    )
    count = {k: sum(kind == k for kind, _ in rows) for k in ("attempt", "note", "escalation")}
    what = _work_words(calls, count["attempt"] - calls, count["note"], count["escalation"])
    history.add_note(
        conn,
        item_id,
        at=now,
        author="hub",
        kind="claim",
        text=f"{holder} holds this item: {what} you recorded on it went to them (sealed, "
        "through the team hub), so the patient is not called twice.",
    )
    audit.append(
        conn,
        AuditEvent.CLAIM,
        item_id=item_id,
        details={"action": "handback_sent", "holder": holder, **count},
        at=now,
    )


def _work_words(calls: int, outcomes: int, notes: int, escalations: int = 0) -> str:
    parts = [
        plural(n, word)
        for n, word in (
            (calls, "call"),
            (outcomes, "outcome"),
            (notes, "note"),
            (escalations, "escalation"),
        )
        if n
    ]
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# -- the holder's console ------------------------------------------------------------------


def is_handback(body: object) -> bool:
    """Whether an opened envelope body is a hand-back (not a packet or a receipt)."""
    return isinstance(body, dict) and HANDBACK_KEY in body


def _local_item(conn: Connection, pseudonym: str) -> int | None:
    """This console's item for a pseudonym: the one held here first, else any."""
    row = conn.execute(
        "SELECT item_id FROM claims WHERE pseudonym = ?"
        " ORDER BY state != 'held', state != 'pending', item_id LIMIT 1",
        (pseudonym,),
    ).fetchone()
    return int(row[0]) if row else None


def apply_handback(conn: Connection, sender: str, body: dict[str, Any], now: datetime) -> int:
    """Merge a colleague's passed work into this console's items (one transaction).

    Args:
        conn: The holder's connection.
        sender: The colleague's handle, as the hub authenticated it.
        body: The opened envelope.
        now: The round's time.

    Returns:
        How many items received work.
    """
    merged = 0
    with transaction(conn):
        for entry in body.get("items", []):
            if not isinstance(entry, dict) or "item" not in entry:
                continue
            entry = {**entry, "sender": sender}  # authors default to the authenticated sender
            item_id = _local_item(conn, str(entry.get("pseudonym", "")))
            if item_id is None:
                item_id = _adopt(conn, entry, now)
            _merge(conn, item_id, sender, entry, now)
            merged += 1
    return merged


def _adopt(conn: Connection, entry: dict[str, Any], now: datetime) -> int:
    """The whole item, for a holder who never had it (a supervisor gave it to them)."""
    me = settings_store.vma_handle(conn)
    practice_id = receiver_practice(conn, entry["practice"])
    values = payload_columns(entry, practice_id=practice_id, owner=me, now=now)
    values.update(attempt_count=0)  # the merged calls count below
    item_id = items.insert_item(conn, values)
    secret = enrolment.team_secret(conn)
    if secret is not None:
        queue_claim(conn, items.get_item(conn, item_id), secret, now)
    return item_id


def _merge(
    conn: Connection, item_id: int, sender: str, entry: dict[str, Any], now: datetime
) -> None:
    def calls_and_others() -> tuple[int, int, int]:
        outcomes = [a.outcome for a in history.attempts_for(conn, item_id)]
        calls = sum(o in CONTACT_CODES for o in outcomes)
        return calls, len(outcomes) - calls, len(history.notes_for(conn, item_id))

    calls_before, outcomes_before, notes_before = calls_and_others()
    open_escalations = take_over_history(conn, item_id, entry, now)
    calls_after, outcomes_after, notes_after = calls_and_others()
    calls = calls_after - calls_before
    item = items.get_item(conn, item_id)
    if calls:
        items.update_item(
            conn,
            item_id,
            {"attempt_count": item.attempt_count + calls, "updated_at": to_db(now)},
        )
    what = _work_words(calls, outcomes_after - outcomes_before, notes_after - notes_before)
    escalated = (
        f" {plural(open_escalations, 'open escalation')} came with it (SBAR in the history)."
        if open_escalations
        else ""
    )
    history.add_note(
        conn,
        item_id,
        at=now,
        author="hub",
        kind="claim",
        text=f"{sender} worked this item before their console learnt that you hold it: {what}, "
        f"now in this history.{escalated} Read them before you call the patient.",
    )
    audit.append(
        conn,
        AuditEvent.CLAIM,
        item_id=item_id,
        details={
            "action": "handback_received",
            "from": sender,
            "calls": calls,
            "escalations": open_escalations,
        },
        at=now,
    )
