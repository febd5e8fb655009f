"""Why a database did not open although a key slot did: damaged, or another profile's.

Only a wrong secret is a failed unlock; a database that does not match its slots is told
apart (SQLCipher's salt, the first 16 bytes of the file, is recorded in the slot file) so
the VMA is sent to a backup rather than to retype a correct passphrase.
"""

from __future__ import annotations

from pathlib import Path

from vmadesk.store.errors import (
    DatabaseDamagedError,
    DatabaseMismatchError,
    StoreError,
    os_error_message,
)
from vmadesk.store.keyslots import KeySlots

#: SQLCipher's page size: a database file is a whole number of these pages.
PAGE_BYTES = 4096


def database_problem(path: Path, slot_sets: list[KeySlots]) -> StoreError:
    """Say why a database did not open with a key its slots gave.

    Args:
        path: The database file.
        slot_sets: The key slot sets tried (they remember their database's salt).

    Returns:
        The error to raise: damaged, or another profile's database.
    """
    damaged = DatabaseDamagedError(f"The database file is damaged — restore from backup ({path}).")
    try:
        if not path.is_file():
            return damaged
        size = path.stat().st_size
        with path.open("rb") as fh:
            first_page = fh.read(PAGE_BYTES)
    except OSError as exc:
        return StoreError(f"The database file cannot be read: {os_error_message(exc)}")
    if size < PAGE_BYTES or size % PAGE_BYTES or not any(first_page):
        return damaged
    salts = {slots.db_salt for slots in slot_sets if slots.db_salt}
    if first_page[:16] in salts:
        return damaged
    return DatabaseMismatchError(
        f"This database does not belong to this profile ({path})"
        + (": put the profile's own database back" if salts else ", or it is damaged")
        + " — restore from backup."
    )
