"""Bring a profile database to the latest schema, with an encrypted backup copy first."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from vmadesk.store.connection import Connection, transaction
from vmadesk.store.errors import SchemaTooNewError
from vmadesk.store.schema import LATEST, STEPS

log = logging.getLogger(__name__)


def schema_version(conn: Connection) -> int:
    """Return ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backup_copy(conn: Connection, db_path: Path, version: int) -> Path:
    """Copy the (still encrypted) database file aside before it is changed.

    The copy is byte-for-byte the encrypted file after a WAL checkpoint, so it carries no
    plaintext and opens with the same key.
    """
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.v{version}-{stamp}.bak")
    shutil.copy2(db_path, target)
    return target


def migrate(conn: Connection, db_path: Path, *, target: int = LATEST) -> int:
    """Apply every missing schema step, each in one transaction.

    Args:
        conn: An open connection.
        db_path: The database file (for the backup copy).
        target: The version to reach (tests stop early to build old profiles).

    Returns:
        The schema version after migrating.

    Raises:
        SchemaTooNewError: The file was written by a newer vmadesk.
    """
    current = schema_version(conn)
    if current > LATEST:
        raise SchemaTooNewError(
            f"This profile has schema version {current}; this vmadesk knows up to {LATEST}. "
            "Update vmadesk."
        )
    if current >= target:
        return current
    if current > 0:
        backup = backup_copy(conn, db_path, current)
        log.info("schema backup written before migrating from v%d (%s)", current, backup.suffix)
    for version in range(current, target):
        with transaction(conn):
            for statement in _split(STEPS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        log.info("schema migrated to v%d", version + 1)
    return target


def _split(script: str) -> list[str]:
    """Split a schema script into whole statements (trigger bodies included)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlcipher3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
