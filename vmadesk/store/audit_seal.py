"""The audit chain's key and anchor, kept in the key slot file instead of the database.

A copy of the database (with its key) must not be enough to rewrite the chain or to cut it
short: the audit keys are sealed in ``keyslots.json`` and the chain head is anchored there,
authenticated, after every commit.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from vmadesk.store import audit
from vmadesk.store.audit import AuditContext, ChainHead
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.errors import AuditDamagedError, AuthenticationError, StoreError
from vmadesk.store.keyslots import Anchor, AuditSeal, KeySlots, seal_audit_key

log = logging.getLogger(__name__)


def context_for(directory: Path, profile_id: str, keys: list[tuple[int, bytes]]) -> AuditContext:
    """The in-memory audit context of a profile, its anchor read from and written to the slots."""

    def load_anchor() -> Anchor | None:
        seal = KeySlots.load(directory).audit
        return seal.anchor if seal is not None else None

    def store_anchor(anchor: Anchor) -> None:
        def advance(slots: KeySlots) -> bool:
            if slots.audit is None:
                return False
            current = slots.audit.anchor
            if current is not None and current.seq >= anchor.seq:
                return False  # another connection got there first: never move backwards
            slots.audit.anchor = anchor
            return True

        try:
            # The anchor must never be ahead of what is on disk: the database runs with
            # synchronous=NORMAL, so its committed WAL frames are made durable first (else a
            # power cut could lose entries the anchor already names: a false "cut short").
            _sync_wal(directory)
            KeySlots.update(directory, advance)
        except (OSError, StoreError) as exc:
            # The entry is committed; the anchor lags one step, which verify tolerates.
            log.warning("the audit anchor could not be written (%s)", type(exc).__name__)

    return AuditContext(profile_id, keys, load_anchor, store_anchor)


def _sync_wal(directory: Path) -> None:
    for name in sorted(p.name for p in directory.glob("*.db-wal")):
        fd = os.open(directory / name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def new_seal(db_key: bytes, profile_id: str) -> tuple[AuditSeal, list[tuple[int, bytes]]]:
    """A fresh audit key for a new profile, sealed, with the anchor of the empty chain."""
    keys = [(1, secrets.token_bytes(32))]
    return _sealed(db_key, profile_id, keys, ChainHead(0, audit.GENESIS)), keys


def _sealed(
    db_key: bytes, profile_id: str, keys: list[tuple[int, bytes]], head: ChainHead
) -> AuditSeal:
    anchor = AuditContext(profile_id, keys, lambda: None, lambda _a: None).anchor_for(head)
    return AuditSeal([(first, seal_audit_key(db_key, key)) for first, key in keys], anchor)


def open_context(directory: Path, slots: KeySlots, db_key: bytes, conn: Connection) -> AuditContext:
    """Unseal the audit keys; move a key still kept inside the database out of it.

    A profile of an earlier release kept its audit key in the database: that key keeps
    signing the entries already written, a new key (sealed in the slots) signs every entry
    from now on, and the old key is deleted from the database.

    Raises:
        AuditDamagedError: No audit key anywhere, or the sealed one does not open.
    """
    if slots.audit is not None:
        try:
            keys = slots.audit.open_keys(db_key)
        except (AuthenticationError, StoreError):
            raise AuditDamagedError(
                f"{audit.DAMAGED}: its sealed key does not open. Restore the key slots "
                "from a backup."
            ) from None
        if audit.legacy_key(conn) is not None:  # a migration stopped before this step
            with transaction(conn):
                audit.drop_legacy_key(conn)
        return context_for(directory, slots.profile_id, keys)
    legacy = audit.legacy_key(conn)
    if legacy is None:
        raise AuditDamagedError(
            f"{audit.DAMAGED}: its key is missing. Restore the profile from a backup."
        )
    top = audit.head(conn)
    fresh = secrets.token_bytes(32)
    keys = [(1, legacy), (top.seq + 1, fresh)] if top.seq else [(1, fresh)]
    seal = _sealed(db_key, slots.profile_id, keys, top)

    def install(current: KeySlots) -> bool:
        current.audit = seal
        return True

    # Slots first: a kill before the delete leaves both, and the next open finishes.
    KeySlots.update(directory, install)
    slots.audit = seal
    with transaction(conn):
        audit.drop_legacy_key(conn)
    log.info("audit key moved out of the database")
    return context_for(directory, slots.profile_id, keys)
