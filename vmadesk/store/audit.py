"""The audit chain: the one place that writes audit entries.

Each entry's hash is ``HMAC-SHA-256(audit_key, prev_hash || canonical entry)`` with a
contiguous sequence number, so editing, removing or reordering any row breaks every hash
after it. Triggers refuse UPDATE and DELETE. Details are codes, ids and counts: never PHI.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from vmadesk.store.connection import Connection

GENESIS = "0" * 64
_KEY_NAME = "audit_key"

DetailValue = str | int | float | bool | None


class AuditEvent(StrEnum):
    """What the chain records."""

    PROFILE_CREATED = "profile_created"
    UNLOCK_OK = "unlock_ok"
    UNLOCK_FAILED = "unlock_failed"
    LOCK = "lock"
    ITEM_VIEWED = "item_viewed"
    ITEM_CHANGED = "item_changed"
    ITEM_CREATED = "item_created"
    EXPORT = "export"
    IMPORT = "import"
    HANDOFF = "handoff"
    ESCALATION = "escalation"
    KEY_ROTATED = "key_rotated"
    PASSPHRASE_CHANGED = "passphrase_changed"
    SHIFT = "shift"
    SETTINGS_CHANGED = "settings_changed"
    SCHEMA_MIGRATED = "schema_migrated"
    SYNC = "sync"
    CLAIM = "claim"


@dataclass(frozen=True)
class ChainHead:
    """The last entry of the chain: what the hub receives."""

    seq: int
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`."""

    ok: bool
    entries: int
    first_broken: int | None = None
    reason: str = ""


def create_key(conn: Connection) -> None:
    """Create the chain's HMAC key inside the encrypted store (call in a transaction)."""
    conn.execute(
        "INSERT INTO secrets (name, value) VALUES (?, ?)", (_KEY_NAME, secrets.token_bytes(32))
    )


def _key(conn: Connection) -> bytes:
    row = conn.execute("SELECT value FROM secrets WHERE name = ?", (_KEY_NAME,)).fetchone()
    if row is None:
        raise RuntimeError("the audit key is missing")
    return bytes(row[0])


def _canonical(seq: int, at: str, event: str, item_id: int | None, details: str) -> bytes:
    return json.dumps(
        [seq, at, event, item_id, details], separators=(",", ":"), ensure_ascii=True
    ).encode("ascii")


def _digest(key: bytes, prev_hash: str, canonical: bytes) -> str:
    return hmac.new(key, bytes.fromhex(prev_hash) + canonical, hashlib.sha256).hexdigest()


def append(
    conn: Connection,
    event: AuditEvent,
    *,
    item_id: int | None = None,
    details: Mapping[str, DetailValue] | None = None,
    at: datetime | None = None,
) -> ChainHead:
    """Append one entry. Call inside the transaction of the change it records.

    Args:
        conn: Connection, inside a transaction.
        event: What happened.
        item_id: The work item concerned, if any (an id, never a patient detail).
        details: Codes, ids and counts only.
        at: Event time (defaults to now, UTC).

    Returns:
        The new chain head.
    """
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    details_text = json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":"))
    last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    digest = _digest(_key(conn), prev, _canonical(seq, when, event.value, item_id, details_text))
    conn.execute(
        "INSERT INTO audit (seq, at, event, item_id, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, when, event.value, item_id, details_text, prev, digest),
    )
    return ChainHead(seq, digest)


def head(conn: Connection) -> ChainHead:
    """The chain head (0 and the genesis hash for an empty chain)."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return ChainHead(row[0], row[1]) if row else ChainHead(0, GENESIS)


def verify(conn: Connection) -> VerifyResult:
    """Recompute the whole chain; report the first sequence number that does not hold."""
    key = _key(conn)
    prev = GENESIS
    expected_seq = 1
    count = 0
    cursor = conn.execute(
        "SELECT seq, at, event, item_id, details, prev_hash, hash FROM audit ORDER BY seq"
    )
    for seq, at, event, item_id, details, prev_hash, digest in cursor:
        if seq != expected_seq:
            return VerifyResult(False, count, expected_seq, "missing entry (sequence gap)")
        if prev_hash != prev:
            return VerifyResult(False, count, seq, "previous-hash link broken")
        if not hmac.compare_digest(
            _digest(key, prev, _canonical(seq, at, event, item_id, details)), digest
        ):
            return VerifyResult(False, count, seq, "entry content does not match its hash")
        prev = digest
        expected_seq += 1
        count += 1
    return VerifyResult(True, count)
