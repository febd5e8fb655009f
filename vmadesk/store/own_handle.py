"""The VMA's own handle: the one name this profile's work is owned and signed with.

A profile is created under a local handle (by default the login name, e.g. ``root``). Once it
is enrolled at a team hub the VMA *is* their hub handle to every colleague, the supervisor and
the hub's claims, so enrolment adopts it: the profile's handle becomes the hub handle and the
work already owned or signed under the old one (items, claims, attempts, notes, shifts) moves
to it in the same transaction. Everything that needs "me" reads
:func:`vmadesk.store.settings_store.vma_handle` when it acts, never a copy kept from before,
so no list, count or hand-off can show the login name as a holder or mistake the VMA's own
items for a colleague's.
"""

from __future__ import annotations

from vmadesk.store import audit, settings_store
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection

#: Settings key of the handle the profile was created under (kept for the audit trail only).
LOCAL_HANDLE = "vma_handle.local"

#: Columns that name this VMA as owner or author: (table, column).
_OWN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("items", "owner"),
    ("claims", "prev_owner"),
    ("attempts", "author"),
    ("notes", "author"),
    ("shifts", "vma"),
)


def adopt_handle(conn: Connection, handle: str) -> int:
    """Make ``handle`` this profile's handle; move own work to it (call inside a transaction).

    Items another VMA holds carry that VMA's handle as owner and are left alone: only rows
    under the profile's current handle move.

    Returns:
        How many items changed owner (0 when the handle already was ``handle``).
    """
    old = settings_store.vma_handle(conn)
    if old == handle:
        return 0
    moved = 0
    for table, column in _OWN_COLUMNS:
        cur = conn.execute(
            f"UPDATE {table} SET {column} = ? WHERE {column} = ?",  # fixed names, no input
            (handle, old),
        )
        if table == "items":
            moved = cur.rowcount
    if settings_store.get(conn, LOCAL_HANDLE) is None:
        settings_store.put(conn, LOCAL_HANDLE, old)
    settings_store.put(conn, "vma_handle", handle)
    audit.append(
        conn,
        AuditEvent.SETTINGS_CHANGED,
        details={"key": "vma_handle", "source": "hub_enrolment", "items": moved},
    )
    return moved


def adopt_enrolled_handle(conn: Connection) -> int:
    """Adopt the hub handle of a profile enrolled before enrolment adopted it (at unlock).

    Call inside a transaction. Does nothing for a profile not enrolled, or already adopted.

    Returns:
        How many items changed owner.
    """
    hub_handle = settings_store.get(conn, settings_store.HUB_HANDLE)
    if not hub_handle:
        return 0
    return adopt_handle(conn, hub_handle)
