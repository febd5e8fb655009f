"""Settings kept inside the encrypted store (``settings`` table): handles, hub URL, mappings.

Only non-PHI values belong here; PHI never leaves the item tables.
"""

from __future__ import annotations

from vmadesk.store.connection import Connection


def get(conn: Connection, key: str) -> str | None:
    """The setting called ``key``, or None."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(conn: Connection, key: str, value: str) -> None:
    """Store (or replace) a setting (call inside a transaction)."""
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def vma_handle(conn: Connection) -> str:
    """The profile's VMA handle (set at creation)."""
    return get(conn, "vma_handle") or "vma"


def delete(conn: Connection, key: str) -> None:
    """Remove a setting (call inside a transaction)."""
    conn.execute("DELETE FROM settings WHERE key = ?", (key,))


#: Set at enrolment; its absence means the profile does not sync (nothing to load for it).
HUB_URL = "hub.url"
#: The handle the hub knows this profile by (set at enrolment).
HUB_HANDLE = "hub.handle"


def hub_url(conn: Connection) -> str | None:
    """The enrolled hub's URL, or None for a profile that does not sync."""
    return get(conn, HUB_URL)
