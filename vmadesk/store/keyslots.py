"""Key slots: the random database key, stored only wrapped (the LUKS idea).

The profile's ``keyslots.json`` holds no secret in plaintext: each slot is the database
key sealed with libsodium's secretbox under a wrapping key that comes from the VMA's
passphrase (Argon2id), the recovery key, or the OS keychain.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import nacl.exceptions
import nacl.secret

try:
    import fcntl
except ImportError:  # Windows: the thread lock alone (one console per profile there)
    fcntl = None  # type: ignore[assignment]

from vmadesk.domain.spoken_codes import from_spoken, to_spoken
from vmadesk.store.errors import AuthenticationError, KeySlotsDamagedError, StoreError
from vmadesk.store.private_files import NotARegularFile, read_small, write_atomic

SLOTS_FILE = "keyslots.json"
FORMAT = 1
SlotType = Literal["passphrase", "recovery", "keychain"]
#: A secretbox around a 32-byte key: 24-byte nonce, 16-byte tag, 32 bytes.
BOX_BYTES = 72
MIN_SALT_BYTES = 16
#: Bounds on the Argon2id cost read from the file: checked before anything is allocated, so
#: a damaged or hostile slot cannot make an unlock take all memory or hours.
MAX_TIME_COST = 16
MAX_MEMORY_KIB = 1024 * 1024
MAX_PARALLELISM = 16
LOCK_FILE = "keyslots.lock"
#: Serialises every read-modify-write of the slot file in this process (the audit anchor is
#: advanced from any thread's connection; a passphrase change must not be overwritten).
_THREAD_LOCK = threading.RLock()
_held = 0  # depth of slots_locked() in the thread holding _THREAD_LOCK


@contextlib.contextmanager
def slots_locked(profile_dir: Path) -> Iterator[None]:
    """Hold the slot file against every other thread and process (re-entrant).

    The console's sync thread advances the audit anchor while a terminal may change the
    passphrase: without the lock one could save a copy read before the other's change.

    Raises:
        OSError: The lock file cannot be made (a read-only profile).
    """
    global _held
    with _THREAD_LOCK:
        if _held:
            _held += 1
            try:
                yield
            finally:
                _held -= 1
            return
        try:  # read-only is enough for flock, and works on a read-only profile
            fd = os.open(profile_dir / LOCK_FILE, os.O_RDONLY)
        except FileNotFoundError:
            fd = os.open(profile_dir / LOCK_FILE, os.O_RDONLY | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            _held = 1
            try:
                yield
            finally:
                _held = 0
        finally:
            os.close(fd)  # closing releases the flock


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; stored with the slot so it can be raised later."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 2

    def to_dict(self) -> dict[str, int]:
        """JSON form."""
        return {"t": self.time_cost, "m": self.memory_kib, "p": self.parallelism}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KdfParams:
        """Inverse of :meth:`to_dict`; ValueError on anything but sane whole numbers."""
        values = [data.get(k) for k in ("t", "m", "p")]
        if not all(type(v) is int for v in values):
            raise ValueError("Argon2 parameters are not whole numbers")
        params = cls(*values)  # type: ignore[arg-type]
        params.check()
        return params

    def check(self) -> None:
        """Refuse a cost outside what vmadesk ever writes (ValueError)."""
        if not 1 <= self.time_cost <= MAX_TIME_COST:
            raise ValueError("Argon2 time cost out of range")
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            raise ValueError("Argon2 parallelism out of range")
        if not 8 * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB:
            raise ValueError("Argon2 memory cost out of range")


def passphrase_forms(passphrase: str) -> list[str]:
    """The forms to try, NFC first: new slots derive from NFC, older ones from the raw text.

    The same passphrase typed on another keyboard or OS may arrive composed or decomposed;
    NFC makes them one passphrase.
    """
    forms = [unicodedata.normalize("NFC", passphrase)]
    for form in (passphrase, unicodedata.normalize("NFD", passphrase)):
        if form not in forms:
            forms.append(form)
    return forms


def derive_from_passphrase(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id of the passphrase (exactly as given): the wrapping key of the passphrase slot.

    Raises:
        KeySlotsDamagedError: The salt or the cost is outside what vmadesk writes (checked
            before Argon2 allocates its memory).
    """
    try:
        params.check()
    except ValueError as exc:
        raise KeySlotsDamagedError(f"The passphrase slot is damaged ({exc}).") from None
    if len(salt) < MIN_SALT_BYTES:
        raise KeySlotsDamagedError("The passphrase slot is damaged (salt too short).")
    # Loaded here: an unlock through the keychain or the recovery key never needs it.
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def recovery_wrapping_key(recovery_key: str) -> bytes:
    """The recovery key is 32 random bytes: a keyed hash suffices, no slow KDF needed."""
    raw = parse_recovery_key(recovery_key)
    return hashlib.blake2b(raw, digest_size=32, person=b"vmadesk-recovery").digest()


def new_recovery_key() -> str:
    """A fresh recovery key, grouped for reading aloud or writing down."""
    return to_spoken(secrets.token_bytes(32))


