"""A VMA's profile: create, unlock, inspect and re-key the encrypted store.

This is the one place that turns a passphrase, recovery key or keychain entry into the
database key (DESIGN.md, "Keys").
"""

from __future__ import annotations

import logging
import os
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlcipher3

from vmadesk.store import audit, audit_seal, keychain, own_handle, unlock_guard
from vmadesk.store.audit import AuditContext, AuditEvent
from vmadesk.store.connection import Connection, cipher_salt, connect, transaction
from vmadesk.store.db_diagnosis import database_problem
from vmadesk.store.errors import (
    AuditDamagedError,
    AuthenticationError,
    ProfileExistsError,
    ProfileMissingError,
    StoreError,
    WrongKeyError,
    os_error_message,
    translate,
)
from vmadesk.store.keyslots import (
    SLOTS_FILE,
    KdfParams,
    KeySlots,
    Slot,
    derive_from_passphrase,
    new_recovery_key,
    parse_recovery_key,
    passphrase_forms,
    passphrase_slot,
    recovery_slot,
    recovery_wrapping_key,
    slots_locked,
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
    if len(unicodedata.normalize("NFC", passphrase)) < MIN_PASSPHRASE:
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
    audit_context: AuditContext | None = field(default=None, repr=False)

    @property
    def db_path(self) -> Path:
        """The encrypted database file."""
        return self.directory / DB_FILE

    def connect(self) -> Connection:
        """A new connection for another thread (raw key: no KDF cost), audit key bound."""
        conn = connect(self.db_path, self.key)
        audit.bind(conn, self.audit_context)
        return conn

    def close(self) -> None:
        """Close the main connection and forget the key reference."""
        self.conn.close()

    def slot_types(self) -> list[str]:
        """Which slots protect the profile."""
        return [s.type for s in KeySlots.load(self.directory).slots]


def _ensure_private_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)


