"""Store errors, and the mapping from SQLite/SQLCipher errors to messages a VMA can act on."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import sqlcipher3


class StoreError(Exception):
    """A store failure with a one-line message fit to show a user (never PHI)."""

    exit_code = 1


class AuthenticationError(StoreError):
    """Wrong passphrase or recovery key, or no usable key slot."""

    exit_code = 2


class WrongKeyError(AuthenticationError):
    """The database did not open with the key the slots gave."""


class NotEncryptedError(StoreError):
    """The database file is plain SQLite: refuse it rather than write PHI into it."""


class ProfileMissingError(StoreError):
    """No profile at the given place."""

    exit_code = 2


class ProfileExistsError(StoreError):
    """A profile already exists where one would be created."""

    exit_code = 2


class SchemaTooNewError(StoreError):
    """The database was written by a newer vmadesk."""


class KeySlotsDamagedError(StoreError):
    """``keyslots.json`` cannot be read or has a shape vmadesk never writes."""

    exit_code = 2


class DatabaseMismatchError(StoreError):
    """A key slot opened, but the database file is another profile's."""


class DatabaseDamagedError(StoreError):
    """A key slot opened, but the database file is truncated, zeroed or garbage."""


class AuditDamagedError(StoreError):
    """The audit key or the audit table is missing: nothing may be written."""


DAMAGED_DATABASE = "The database file is damaged — restore from backup."
_MESSAGES: tuple[tuple[str, str], ...] = (
    (
        "file is not a database",
        "The profile database could not be opened with this key: wrong key, or the file "
        "is damaged.",
    ),
    ("database disk image is malformed", DAMAGED_DATABASE),
    ("database or disk is full", "The disk is full: free some space and try again."),
    ("disk i/o error", "The disk reported an input/output error while using the profile."),
    (
        "database is locked",
        "The profile is busy in another vmadesk window or process; close it and try again.",
    ),
    (
        "attempt to write a readonly database",
        "The profile is read-only: check the folder's permissions.",
    ),
    ("unable to open database file", "The profile database file cannot be opened."),
    ("readonly database", "The profile is read-only: check the folder's permissions."),
)


def user_message(exc: BaseException) -> str:
    """Return a clear one-line message for a SQLite/SQLCipher error.

    Args:
        exc: The exception raised by the driver.

    Returns:
        A message naming the problem and what to do; never the SQL or bound values.
    """
    if isinstance(exc, StoreError):
        return str(exc)
    text = str(exc).lower()
    for needle, message in _MESSAGES:
        if needle in text:
            return message
    if isinstance(exc, sqlcipher3.IntegrityError):
        return "The change conflicts with data already in the profile and was not saved."
    return "The profile database reported an error; nothing was changed."


def os_error_message(exc: OSError) -> str:
    """A one-line message for a failed file operation (no path: it may name an import file).

    Args:
        exc: The error raised by the operating system.

    Returns:
        What went wrong and what to do.
    """
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "The disk is full: free some space and try again."
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "The folder is read-only or not writable: check its permissions."
    reason = exc.strerror or type(exc).__name__
    return f"A file could not be written or read ({reason})."


#: Less free space than this beside the database is a full disk (SQLite often says only
#: "disk I/O error" when it cannot grow its shared-memory file).
_NEARLY_FULL_BYTES = 64 * 1024


def _disk_full(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    return stats.f_bavail * stats.f_frsize < _NEARLY_FULL_BYTES


def translate(exc: sqlcipher3.Error, folder: Path | None = None) -> StoreError:
    """Wrap a driver error in a StoreError with a user-facing message.

    Args:
        exc: The driver's error.
        folder: The profile folder, when known: an I/O error on a full disk says so.
    """
    text = str(exc).lower()
    if folder is not None and "i/o error" in text and _disk_full(folder):
        return StoreError(os_error_message(OSError(errno.ENOSPC, "full")))
    if "file is not a database" in text:
        return WrongKeyError(user_message(exc))
    if "malformed" in text:
        return DatabaseDamagedError(user_message(exc))
    return StoreError(user_message(exc))
