"""Which practice an import goes to, and the "Default practice" a profile without any gets."""

from __future__ import annotations

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.services.errors import ActionRefused
from vmadesk.services.practice_setup import PracticeContext, add_practice, load_context
from vmadesk.store import practices
from vmadesk.store.connection import Connection, transaction

#: Default practice created when a profile has none (CLI convenience).
DEFAULT_PRACTICE_CODE = "default"
DEFAULT_PRACTICE_NAME = "Default practice"
DEFAULT_PRACTICE_TZ = "America/New_York"


def find_practice(conn: Connection, code: str | None = None) -> PracticeContext | None:
    """The practice an import goes to, without creating one.

    Args:
        conn: Connection.
        code: The practice's code; None for the only practice.

    Returns:
        The practice, or None when the profile has none and no code was given (the
        import creates the "Default practice" with the items it keeps).

    Raises:
        ActionRefused: Unknown code, or several practices and no code (lists the codes).
    """
    if code is not None:
        row = practices.find_practice(conn, code)
        if row is None:
            known = ", ".join(p.code for p in practices.list_practices(conn)) or "none"
            raise ActionRefused(f"No practice with code '{code}' (known: {known}).")
        return load_context(conn, row.id)
    rows = practices.list_practices(conn)
    if len(rows) == 1:
        return load_context(conn, rows[0].id)
    if rows:
        codes = ", ".join(sorted(p.code for p in rows))
        raise ActionRefused(f"Several practices; choose one with --practice ({codes}).")
    return None


def add_default_practice(conn: Connection) -> int:
    """Create the "Default practice" (America/New_York), in the caller's transaction."""
    return add_practice(
        conn,
        code=DEFAULT_PRACTICE_CODE,
        name=DEFAULT_PRACTICE_NAME,
        hours=BusinessHours.default(DEFAULT_PRACTICE_TZ),
    )


def resolve_practice(conn: Connection, code: str | None = None) -> PracticeContext:
    """The practice an import goes to, creating the "Default practice" when there is none.

    Args:
        conn: Connection.
        code: The practice's code; None for the only practice (a profile without any
            gets a "Default practice" in America/New_York).

    Raises:
        ActionRefused: Unknown code, or several practices and no code (lists the codes).
    """
    found = find_practice(conn, code)
    if found is not None:
        return found
    with transaction(conn):
        practice_id = add_default_practice(conn)
    return load_context(conn, practice_id)
