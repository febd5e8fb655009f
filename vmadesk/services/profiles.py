"""Opening a VMA's encrypted profile: unlocking it and the slots that protect it.

What the front ends need before a :class:`~vmadesk.services.console.Console` exists: the
unlock itself (passphrase, keychain or the environment), whether a folder holds a profile,
and the errors an unlock raises.
"""

from __future__ import annotations

from pathlib import Path

from vmadesk.store.errors import AuthenticationError, StoreError
from vmadesk.store.keyslots import SLOTS_FILE, KeySlots
from vmadesk.store.profile import (
    ProfileMissingError,
    UnlockedProfile,
    passphrase_from_env,
    unlock,
)

__all__ = [
    "AuthenticationError",
    "ProfileMissingError",
    "StoreError",
    "UnlockedProfile",
    "has_profile",
    "passphrase_from_env",
    "slot_types",
    "unlock",
]


def has_profile(directory: Path) -> bool:
    """Whether ``directory`` holds a vmadesk profile (its key slots file)."""
    return (directory / SLOTS_FILE).exists()


def slot_types(directory: Path) -> set[str]:
    """The kinds of key slot protecting the profile ("passphrase", "keychain", "recovery").

    Raises:
        StoreError: The slots file is damaged.
        OSError, ValueError, KeyError: The slots file cannot be read.
    """
    return {slot.type for slot in KeySlots.load(directory).slots}
