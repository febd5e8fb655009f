"""Sealed envelopes: PHI encrypted on the sender's machine for one receiver.

Two ways to address a receiver: their X25519 public key (libsodium sealed box), or a
one-time code read out by phone (Argon2id of the code, then secretbox). The hub, a file
share or an e-mail relays only the ciphertext.
"""

from __future__ import annotations

import base64
import secrets

import nacl.exceptions
import nacl.pwhash
import nacl.secret
from nacl.public import PrivateKey, PublicKey, SealedBox

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud safely
CODE_LENGTH = 12


class EnvelopeError(ValueError):
    """The envelope does not open with this key or code, or is damaged."""


def seal_to(public_key: PublicKey, plaintext: bytes) -> bytes:
    """Encrypt for the holder of the matching private key only."""
    return bytes(SealedBox(public_key).encrypt(plaintext))


def open_sealed(private_key: PrivateKey, ciphertext: bytes) -> bytes:
    """Open a sealed box addressed to ``private_key``."""
    try:
        return bytes(SealedBox(private_key).decrypt(ciphertext))
    except nacl.exceptions.CryptoError:
        raise EnvelopeError(
            "This envelope is not addressed to this profile, or it is damaged."
        ) from None


def new_code() -> str:
    """A one-time code: 12 characters (~59 bits), grouped by four."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _code_key(code: str, salt: bytes) -> bytes:
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        compact.encode("ascii"),
        salt,
        opslimit=nacl.pwhash.argon2id.OPSLIMIT_MODERATE,
        memlimit=nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
    )


def seal_with_code(code: str, plaintext: bytes) -> tuple[bytes, bytes]:
    """Encrypt under a one-time code; returns (salt, ciphertext)."""
    salt = secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)
    return salt, bytes(nacl.secret.SecretBox(_code_key(code, salt)).encrypt(plaintext))


def open_with_code(code: str, salt: bytes, ciphertext: bytes) -> bytes:
    """Open an envelope sealed with :func:`seal_with_code`."""
    try:
        return bytes(nacl.secret.SecretBox(_code_key(code, salt)).decrypt(ciphertext))
    except (nacl.exceptions.CryptoError, UnicodeEncodeError):
        raise EnvelopeError("The code does not open this envelope.") from None


def b64(data: bytes) -> str:
    """Base64 text of bytes."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Bytes of base64 text (EnvelopeError when malformed)."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise EnvelopeError("The envelope is damaged (bad base64).") from None