def parse_recovery_key(text: str) -> bytes:
    """Decode a recovery key typed with or without dashes and spaces."""
    raw = from_spoken(text, 32)
    if raw is None:
        raise AuthenticationError("That is not a vmadesk recovery key.")
    return raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("bad base64") from None


@dataclass
class Slot:
    """One wrapped copy of the database key."""

    type: SlotType
    box: bytes
    salt: bytes = b""
    kdf: KdfParams | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        data: dict[str, Any] = {"type": self.type, "box": _b64(self.box)}
        if self.salt:
            data["salt"] = _b64(self.salt)
        if self.kdf:
            data["kdf"] = {"alg": "argon2id", **self.kdf.to_dict()}
        return data

    @classmethod
    def from_dict(cls, data: object) -> Slot:
        """Inverse of :meth:`to_dict`; ValueError on any shape vmadesk does not write."""
        if not isinstance(data, dict):
            raise ValueError("a slot is not an object")
        slot_type = data.get("type")
        if slot_type not in get_args(SlotType):
            raise ValueError("unknown slot type")
        box = _unb64(data.get("box"))
        if len(box) != BOX_BYTES:
            raise ValueError("a slot's box has the wrong size")
        if slot_type != "passphrase":
            return cls(type=slot_type, box=box)
        kdf_data = data.get("kdf")
        if not isinstance(kdf_data, dict) or kdf_data.get("alg") != "argon2id":
            raise ValueError("the passphrase slot has no Argon2id parameters")
        salt = _unb64(data.get("salt"))
        if len(salt) < MIN_SALT_BYTES:
            raise ValueError("the passphrase slot's salt is too short")
        return cls(type=slot_type, box=box, salt=salt, kdf=KdfParams.from_dict(kdf_data))

    def unwrap(self, wrapping_key: bytes) -> bytes:
        """Open the slot, or raise AuthenticationError."""
        try:
            key = nacl.secret.SecretBox(wrapping_key).decrypt(self.box)
        except nacl.exceptions.CryptoError:
            raise AuthenticationError("wrong key for this slot") from None
        if len(key) != 32:
            raise StoreError("A key slot holds a key of the wrong size.")
        return key


def wrap(db_key: bytes, wrapping_key: bytes) -> bytes:
    """Seal the database key under a wrapping key (random nonce inside the box)."""
    return bytes(nacl.secret.SecretBox(wrapping_key).encrypt(db_key))


def passphrase_slot(db_key: bytes, passphrase: str, params: KdfParams) -> Slot:
    """Build a passphrase slot (from the NFC form of the passphrase)."""
    salt = secrets.token_bytes(16)
    normalised = unicodedata.normalize("NFC", passphrase)
    return Slot(
        "passphrase",
        wrap(db_key, derive_from_passphrase(normalised, salt, params)),
        salt=salt,
        kdf=params,
    )


def recovery_slot(db_key: bytes, recovery_key: str) -> Slot:
    """Build a recovery slot."""
    return Slot("recovery", wrap(db_key, recovery_wrapping_key(recovery_key)))


def _audit_wrapping_key(db_key: bytes) -> bytes:
    return hashlib.blake2b(db_key, digest_size=32, person=b"vmadesk-audit").digest()


def seal_audit_key(db_key: bytes, audit_key: bytes) -> bytes:
    """Seal an audit key so it is readable only with the slot file *and* the database key."""
    return wrap(audit_key, _audit_wrapping_key(db_key))


def open_audit_key(db_key: bytes, box: bytes) -> bytes:
    """Inverse of :func:`seal_audit_key` (AuthenticationError if the box does not open)."""
    return Slot("keychain", box).unwrap(_audit_wrapping_key(db_key))


@dataclass(frozen=True)
class Anchor:
    """The audit chain head as last written, authenticated with the audit key."""

    seq: int
    hash: str
    mac: str


