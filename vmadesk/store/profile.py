"""A VMA's profile: create, unlock, inspect and re-key the encrypted store.

This is the one place that turns a passphrase, recovery key or keychain entry into the
database key (DESIGN.md, "Keys").
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlcipher3

from vmadesk.store import audit, keychain, unlock_guard
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, connect, rekey, transaction
from vmadesk.store.errors import (
    AuthenticationError,
    ProfileExistsError,
    ProfileMissingError,
    StoreError,
    WrongKeyError,
    user_message,
)
from vmadesk.store.keyslots import (
    SLOTS_FILE,
    KdfParams,
    KeySlots,
    Slot,
    derive_from_passphrase,
    new_recovery_key,
    parse_recovery_key,
    passphrase_slot,
    recovery_slot,
    recovery_wrapping_key,
    wrap,
)
from vmadesk.store.migrations import migrate, schema_version

log = logging.getLogger(__name__)

DB_FILE = "vmadesk.db"
PENDING_SLOTS_FILE = "keyslots.pending.json"
PASSPHRASE_ENV = "VMADESK_PASSPHRASE"
MIN_PASSPHRASE = 8
UnlockMethod = Literal["keychain", "passphrase", "recovery"]
KeychainChoice = Literal["auto", "yes", "no"]
PassphrasePrompt = Callable[[str], str]


def passphrase_from_env() -> str | None:
    """The automation passphrase, as backup tools take it (for tests and scripts)."""
    value = os.environ.get(PASSPHRASE_ENV)
    return value if value else None


def check_passphrase_strength(passphrase: str) -> None:
    """Refuse passphrases too short to resist guessing."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise AuthenticationError(f"The passphrase must have at least {MIN_PASSPHRASE} characters.")


@dataclass
class UnlockedProfile:
    """An open profile: the database key lives only here, in memory."""

    directory: Path
    key: bytes = field(repr=False)
    profile_id: str
    method: UnlockMethod
    conn: Connection = field(repr=False)
    notices: list[str] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        """The encrypted database file."""
        return self.directory / DB_FILE

    def connect(self) -> Connection:
        """A new connection for another thread (raw key: no KDF cost)."""
        return connect(self.db_path, self.key)

    def close(self) -> None:
        """Close the main connection and forget the key reference."""
        self.conn.close()

    def slot_types(self) -> list[str]:
        """Which slots protect the profile."""
        return [s.type for s in KeySlots.load(self.directory).slots]


def _ensure_private_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)


def create(
    directory: Path,
    passphrase: str,
    *,
    vma_handle: str,
    keychain_choice: KeychainChoice = "auto",
    kdf: KdfParams | None = None,
) -> tuple[UnlockedProfile, str]:
    """Create an empty profile.

    Args:
        directory: The profile folder (created, mode 0700).
        passphrase: The VMA's passphrase (every profile has a passphrase slot).
        vma_handle: The VMA's short handle (not PHI), e.g. ``ana.r``.
        keychain_choice: ``auto`` adds a keychain slot where a real keychain exists,
            ``yes`` requires one, ``no`` never adds one.
        kdf: Argon2id cost (defaults to :class:`KdfParams`).

    Returns:
        The unlocked profile and the recovery key, to be shown once.
    """
    if (directory / SLOTS_FILE).exists() or (directory / DB_FILE).exists():
        raise ProfileExistsError(f"A profile already exists in {directory}.")
    check_passphrase_strength(passphrase)
    _ensure_private_dir(directory)
    db_key = secrets.token_bytes(32)
    recovery = new_recovery_key()
    import uuid  # only when a profile is created: not on the unlock path

    slots = KeySlots(str(uuid.uuid4()))
    slots.put(passphrase_slot(db_key, passphrase, kdf or KdfParams()))
    slots.put(recovery_slot(db_key, recovery))
    notices: list[str] = []
    if keychain_choice != "no":
        try:
            slots.put(_keychain_slot(slots.profile_id, db_key))
        except keychain.KeychainUnavailable as exc:
            if keychain_choice == "yes":
                raise StoreError(str(exc)) from None
            notices.append("No OS keychain here: the passphrase will be asked at every start.")
    try:
        conn = connect(directory / DB_FILE, db_key, create=True)
        migrate(conn, directory / DB_FILE)
        with transaction(conn):
            audit.create_key(conn)
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('vma_handle', ?)", (vma_handle,)
            )
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('profile_id', ?)", (slots.profile_id,)
            )
            audit.append(
                conn,
                AuditEvent.PROFILE_CREATED,
                details={"slots": ",".join(s.type for s in slots.slots)},
            )
        slots.save(directory)
        for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm"):
            if (directory / name).exists():
                os.chmod(directory / name, 0o600)
    except BaseException:
        for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", SLOTS_FILE):
            (directory / name).unlink(missing_ok=True)
        raise
    profile = UnlockedProfile(directory, db_key, slots.profile_id, "passphrase", conn, notices)
    log.info("profile created with slots %s", [s.type for s in slots.slots])
    return profile, recovery


