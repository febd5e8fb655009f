"""Checks on an open profile: is this its passphrase (re-authentication), is its file whole.

Apart from :mod:`vmadesk.store.profile` (creating, unlocking, opening): these run later, on a
profile already open, when the VMA re-enters the passphrase or asks for a check.
"""

from __future__ import annotations

import sqlcipher3

from vmadesk.store import unlock_guard
from vmadesk.store.errors import user_message
from vmadesk.store.keyslots import KeySlots
from vmadesk.store.profile import UnlockedProfile, record_failure, unwrap_passphrase


def opens_passphrase_slot(profile: UnlockedProfile, passphrase: str) -> bool:
    """Whether ``passphrase`` opens the passphrase slot to this profile's key (not counted)."""
    slot = KeySlots.load(profile.directory).get("passphrase")
    if slot is None:
        return False
    found = unwrap_passphrase(slot, passphrase)
    return found is not None and found[0] == profile.key


def check_passphrase(profile: UnlockedProfile, passphrase: str) -> bool:
    """Whether ``passphrase`` opens this profile's passphrase slot (re-authentication).

    Failures count toward the same back-off as a failed unlock.
    """
    unlock_guard.wait_turn(profile.directory)
    if opens_passphrase_slot(profile, passphrase):
        unlock_guard.take_failures(profile.directory)
        return True
    record_failure(profile.directory)
    return False


def integrity_check(profile: UnlockedProfile) -> list[str]:
    """Run SQLCipher's page HMAC check and SQLite's quick check; return problems found."""
    problems: list[str] = []
    for label, pragma in (("cipher", "cipher_integrity_check"), ("quick_check", "quick_check")):
        try:
            rows = [str(r[0]) for r in profile.conn.execute(f"PRAGMA {pragma}").fetchall()]
        except sqlcipher3.Error as exc:
            problems.append(f"{label}: {user_message(exc)}")
            continue
        if label == "cipher":
            problems += [f"cipher: {r}" for r in rows]
        elif rows != ["ok"]:
            problems += [f"quick_check: {r}" for r in rows]
    return problems
