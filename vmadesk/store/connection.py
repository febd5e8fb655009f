"""The one place that opens a SQLCipher connection.

A connection is keyed with the raw 32-byte database key (never a passphrase in a PRAGMA),
keeps temporary tables in memory (``temp_store=FILE`` would write plaintext temp files) and
belongs to the thread that opened it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from vmadesk.store.errors import NotEncryptedError, StoreError, WrongKeyError, translate

KEY_BYTES = 32
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
#: Large enough to hold the working set of a 100,000-item profile, where SQLCipher full
#: scans cost the same as plain SQLite (DESIGN.md, Known traps). Negative = KiB.
CACHE_KIB = 64 * 1024

log = logging.getLogger(__name__)


class Connection(sqlcipher3.Connection):
    """A SQLCipher connection that carries what belongs to it alone.

    ``audit`` is the audit chain's key context (set by the profile, never stored in the
    database); ``after_commit`` runs once the current transaction has committed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit: Any = None
        self.after_commit: list[Callable[[], None]] = []

    def run_after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` when the open transaction commits (now, outside a transaction)."""
        if self.in_transaction:
            self.after_commit.append(action)
        else:
            _run_hooks([action])


def _run_hooks(actions: list[Callable[[], None]]) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # the commit stands; a hook is bookkeeping beside it
            log.warning("an after-commit step failed", exc_info=False)


def _key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("the database key must be 32 bytes")
    # A hex literal is the only form of key that PRAGMA accepts safely: it cannot be bound
    # as a parameter, and hex digits cannot break out of the quotes.
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path, key: bytes, *, create: bool = False) -> Connection:
    """Open (or with ``create`` make) the encrypted database at ``path``.

    Args:
        path: Database file.
        key: Raw 32-byte SQLCipher key.
        create: Allow creating a new file; otherwise a missing file is an error.

    Returns:
        A connection in autocommit mode; use :func:`transaction` for writes.

    Raises:
        NotEncryptedError: The file is plain SQLite.
        WrongKeyError: The key does not open the file.
        StoreError: Any other known failure, with a user-facing message.
    """
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise StoreError(f"No database at {path}.")
    if exists:
        with path.open("rb") as fh:
            if fh.read(16) == PLAIN_SQLITE_HEADER:
                raise NotEncryptedError(
                    f"{path.name} is an unencrypted SQLite file; vmadesk refuses to use it."
                )
    try:
        conn = sqlcipher3.connect(
            str(path), isolation_level=None, check_same_thread=True, factory=Connection
        )
    except sqlcipher3.Error as exc:
        raise translate(exc) from None
    try:
        # Before keying, so a wrong key writes nothing to stderr.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not version[0]:
            raise StoreError("This SQLite build has no SQLCipher; refusing to write plaintext.")
        # The first real read proves the key.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlcipher3.Error as exc:
        conn.close()
        err = translate(exc, path.parent)
        if isinstance(err, WrongKeyError):
            raise WrongKeyError(
                "The profile database did not open with this key (wrong key or damaged file)."
            ) from None
        raise err from None
    except StoreError:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def transaction(conn: Connection, *, immediate: bool = True) -> Iterator[Connection]:
    """Run a block as one transaction: commit on success, roll back on any exception.

    Args:
        conn: A connection from :func:`connect`.
        immediate: Take the write lock at the start (``BEGIN IMMEDIATE``), so a busy
            database fails before any work is done rather than at commit.

    Yields:
        The same connection.
    """
    try:
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    except sqlcipher3.Error as exc:
        raise translate(exc) from None
    hooks = getattr(conn, "after_commit", None)
    try:
        yield conn
    except BaseException:
        if hooks:
            hooks.clear()
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlcipher3.Error as exc:
        if hooks:
            hooks.clear()
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise translate(exc) from None
    if hooks:
        pending = list(hooks)
        hooks.clear()
        _run_hooks(pending)


def cipher_salt(conn: Connection) -> bytes:
    """SQLCipher's salt of the open database (the first 16 bytes of the file)."""
    row = conn.execute("PRAGMA cipher_salt").fetchone()
    return bytes.fromhex(row[0]) if row and row[0] else b""


def rekey(conn: Connection, new_key: bytes, step: Callable[[str], None] | None = None) -> None:
    """Re-encrypt the whole database under ``new_key`` (``PRAGMA rekey``).

    Args:
        conn: The open connection.
        new_key: The new raw key.
        step: Called between the writes (tests stop the process there, as a kill would).
    """
    mark = step or (lambda _name: None)
    try:
        # rekey is not supported in WAL mode on every build; use a rollback journal for it.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mark("rekey: wal checkpointed")
        conn.execute("PRAGMA journal_mode = DELETE")
        mark("rekey: rollback journal")
        conn.execute(_key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey"))
        mark("rekey: re-encrypted")
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlcipher3.Error as exc:
        raise translate(exc) from None