@dataclass
class AuditSeal:
    """The audit keys (sealed) and the chain anchor, kept outside the database.

    ``keys`` pairs the first sequence number a key signs with its sealed box: profiles that
    kept their key inside the database start a new key when they migrate, so a copy of an
    old database cannot forge any entry written since.
    """

    keys: list[tuple[int, bytes]]
    anchor: Anchor | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        data: dict[str, Any] = {"keys": [{"from": f, "box": _b64(b)} for f, b in self.keys]}
        if self.anchor is not None:
            data["anchor"] = {
                "seq": self.anchor.seq,
                "hash": self.anchor.hash,
                "mac": self.anchor.mac,
            }
        return data

    @classmethod
    def from_dict(cls, data: object) -> AuditSeal:
        """Inverse of :meth:`to_dict`; ValueError on any other shape."""
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise ValueError("the audit section has no keys")
        keys: list[tuple[int, bytes]] = []
        for entry in data["keys"]:
            if not isinstance(entry, dict) or type(entry.get("from")) is not int:
                raise ValueError("an audit key entry is malformed")
            box = _unb64(entry.get("box"))
            if len(box) != BOX_BYTES or entry["from"] < 1:
                raise ValueError("an audit key entry is malformed")
            keys.append((entry["from"], box))
        if not keys or [f for f, _ in keys] != sorted({f for f, _ in keys}) or keys[0][0] != 1:
            raise ValueError("the audit keys are out of order")
        anchor = None
        raw = data.get("anchor")
        if raw is not None:
            if not (
                isinstance(raw, dict)
                and type(raw.get("seq")) is int
                and raw["seq"] >= 0
                and isinstance(raw.get("hash"), str)
                and isinstance(raw.get("mac"), str)
            ):
                raise ValueError("the audit anchor is malformed")
            anchor = Anchor(raw["seq"], raw["hash"], raw["mac"])
        return cls(keys, anchor)

    def open_keys(self, db_key: bytes) -> list[tuple[int, bytes]]:
        """The audit keys in clear (AuthenticationError if they are not this profile's)."""
        return [(first, open_audit_key(db_key, box)) for first, box in self.keys]

    def resealed(self, old_db_key: bytes, new_db_key: bytes) -> AuditSeal:
        """The same keys sealed under a new database key (key rotation)."""
        keys = [(f, seal_audit_key(new_db_key, k)) for f, k in self.open_keys(old_db_key)]
        return AuditSeal(keys, self.anchor)


def _damaged(path: Path, what: str) -> KeySlotsDamagedError:
    return KeySlotsDamagedError(
        f"{path} is damaged ({what}): restore it from a backup, or use the recovery key "
        "with a backup of the key slots."
    )


@dataclass
class KeySlots:
    """The content of ``keyslots.json``."""

    profile_id: str
    slots: list[Slot] = field(default_factory=list)
    #: SQLCipher's salt of this profile's database: tells "another profile's database"
    #: apart from "a damaged one" when a slot opens but the database does not.
    db_salt: bytes = b""
    audit: AuditSeal | None = None

    def get(self, slot_type: SlotType) -> Slot | None:
        """The slot of that type, if any."""
        return next((s for s in self.slots if s.type == slot_type), None)

    def put(self, slot: Slot) -> None:
        """Add or replace the slot of the same type."""
        self.slots = [s for s in self.slots if s.type != slot.type] + [slot]

    def remove(self, slot_type: SlotType) -> None:
        """Drop the slot of that type."""
        self.slots = [s for s in self.slots if s.type != slot_type]

    @classmethod
    def load(cls, profile_dir: Path, name: str = SLOTS_FILE) -> KeySlots:
        """Read the profile's key slots (or another slot file in the profile).

        Raises:
            StoreError: The file is missing.
            KeySlotsDamagedError: It cannot be read or has a shape vmadesk never writes.
        """
        path = profile_dir / name
        try:
            data = json.loads(read_small(path).decode("utf-8"))
        except FileNotFoundError:
            raise StoreError(f"{path} is missing: this profile cannot be unlocked.") from None
        except (NotARegularFile, IsADirectoryError) as exc:
            raise _damaged(path, exc.strerror or "not a file") from None
        except OSError as exc:
            raise _damaged(path, f"cannot be read: {exc.strerror or 'error'}") from None
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise _damaged(path, "not valid JSON") from None
        if not isinstance(data, dict):
            raise _damaged(path, "not a key slot file")
        if data.get("format") != FORMAT:
            raise _damaged(path, "unknown format")
        profile_id, raw_slots = data.get("profile_id"), data.get("slots")
        if not isinstance(profile_id, str) or not profile_id or not isinstance(raw_slots, list):
            raise _damaged(path, "no profile id or slot list")
        try:
            slots = [Slot.from_dict(s) for s in raw_slots]
            db_salt = _unb64(data["db_salt"]) if "db_salt" in data else b""
            audit = AuditSeal.from_dict(data["audit"]) if "audit" in data else None
        except ValueError as exc:
            raise _damaged(path, str(exc)) from None
        if not slots:
            raise _damaged(path, "no key slot")
        return cls(profile_id, slots, db_salt, audit)

    def save(self, profile_dir: Path, name: str = SLOTS_FILE) -> None:
        """Write atomically: a crash leaves the old or the new file, never half of one."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "profile_id": self.profile_id,
            "slots": [s.to_dict() for s in self.slots],
        }
        if self.db_salt:
            data["db_salt"] = _b64(self.db_salt)
        if self.audit is not None:
            data["audit"] = self.audit.to_dict()
        with slots_locked(profile_dir):
            write_atomic(profile_dir / name, json.dumps(data, indent=2).encode("utf-8"))

    @classmethod
    def update(cls, profile_dir: Path, change: Callable[[KeySlots], bool]) -> bool:
        """Load, change and save the slot file under the lock (``change`` False: no write).

        Returns:
            Whether the file was rewritten.
        """
        with slots_locked(profile_dir):
            slots = cls.load(profile_dir)
            if not change(slots):
                return False
            slots.save(profile_dir)
            return True