def _keychain_slot(profile_id: str, db_key: bytes) -> Slot:
    wrapping = secrets.token_bytes(32)
    keychain.store_secret(profile_id, wrapping.hex())
    return Slot("keychain", wrap(db_key, wrapping))


def _candidate_slot_sets(directory: Path) -> list[tuple[KeySlots, bool]]:
    sets = [(KeySlots.load(directory), False)]
    # A key rotation interrupted between rekey and slot replacement leaves the new slots
    # here; either set may be the one that opens the database.
    if (directory / PENDING_SLOTS_FILE).exists():
        sets.append((KeySlots.load(directory, PENDING_SLOTS_FILE), True))
    return sets


def unlock(
    directory: Path,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    prompt: PassphrasePrompt | None = None,
    use_keychain: bool = True,
    sleep: Callable[[float], None] | None = None,
) -> UnlockedProfile:
    """Open a profile with the keychain, a passphrase or the recovery key.

    Order: an explicit recovery key; an explicit passphrase or ``VMADESK_PASSPHRASE``;
    the keychain slot; finally ``prompt`` for the passphrase. A keychain slot that cannot be
    used is reported in ``notices`` (never a silent downgrade).

    Raises:
        ProfileMissingError: No profile in ``directory``.
        AuthenticationError: Wrong passphrase/recovery key (counted, with back-off).
    """
    if not (directory / SLOTS_FILE).exists():
        raise ProfileMissingError(
            f"No vmadesk profile in {directory} (create one with 'vmadesk profile init')."
        )
    if not (directory / DB_FILE).exists():
        raise StoreError(f"The profile in {directory} has key slots but no database.")
    notices: list[str] = []
    if recovery_key is not None:
        parse_recovery_key(recovery_key)  # a mistyped key is not a failed unlock
    secret = passphrase or (None if recovery_key else passphrase_from_env())
    if recovery_key is None and secret is None and use_keychain:
        opened = _try_keychain(directory, notices)
        if opened is not None:
            return opened
    if recovery_key is None and secret is None:
        if prompt is None:
            raise AuthenticationError(
                f"A passphrase is needed to unlock this profile (set {PASSPHRASE_ENV} or "
                "run interactively)."
            )
        secret = prompt("Passphrase: ")
    unlock_guard.wait_turn(directory, **({"sleep": sleep} if sleep else {}))
    method: UnlockMethod = "recovery" if recovery_key is not None else "passphrase"
    for slots, pending in _candidate_slot_sets(directory):
        try:
            if recovery_key is not None:
                slot = slots.get("recovery")
                wrapping = recovery_wrapping_key(recovery_key) if slot else b""
            else:
                slot = slots.get("passphrase")
                assert secret is not None
                wrapping = (
                    derive_from_passphrase(secret, slot.salt, slot.kdf or KdfParams())
                    if slot
                    else b""
                )
            if slot is None:
                continue
            db_key = slot.unwrap(wrapping)
            return _open(directory, db_key, slots.profile_id, method, notices, pending)
        except AuthenticationError:
            continue
        except WrongKeyError:
            continue
    unlock_guard.record_failure(directory)
    log.warning("unlock failed (%s)", method)
    what = "recovery key" if recovery_key is not None else "passphrase"
    raise AuthenticationError(f"Wrong {what} for the profile in {directory}.")


def _try_keychain(directory: Path, notices: list[str]) -> UnlockedProfile | None:
    for slots, pending in _candidate_slot_sets(directory):
        slot = slots.get("keychain")
        if slot is None:
            continue
        try:
            stored = keychain.fetch_secret(slots.profile_id)
            if stored is None:
                notices.append("The keychain has no entry for this profile; using the passphrase.")
                continue
            db_key = slot.unwrap(bytes.fromhex(stored))
            return _open(directory, db_key, slots.profile_id, "keychain", notices, pending)
        except keychain.KeychainUnavailable as exc:
            notices.append(f"{exc} Using the passphrase instead.")
        except (AuthenticationError, WrongKeyError, ValueError):
            notices.append("The keychain entry does not open this profile; using the passphrase.")
    return None


