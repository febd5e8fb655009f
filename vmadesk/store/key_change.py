"""Changing a profile's keys: a new passphrase, a new database key, emergency access.

Every change leaves one complete, working key set after a kill at any point (DESIGN.md,
"Keys"); the store's one place that derives keys is :mod:`vmadesk.store.profile`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from vmadesk.store import audit, keychain
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import rekey, transaction
from vmadesk.store.errors import AuthenticationError, StoreError, os_error_message
from vmadesk.store.keyslots import (
    SLOTS_FILE,
    KdfParams,
    KeySlots,
    Slot,
    new_recovery_key,
    passphrase_slot,
    recovery_slot,
    slots_locked,
    wrap,
)
from vmadesk.store.profile import (
    DB_FILE,
    PENDING_SLOTS_FILE,
    UnlockedProfile,
    check_passphrase_strength,
    unlock,
)
from vmadesk.store.profile_checks import opens_passphrase_slot

#: Called between the writes of a key rotation with the name of the step just done; tests
#: end the process there, as a kill would.
StepHook = Callable[[str], None]


def change_passphrase(
    profile: UnlockedProfile, new_passphrase: str, *, kdf: KdfParams | None = None
) -> None:
    """Rewrite the passphrase slot (the database key stays the same)."""
    check_passphrase_strength(new_passphrase)
    if opens_passphrase_slot(profile, new_passphrase):
        raise AuthenticationError("The new passphrase is the current one; nothing was changed.")
    new = passphrase_slot(profile.key, new_passphrase, kdf or KdfParams())

    def replace(slots: KeySlots) -> bool:
        slots.put(new)
        return True

    _write_slots(lambda: KeySlots.update(profile.directory, replace))
    with transaction(profile.conn):
        audit.append(profile.conn, AuditEvent.PASSPHRASE_CHANGED)


def _write_slots(action: Callable[[], object]) -> None:
    try:
        action()
    except OSError as exc:
        raise StoreError(f"The key slots were not changed: {os_error_message(exc)}") from None


def _rotation_keychain_slot(profile: UnlockedProfile, old: KeySlots, new_key: bytes) -> Slot | None:
    """Wrap the new key with the keychain's current secret.

    The keychain is not written, so the old keychain slot keeps working until the new key is
    in force.
    """
    if old.get("keychain") is None:
        return None
    try:
        stored = keychain.fetch_secret(old.profile_id)
    except keychain.KeychainUnavailable as exc:
        profile.notices.append(f"{exc} The keychain slot was dropped.")
        return None
    if stored is None:
        profile.notices.append("The keychain has no entry for this profile: its slot was dropped.")
        return None
    try:
        return Slot("keychain", wrap(new_key, bytes.fromhex(stored)))
    except ValueError:
        profile.notices.append("The keychain entry is unusable: its slot was dropped.")
        return None


def rotate_key(
    profile: UnlockedProfile,
    passphrase: str,
    *,
    kdf: KdfParams | None = None,
    show: Callable[[str], None] | None = None,
    step: StepHook | None = None,
) -> str:
    """Re-encrypt the database under a new random key and rewrite every slot.

    Order, so that a kill at any point leaves one complete, working key set: the new slots go
    to a pending file (they open nothing while the database keeps the old key); the new
    recovery key is shown; only then the database is re-keyed (from here the pending set
    opens it, and unlock promotes it); last the pending file replaces the slots.

    Args:
        profile: The unlocked profile.
        passphrase: The current passphrase (the new passphrase slot uses it).
        kdf: Argon2id cost of the new passphrase slot.
        show: Shows the new recovery key to the VMA; called before it can open anything.
        step: Called after each write (tests stop there).

    Returns:
        The new recovery key (the old one no longer opens the profile).
    """
    mark = step or (lambda _name: None)
    if not opens_passphrase_slot(profile, passphrase):
        raise AuthenticationError("Wrong passphrase: the key was not rotated.")
    old = KeySlots.load(profile.directory)
    new_key = secrets.token_bytes(32)
    recovery = new_recovery_key()
    slots = KeySlots(old.profile_id, db_salt=old.db_salt)
    slots.put(passphrase_slot(new_key, passphrase, kdf or KdfParams()))
    slots.put(recovery_slot(new_key, recovery))
    keychain_slot = _rotation_keychain_slot(profile, old, new_key)
    if keychain_slot is not None:
        slots.put(keychain_slot)
    if old.audit is not None:
        slots.audit = old.audit.resealed(profile.key, new_key)
    # No anchor write (from any thread or process) lands between the pending copy and its
    # promotion.
    with slots_locked(profile.directory):
        _write_slots(lambda: slots.save(profile.directory, PENDING_SLOTS_FILE))
        mark("pending slots written")
        if show is not None:
            show(recovery)
        mark("recovery key shown")
        rekey(profile.conn, new_key, mark)
        profile.key = new_key
        mark("database re-keyed")
        os.replace(profile.directory / PENDING_SLOTS_FILE, profile.directory / SLOTS_FILE)
        mark("slots replaced")
    for backup in profile.directory.glob(f"{DB_FILE}.v*.bak"):
        # Old backups open only with the retired key: of no use to the VMA, a risk if leaked.
        backup.unlink()
        mark("old backup removed")
    with transaction(profile.conn):
        audit.append(
            profile.conn,
            AuditEvent.KEY_ROTATED,
            details={"slots": ",".join(s.type for s in slots.slots)},
        )
    return recovery


def reset_passphrase_with_recovery(
    directory: Path, recovery_key: str, new_passphrase: str, *, kdf: KdfParams | None = None
) -> UnlockedProfile:
    """Emergency access: open with the recovery key and set a new passphrase."""
    profile = unlock(directory, recovery_key=recovery_key, use_keychain=False)
    change_passphrase(profile, new_passphrase, kdf=kdf)
    return profile
