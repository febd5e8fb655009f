"""The audit chain: the one place that writes audit entries.

Each entry's hash is ``HMAC-SHA-256(audit_key, prev_hash || canonical entry)`` with a
contiguous sequence number, so editing, removing or reordering any row breaks every hash
after it. Triggers refuse UPDATE and DELETE. Details are codes, ids and counts: never PHI.

The audit key is not in the database: it is sealed in the key slot file, and the profile
hands it to each connection (:func:`bind`). The chain head is anchored there too, with a MAC
under the audit key, after every commit, so cutting entries off the end is detected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlcipher3

from vmadesk.store.connection import Connection
from vmadesk.store.errors import AuditDamagedError
from vmadesk.store.keyslots import Anchor

GENESIS = "0" * 64
#: Where profiles before the sealed key kept it (read once, to migrate, then deleted).
LEGACY_KEY_NAME = "audit_key"
DAMAGED = "The audit trail is damaged"

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


@dataclass
class AuditContext:
    """What a connection needs to write and check the chain; it lives only in memory.

    Attributes:
        profile_id: Bound into the anchor's MAC (an anchor cannot move between profiles).
        keys: ``(first sequence number, key)`` pairs, ascending.
        load_anchor: Reads the anchor from the key slot file.
        store_anchor: Writes a newer anchor there.
    """

    profile_id: str
    keys: list[tuple[int, bytes]]
    load_anchor: Callable[[], Anchor | None]
    store_anchor: Callable[[Anchor], None]

    def key_for(self, seq: int) -> bytes:
        """The key that signs entry ``seq``."""
        return next(key for first, key in reversed(self.keys) if first <= seq)

    def anchor_for(self, head: ChainHead) -> Anchor:
        """An authenticated anchor for ``head`` (MAC under the newest key)."""
        return Anchor(head.seq, head.hash, anchor_mac(self.keys[-1][1], self.profile_id, head))


def anchor_mac(key: bytes, profile_id: str, head: ChainHead) -> str:
    """The MAC that makes an anchor unforgeable without the audit key."""
    message = json.dumps(["vmadesk-audit-anchor", profile_id, head.seq, head.hash])
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


def bind(conn: Connection, context: AuditContext | None) -> None:
    """Give a connection the audit context (None: the audit trail is damaged)."""
    conn.audit = context


def _context(conn: Connection) -> AuditContext:
    context = getattr(conn, "audit", None)
    if not isinstance(context, AuditContext):
        raise AuditDamagedError(
            f"{DAMAGED}: its key is missing. Nothing was changed; restore the profile "
            "from a backup."
        )
    return context


def _no_table(exc: sqlcipher3.Error) -> Exception:
    """A missing audit table said as damage; any other driver error as it was."""
    if "no such table" in str(exc).lower():
        return AuditDamagedError(
            f"{DAMAGED}: its table is missing. Nothing was changed; restore the profile "
            "from a backup."
        )
    return exc


def legacy_key(conn: Connection) -> bytes | None:
    """The audit key a profile of an earlier release kept inside the database, if any."""
    try:
        row = conn.execute(
            "SELECT value FROM secrets WHERE name = ?", (LEGACY_KEY_NAME,)
        ).fetchone()
    except sqlcipher3.OperationalError:
        return None
    return bytes(row[0]) if row else None


def drop_legacy_key(conn: Connection) -> None:
    """Delete the in-database audit key once it is sealed outside (call in a transaction)."""
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("DELETE FROM secrets WHERE name = ?", (LEGACY_KEY_NAME,))


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
    context = _context(conn)
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    details_text = json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":"))
    top = head(conn)
    seq = top.seq + 1
    digest = _digest(
        context.key_for(seq), top.hash, _canonical(seq, when, event.value, item_id, details_text)
    )
    try:
        conn.execute(
            "INSERT INTO audit (seq, at, event, item_id, details, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, when, event.value, item_id, details_text, top.hash, digest),
        )
    except sqlcipher3.OperationalError as exc:
        raise _no_table(exc) from None
    new_head = ChainHead(seq, digest)
    conn.run_after_commit(lambda: context.store_anchor(context.anchor_for(new_head)))
    return new_head


def head(conn: Connection) -> ChainHead:
    """The chain head (0 and the genesis hash for an empty chain)."""
    try:
        row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlcipher3.OperationalError as exc:
        raise _no_table(exc) from None
    return ChainHead(row[0], row[1]) if row else ChainHead(0, GENESIS)


def verify(conn: Connection) -> VerifyResult:
    """Recompute the whole chain and compare it with the anchor kept outside the database.

    Returns:
        The first sequence number that does not hold, and why.

    Raises:
        AuditDamagedError: The audit key or table is missing.
    """
    context = _context(conn)
    anchor = context.load_anchor()  # before the rows: the table only grows meanwhile
    anchored_hash: str | None = None
    prev = GENESIS
    expected_seq = 1
    count = 0
    try:
        cursor = conn.execute(
            "SELECT seq, at, event, item_id, details, prev_hash, hash FROM audit ORDER BY seq"
        )
    except sqlcipher3.OperationalError as exc:
        raise _no_table(exc) from None
    for seq, at, event, item_id, details, prev_hash, digest in cursor:
        if seq != expected_seq:
            return VerifyResult(False, count, expected_seq, "missing entry (sequence gap)")
        if prev_hash != prev:
            return VerifyResult(False, count, seq, "previous-hash link broken")
        if not hmac.compare_digest(
            _digest(context.key_for(seq), prev, _canonical(seq, at, event, item_id, details)),
            digest,
        ):
            return VerifyResult(False, count, seq, "entry content does not match its hash")
        if anchor is not None and seq == anchor.seq:
            anchored_hash = digest
        prev = digest
        expected_seq += 1
        count += 1
    return _check_anchor(context, anchor, count, anchored_hash)


def _check_anchor(
    context: AuditContext, anchor: Anchor | None, count: int, anchored_hash: str | None
) -> VerifyResult:
    if anchor is None:
        return VerifyResult(False, count, None, "the chain anchor is missing from the key slots")
    expected = context.anchor_for(ChainHead(anchor.seq, anchor.hash))
    if not hmac.compare_digest(expected.mac, anchor.mac):
        return VerifyResult(False, count, None, "the chain anchor is not authentic")
    if anchor.seq > count:
        return VerifyResult(
            False,
            count,
            count + 1,
            f"entries {count + 1} to {anchor.seq} are missing (the chain was cut short)",
        )
    if anchor.seq and anchored_hash != anchor.hash:
        return VerifyResult(False, count, anchor.seq, "the chain was rewritten")
    return VerifyResult(True, count)
