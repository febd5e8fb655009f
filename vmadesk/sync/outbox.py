"""The outbox: every outgoing hub message, written in the transaction of the change behind it.

Rows live in the encrypted store (``outbox`` table, schema V2). A row is *pending* until the hub
has answered for it (``sent_at``), or *rejected* when the hub refused it with a 4xx that retrying
cannot fix (kept, never deleted, and counted in :func:`counts`). Delivery is at-least-once: the
idempotency key (a UUID4 made here) lets the hub count a resent message once.

Kinds:

* ``summary``, ``item_event``, ``escalation`` — a :mod:`vmadesk.wire` message sent in a
  :class:`~vmadesk.wire.Batch` through ``POST /v1/messages``;
* ``claim`` / ``release`` — ownership requests (``{"pseudonym": …}`` / ``{"pseudonym": …,
  "reason": …}``), sent through the claims endpoints in the order they were written;
* ``handoff`` — a sealed handoff envelope (ciphertext only), posted to ``/v1/handoffs``.

Retry: ``mark_failed`` pushes ``next_try_at`` out by exponential backoff with jitter, from
:data:`BACKOFF_MIN` up to :data:`BACKOFF_MAX`.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from vmadesk.store import settings_store
from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import from_db, to_db

MESSAGE_KINDS = frozenset({"summary", "item_event", "escalation"})
CLAIM_KINDS = frozenset({"claim", "release", "offer"})
#: A sealed handoff envelope (:class:`~vmadesk.wire.HandoffEnvelope`: ciphertext only).
HANDOFF_KINDS = frozenset({"handoff"})
KINDS = MESSAGE_KINDS | CLAIM_KINDS | HANDOFF_KINDS

BACKOFF_MIN = 5.0
BACKOFF_MAX = 600.0

_LAST_SUCCESS = "sync.last_success_at"
_OFFLINE_SINCE = "sync.offline_since"
_LAST_ERROR = "sync.last_error"


@dataclass(frozen=True)
class OutboxRow:
    """One pending message."""

    id: int
    idempotency_key: str
    kind: str
    payload: dict[str, Any]
    created_at: str
    attempts: int


@dataclass(frozen=True)
class OutboxCounts:
    """What the status indicator shows (no PHI: counts and the VMA's own times)."""

    pending: int
    rejected: int
    oldest_pending_age_s: float | None
    last_success_at: datetime | None
    offline_since: datetime | None
    last_error: str | None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def enqueue(
    conn: Connection,
    kind: str,
    message: BaseModel | dict[str, Any],
    *,
    now: datetime | None = None,
) -> str:
    """Write one message to the outbox; call inside the caller's transaction.

    Args:
        conn: Connection, inside the transaction of the change the message reports.
        kind: One of :data:`KINDS`.
        message: A wire model (message kinds) or a small dict (claim kinds).
        now: Creation time.

    Returns:
        The idempotency key.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    if not conn.in_transaction:
        raise RuntimeError("enqueue belongs inside the transaction of the change it reports")
    if isinstance(message, BaseModel):
        payload = message.model_dump_json()
    else:
        payload = json.dumps(message, sort_keys=True, separators=(",", ":"))
    key = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO outbox (idempotency_key, kind, payload_json, created_at) VALUES (?, ?, ?, ?)",
        (key, kind, payload, to_db(_now(now))),
    )
    return key


def pending(
    conn: Connection,
    limit: int,
    *,
    now: datetime | None = None,
    kinds: Iterable[str] | None = None,
    due_only: bool = True,
) -> list[OutboxRow]:
    """Pending rows, oldest first; ``due_only`` skips rows whose retry time has not come."""
    clauses = ["sent_at IS NULL", "rejected_at IS NULL"]
    params: list[Any] = []
    if due_only:
        clauses.append("(next_try_at IS NULL OR next_try_at <= ?)")
        params.append(to_db(_now(now)))
    if kinds is not None:
        wanted = sorted(set(kinds))
        clauses.append(f"kind IN ({','.join('?' for _ in wanted)})")
        params.extend(wanted)
    rows = conn.execute(
        "SELECT id, idempotency_key, kind, payload_json, created_at, attempts FROM outbox"
        f" WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [OutboxRow(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]


def mark_sent(conn: Connection, ids: Sequence[int], *, now: datetime | None = None) -> None:
    """The hub answered for these rows (accepted or already counted)."""
    if not ids:
        return
    stamp = to_db(_now(now))
    conn.executemany(
        "UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ? AND sent_at IS NULL",
        [(stamp, i) for i in ids],
    )


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempts`` (1-based): doubling, jittered, capped."""
    base = min(BACKOFF_MAX, BACKOFF_MIN * 2 ** max(attempts - 1, 0))
    jitter = (rng or random).uniform(0.5, 1.0)
    return max(BACKOFF_MIN * 0.5, base * jitter)


def mark_failed(
    conn: Connection,
    ids: Sequence[int],
    error_code: str,
    *,
    now: datetime | None = None,
    next_try_at: datetime | None = None,
    rng: random.Random | None = None,
) -> None:
    """Sending failed for now: count the attempt and schedule the retry (backoff + jitter).

    ``error_code`` is a code (``unavailable``, ``http_503`` …), never a message body.
    """
    if not ids:
        return
    current = _now(now)
    marks = ",".join("?" for _ in ids)
    rows = conn.execute(
        f"SELECT id, attempts FROM outbox WHERE id IN ({marks}) AND sent_at IS NULL", list(ids)
    ).fetchall()
    updates = []
    for row_id, attempts in rows:
        when = next_try_at or current + timedelta(seconds=backoff_seconds(attempts + 1, rng))
        updates.append((attempts + 1, to_db(when), error_code[:64], row_id))
    conn.executemany(
        "UPDATE outbox SET attempts = ?, next_try_at = ?, last_error = ? WHERE id = ?", updates
    )


def mark_rejected(
    conn: Connection, ids: Sequence[int], error_code: str, *, now: datetime | None = None
) -> None:
    """The hub refused these rows for good (4xx): park them, visibly, without deleting."""
    stamp = to_db(_now(now))
    conn.executemany(
        "UPDATE outbox SET rejected_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
        [(stamp, error_code[:64], i) for i in ids],
    )


def pending_count(conn: Connection) -> int:
    """How many messages wait to be sent."""
    return int(
        conn.execute(
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND rejected_at IS NULL"
        ).fetchone()[0]
    )


_setting = settings_store.get


def _put(conn: Connection, key: str, value: str | None) -> None:
    if value is None:
        settings_store.delete(conn, key)
    else:
        settings_store.put(conn, key, value)


def record_success(conn: Connection, *, now: datetime | None = None) -> None:
    """A sync round reached the hub: remember when, and that we are online."""
    _put(conn, _LAST_SUCCESS, to_db(_now(now)))
    _put(conn, _OFFLINE_SINCE, None)
    _put(conn, _LAST_ERROR, None)


def record_failure(conn: Connection, error_code: str, *, now: datetime | None = None) -> None:
    """A sync round could not reach the hub: offline since the first such failure."""
    if _setting(conn, _OFFLINE_SINCE) is None:
        _put(conn, _OFFLINE_SINCE, to_db(_now(now)))
    _put(conn, _LAST_ERROR, error_code[:64])


def counts(conn: Connection, *, now: datetime | None = None) -> OutboxCounts:
    """Pending and rejected counts, the oldest pending message's age, last success time."""
    row = conn.execute(
        "SELECT sum(sent_at IS NULL AND rejected_at IS NULL), sum(rejected_at IS NOT NULL),"
        " min(CASE WHEN sent_at IS NULL AND rejected_at IS NULL THEN created_at END)"
        " FROM outbox"
    ).fetchone()
    oldest = None
    if row[2] is not None:
        oldest = max(0.0, (_now(now) - from_db(row[2])).total_seconds())
    last = _setting(conn, _LAST_SUCCESS)
    offline = _setting(conn, _OFFLINE_SINCE)
    return OutboxCounts(
        pending=int(row[0] or 0),
        rejected=int(row[1] or 0),
        oldest_pending_age_s=oldest,
        last_success_at=from_db(last) if last else None,
        offline_since=from_db(offline) if offline else None,
        last_error=_setting(conn, _LAST_ERROR),
    )


def purge_sent(conn: Connection, *, older_than: datetime) -> int:
    """Delete rows the hub answered for before ``older_than``; returns how many."""
    cur = conn.execute(
        "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", (to_db(older_than),)
    )
    return int(cur.rowcount)
