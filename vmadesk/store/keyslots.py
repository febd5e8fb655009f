"""Key slots: the random database key, stored only wrapped (the LUKS idea).

The profile's ``keyslots.json`` holds no secret in plaintext: each slot is the database
key sealed with libsodium's secretbox under a wrapping key that comes from the VMA's
passphrase (Argon2id), the recovery key, or the OS keychain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nacl.exceptions
import nacl.secret

from vmadesk.domain.spoken_codes import from_spoken, to_spoken
from vmadesk.store.errors import AuthenticationError, StoreError

SLOTS_FILE = "keyslots.json"
FORMAT = 1
SlotType = Literal["passphrase", "recovery", "keychain"]


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
        """Inverse of :meth:`to_dict`."""
        return cls(int(data["t"]), int(data["m"]), int(data["p"]))


def derive_from_passphrase(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id of the passphrase: the wrapping key of the passphrase slot."""
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


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


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
    def from_dict(cls, data: dict[str, Any]) -> Slot:
        """Inverse of :meth:`to_dict`."""
        kdf = KdfParams.from_dict(data["kdf"]) if "kdf" in data else None
        salt = _unb64(data["salt"]) if "salt" in data else b""
        return cls(type=data["type"], box=_unb64(data["box"]), salt=salt, kdf=kdf)

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
    """Build a passphrase slot."""
    salt = secrets.token_bytes(16)
    return Slot(
        "passphrase",
        wrap(db_key, derive_from_passphrase(passphrase, salt, params)),
        salt=salt,
        kdf=params,
    )


def recovery_slot(db_key: bytes, recovery_key: str) -> Slot:
    """Build a recovery slot."""
    return Slot("recovery", wrap(db_key, recovery_wrapping_key(recovery_key)))


@dataclass
class KeySlots:
    """The content of ``keyslots.json``."""

    profile_id: str
    slots: list[Slot] = field(default_factory=list)

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
        """Read the profile's key slots (or another slot file in the profile)."""
        path = profile_dir / name
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise StoreError(f"{path} is missing: this profile cannot be unlocked.") from None
        except (ValueError, UnicodeDecodeError):
            raise StoreError(f"{path} is damaged (not valid JSON).") from None
        if data.get("format") != FORMAT:
            raise StoreError(f"{path} has an unknown format.")
        return cls(data["profile_id"], [Slot.from_dict(s) for s in data["slots"]])

    def save(self, profile_dir: Path, name: str = SLOTS_FILE) -> None:
        """Write atomically: a crash leaves the old or the new file, never half of one."""
        payload = json.dumps(
            {
                "format": FORMAT,
                "profile_id": self.profile_id,
                "slots": [s.to_dict() for s in self.slots],
            },
            indent=2,
        )
        fd, tmp = tempfile.mkstemp(prefix=".keyslots-", dir=profile_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, profile_dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