def _private(directory: Path) -> None:
    for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm"):
        if (directory / name).exists():
            os.chmod(directory / name, 0o600)


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
    try:
        _ensure_private_dir(directory)
    except OSError as exc:
        raise StoreError(f"The profile folder cannot be made: {os_error_message(exc)}") from None
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
    slots.audit, audit_keys = audit_seal.new_seal(db_key, slots.profile_id)
    context = audit_seal.context_for(directory, slots.profile_id, audit_keys)
    try:
        conn = connect(directory / DB_FILE, db_key, create=True)
        migrate(conn, directory / DB_FILE)
        slots.db_salt = cipher_salt(conn)
        slots.save(directory)  # before the first entry: its anchor is written into it
        audit.bind(conn, context)
        with transaction(conn):
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
        _private(directory)
    except BaseException as exc:
        for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", SLOTS_FILE):
            (directory / name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StoreError(f"The profile was not created: {os_error_message(exc)}") from None
        raise
    profile = UnlockedProfile(
        directory, db_key, slots.profile_id, "passphrase", conn, notices, context
    )
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


def unwrap_passphrase(slot: Slot, passphrase: str) -> tuple[bytes, str] | None:
    """The database key and the passphrase form that opened the slot, or None."""
    for form in passphrase_forms(passphrase):
        wrapping = derive_from_passphrase(form, slot.salt, slot.kdf or KdfParams())
        try:
            return slot.unwrap(wrapping), form
        except AuthenticationError:
            continue
    return None


def _check_files(directory: Path) -> None:
    if not (directory / SLOTS_FILE).exists():
        raise ProfileMissingError(
            f"No vmadesk profile in {directory} (create one with 'vmadesk profile init')."
        )
    db = directory / DB_FILE
    if not db.exists():
        raise StoreError(f"The profile in {directory} has key slots but no database.")


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
        KeySlotsDamagedError: The key slot file is damaged (exit 2).
        AuthenticationError: Wrong passphrase/recovery key (counted, with back-off).
        DatabaseMismatchError, DatabaseDamagedError: A slot opened but the database did not
            (not counted: the secret was right).
    """
    _check_files(directory)
    sets = _candidate_slot_sets(directory)  # a damaged slot file fails before any prompt
    notices: list[str] = []
    if recovery_key is not None:
        parse_recovery_key(recovery_key)  # a mistyped key is not a failed unlock
    secret = passphrase or (None if recovery_key else passphrase_from_env())
    if recovery_key is None and secret is None and use_keychain:
        opened = _try_keychain(directory, sets, notices)
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
    opened_a_slot = False
    for slots, pending in sets:
        form: str | None = None
        if recovery_key is not None:
            slot = slots.get("recovery")
            try:
                db_key = slot.unwrap(recovery_wrapping_key(recovery_key)) if slot else None
            except AuthenticationError:
                db_key = None
        else:
            slot = slots.get("passphrase")
            assert secret is not None
            found = unwrap_passphrase(slot, secret) if slot else None
            db_key, form = found if found else (None, None)
        if db_key is None:
            continue
        opened_a_slot = True
        try:
            profile = _open(directory, db_key, slots, method, notices, pending)
        except WrongKeyError:
            continue
        if form is not None and form != unicodedata.normalize("NFC", form):
            _renormalise_passphrase_slot(profile, form, slot)
        return profile
    if opened_a_slot and not (directory / PENDING_SLOTS_FILE).exists():
        # The secret was right: the database is the problem, not the VMA.
        raise database_problem(directory / DB_FILE, [s for s, _ in sets])
    record_failure(directory)
    log.warning("unlock failed (%s)", method)
    what = "recovery key" if recovery_key is not None else "passphrase"
    raise AuthenticationError(f"Wrong {what} for the profile in {directory}.")


def record_failure(directory: Path) -> None:
    """Count a failed unlock or re-authentication toward the back-off (never fails itself)."""
    try:
        unlock_guard.record_failure(directory)
    except OSError as exc:
        # Refuse rather than allow unlimited tries without back-off.
        raise StoreError(
            f"The unlock failed and could not be counted: {os_error_message(exc)}"
        ) from None


def _try_keychain(
    directory: Path, sets: list[tuple[KeySlots, bool]], notices: list[str]
) -> UnlockedProfile | None:
    # Said only if no set opens: mid-rotation the old set's keychain slot rightly fails.
    missed: list[str] = []
    opened_a_slot = False
    for slots, pending in sets:
        slot = slots.get("keychain")
        if slot is None:
            continue
        try:
            stored = keychain.fetch_secret(slots.profile_id)
            if stored is None:
                missed.append("The keychain has no entry for this profile; using the passphrase.")
                continue
            db_key = slot.unwrap(bytes.fromhex(stored))
            opened_a_slot = True
            return _open(directory, db_key, slots, "keychain", notices, pending)
        except keychain.KeychainUnavailable as exc:
            missed.append(f"{exc} Using the passphrase instead.")
        except (AuthenticationError, WrongKeyError, ValueError):
            missed.append("The keychain entry does not open this profile; using the passphrase.")
    if opened_a_slot and not (directory / PENDING_SLOTS_FILE).exists():
        raise database_problem(directory / DB_FILE, [s for s, _ in sets])
    notices.extend(dict.fromkeys(missed))
    return None


def _open(
    directory: Path,
    db_key: bytes,
    slots: KeySlots,
    method: UnlockMethod,
    notices: list[str],
    pending: bool,
) -> UnlockedProfile:
    db = directory / DB_FILE
    if not db.is_file() or db.stat().st_size == 0:
        raise WrongKeyError("nothing to open")  # said precisely by _database_problem
    conn = connect(db, db_key)
    try:
        context = _finish_open(directory, conn, db_key, slots, method, notices, pending)
    except sqlcipher3.Error as exc:
        conn.close()
        raise translate(exc, directory) from None
    except OSError as exc:
        conn.close()
        raise StoreError(f"The profile cannot be opened: {os_error_message(exc)}") from None
    except BaseException:
        conn.close()
        raise
    log.info("profile unlocked (%s)", method)
    return UnlockedProfile(directory, db_key, slots.profile_id, method, conn, notices, context)


def _finish_open(
    directory: Path,
    conn: Connection,
    db_key: bytes,
    slots: KeySlots,
    method: UnlockMethod,
    notices: list[str],
    pending: bool,
) -> AuditContext | None:
    """Settle an interrupted rotation, migrate, bind the audit key, record the unlock."""
    with slots_locked(directory):
        if pending:
            os.replace(directory / PENDING_SLOTS_FILE, directory / SLOTS_FILE)
        elif (directory / PENDING_SLOTS_FILE).exists():
            (directory / PENDING_SLOTS_FILE).unlink()
            notices.append(
                "A key rotation was interrupted before it changed the key: the previous "
                "passphrase and recovery key still work; the recovery key it showed does not."
            )
        if not slots.db_salt:  # profiles from before the salt was kept
            slots.db_salt = cipher_salt(conn)
            KeySlots.update(directory, lambda current: _set_salt(current, slots.db_salt))
    before = schema_version(conn)
    after = migrate(conn, directory / DB_FILE)
    context: AuditContext | None = None
    try:
        context = audit_seal.open_context(directory, slots, db_key, conn)
        audit.bind(conn, context)
        failures = unlock_guard.load(directory).failures
        with transaction(conn):
            if after != before:
                details = {"from": before, "to": after}
                audit.append(conn, AuditEvent.SCHEMA_MIGRATED, details=details)
                own_handle.adopt_enrolled_handle(conn)  # enrolled before handles were adopted
            if failures:
                audit.append(conn, AuditEvent.UNLOCK_FAILED, details={"count": failures})
            audit.append(conn, AuditEvent.UNLOCK_OK, details={"method": method})
    except AuditDamagedError as exc:
        # The profile still opens (to read, and for 'audit verify' to say so); every write
        # that must be audited is refused with the same message.
        notices.append(str(exc))
        return context
    unlock_guard.take_failures(directory)
    return context


def _set_salt(slots: KeySlots, salt: bytes) -> bool:
    slots.db_salt = salt
    return True


def _renormalise_passphrase_slot(profile: UnlockedProfile, form: str, old: Slot) -> None:
    """A slot derived from a non-NFC passphrase (before normalising): rewrite it from NFC."""
    new = passphrase_slot(profile.key, form, old.kdf or KdfParams())

    def replace(slots: KeySlots) -> bool:
        slots.put(new)
        return True

    try:
        KeySlots.update(profile.directory, replace)
    except (OSError, StoreError) as exc:
        log.warning("the passphrase slot was not renormalised (%s)", type(exc).__name__)


def now_utc() -> datetime:
    """Current time, UTC (one place to read the clock in the store)."""
    return datetime.now(UTC)
