"""Pseudonyms: keyed hashes of an item's source identifier (DESIGN.md, "Vocabulary").

``pseudonym = HMAC-SHA-256(team_secret, enc(source_system) || enc(source_id))`` in lowercase hex,
where ``enc(s)`` is the UTF-8 bytes of ``s`` preceded by their length as 4 bytes big-endian, and
the message starts with a domain tag. The length prefixes make the encoding unambiguous:
``("ab", "c")`` and ``("a", "bc")`` hash differently. Without the team secret (which the hub never
holds) a pseudonym cannot be tested against a guessed identifier.
"""

from __future__ import annotations

import hashlib
import hmac

_DOMAIN = b"vmadesk/pseudonym/v1"
MIN_SECRET_BYTES = 32


def _field(value: str) -> bytes:
    data = value.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def pseudonym(team_secret: bytes, source_system: str, source_id: str) -> str:
    """Return the 64-hex pseudonym of ``source_id`` in ``source_system`` under ``team_secret``.

    Raises:
        ValueError: the secret is shorter than 32 bytes, or an identifier is empty.
    """
    if not isinstance(team_secret, bytes | bytearray) or len(team_secret) < MIN_SECRET_BYTES:
        raise ValueError(f"team secret must be at least {MIN_SECRET_BYTES} bytes")
    if not source_system or not source_id:
        raise ValueError("source system and source id must not be empty")
    message = _field(_DOMAIN.decode()) + _field(source_system) + _field(source_id)
    return hmac.new(bytes(team_secret), message, hashlib.sha256).hexdigest()
