"""Named secrets inside the encrypted store (``secrets`` table): tokens, keys, the team secret.

Values are bytes and never leave the encrypted database except to where they are used.
"""

from __future__ import annotations

from vmadesk.store.connection import Connection


def get(conn: Connection, name: str) -> bytes | None:
    """The secret called ``name``, or None."""
    row = conn.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
    return None if row is None else bytes(row[0])


def put(conn: Connection, name: str, value: bytes) -> None:
    """Store (or replace) the secret called ``name`` (call inside a transaction)."""
    conn.execute(
        "INSERT INTO secrets (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, bytes(value)),
    )
