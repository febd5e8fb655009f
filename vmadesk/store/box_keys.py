"""The profile's X25519 key pair for sealed envelopes, and colleagues' public keys.

The secret key lives only inside the encrypted store; the public key is shared freely (a
"contact card") or registered at the hub.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from nacl.public import PrivateKey, PublicKey

from vmadesk.store.connection import Connection
from vmadesk.store.timestamps import to_db

_SECRET_NAME = "box_secret_key"


def secret_key(conn: Connection) -> PrivateKey:
    """This profile's private key, created on first use (call inside a transaction)."""
    row = conn.execute("SELECT value FROM secrets WHERE name = ?", (_SECRET_NAME,)).fetchone()
    if row is not None:
        return PrivateKey(bytes(row[0]))
    key = PrivateKey.generate()
    conn.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (_SECRET_NAME, bytes(key)))
    return key


def public_key_b64(conn: Connection) -> str:
    """This profile's public key, base64."""
    return base64.b64encode(bytes(secret_key(conn).public_key)).decode("ascii")


def parse_public_key(text: str) -> PublicKey:
    """A base64 X25519 public key (ValueError if it is not one)."""
    try:
        raw = base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ValueError("not a base64 public key") from None
    if len(raw) != 32:
        raise ValueError("a public key has 32 bytes")
    return PublicKey(raw)


def put_colleague(conn: Connection, handle: str, public_key: PublicKey) -> None:
    """Remember a colleague's public key."""
    conn.execute(
        "INSERT INTO colleagues (handle, public_key, added_at) VALUES (?, ?, ?)"
        " ON CONFLICT (handle) DO UPDATE SET public_key = excluded.public_key",
        (handle, bytes(public_key), to_db(datetime.now(UTC))),
    )


def colleagues(conn: Connection) -> dict[str, PublicKey]:
    """Known colleagues by handle."""
    rows = conn.execute("SELECT handle, public_key FROM colleagues ORDER BY handle")
    return {h: PublicKey(bytes(k)) for h, k in rows}