def _open(
    directory: Path,
    db_key: bytes,
    profile_id: str,
    method: UnlockMethod,
    notices: list[str],
    pending: bool,
) -> UnlockedProfile:
    conn = connect(directory / DB_FILE, db_key)
    if pending:
        os.replace(directory / PENDING_SLOTS_FILE, directory / SLOTS_FILE)
    elif (directory / PENDING_SLOTS_FILE).exists():
        (directory / PENDING_SLOTS_FILE).unlink()
    before = schema_version(conn)
    after = migrate(conn, directory / DB_FILE)
    failures = unlock_guard.take_failures(directory)
    with transaction(conn):
        if after != before:
            audit.append(conn, AuditEvent.SCHEMA_MIGRATED, details={"from": before, "to": after})
        if failures:
            audit.append(conn, AuditEvent.UNLOCK_FAILED, details={"count": failures})
        audit.append(conn, AuditEvent.UNLOCK_OK, details={"method": method})
    log.info("profile unlocked (%s)", method)
    return UnlockedProfile(directory, db_key, profile_id, method, conn, notices)


def _opens_passphrase_slot(profile: UnlockedProfile, passphrase: str) -> bool:
    slot = KeySlots.load(profile.directory).get("passphrase")
    if slot is None:
        return False
    try:
        wrapping = derive_from_passphrase(passphrase, slot.salt, slot.kdf or KdfParams())
        return slot.unwrap(wrapping) == profile.key
    except AuthenticationError:
        return False


def check_passphrase(profile: UnlockedProfile, passphrase: str) -> bool:
    """Whether ``passphrase`` opens this profile's passphrase slot (re-authentication).

    Failures count toward the same back-off as a failed unlock.
    """
    unlock_guard.wait_turn(profile.directory)
    if _opens_passphrase_slot(profile, passphrase):
        unlock_guard.take_failures(profile.directory)
        return True
    unlock_guard.record_failure(profile.directory)
    return False


def change_passphrase(
    profile: UnlockedProfile, new_passphrase: str, *, kdf: KdfParams | None = None
) -> None:
    """Rewrite the passphrase slot (the database key stays the same)."""
    check_passphrase_strength(new_passphrase)
    if _opens_passphrase_slot(profile, new_passphrase):
        raise AuthenticationError("The new passphrase is the current one; nothing was changed.")
    slots = KeySlots.load(profile.directory)
    slots.put(passphrase_slot(profile.key, new_passphrase, kdf or KdfParams()))
    slots.save(profile.directory)
    with transaction(profile.conn):
        audit.append(profile.conn, AuditEvent.PASSPHRASE_CHANGED)


def rotate_key(profile: UnlockedProfile, passphrase: str, *, kdf: KdfParams | None = None) -> str:
    """Re-encrypt the database under a new random key and rewrite every slot.

    The new slots are written to a pending file before ``PRAGMA rekey``; unlock tries both
    sets, so a crash at any point leaves a profile that opens.

    Returns:
        The new recovery key (the old one no longer opens the profile).
    """
    old = KeySlots.load(profile.directory)
    new_key = secrets.token_bytes(32)
    recovery = new_recovery_key()
    slots = KeySlots(old.profile_id)
    slots.put(passphrase_slot(new_key, passphrase, kdf or KdfParams()))
    slots.put(recovery_slot(new_key, recovery))
    kc = old.get("keychain")
    if kc is not None:
        try:
            slots.put(_keychain_slot(old.profile_id, new_key))
        except keychain.KeychainUnavailable as exc:
            profile.notices.append(f"{exc} The keychain slot was dropped.")
    slots.save(profile.directory, PENDING_SLOTS_FILE)
    rekey(profile.conn, new_key)
    os.replace(profile.directory / PENDING_SLOTS_FILE, profile.directory / SLOTS_FILE)
    profile.key = new_key
    for backup in profile.directory.glob(f"{DB_FILE}.v*.bak"):
        # Old backups open only with the retired key: of no use to the VMA, a risk if leaked.
        backup.unlink()
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


def now_utc() -> datetime:
    """Current time, UTC (one place to read the clock in the store)."""
    return datetime.now(UTC)
