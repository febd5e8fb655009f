"""The one place that opens a SQLCipher connection.

A connection is keyed with the raw 32-byte database key (never a passphrase in a PRAGMA),
keeps temporary tables in memory (``temp_store=FILE`` would write plaintext temp files) and
belongs to the thread that opened it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from vmadesk.store.errors import NotEncryptedError, StoreError, WrongKeyError, translate

KEY_BYTES = 32
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
#: Large enough to hold the working set of a 100,000-item profile, where SQLCipher full
#: scans cost the same as plain SQLite (DESIGN.md, Known traps). Negative = KiB.
CACHE_KIB = 64 * 1024

Connection = sqlcipher3.Connection


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
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
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
        err = translate(exc)
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
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlcipher3.Error as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise translate(exc) from None


def rekey(conn: Connection, new_key: bytes) -> None:
    """Re-encrypt the whole database under ``new_key`` (``PRAGMA rekey``)."""
    # rekey is not supported in WAL mode on every build; switch to a rollback journal for it.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(_key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey"))
    conn.execute("PRAGMA journal_mode = WAL")
