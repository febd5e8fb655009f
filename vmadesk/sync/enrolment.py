"""Enrolment: the hub URL, handle, token and team secret, kept inside the encrypted store.

* ``settings``: ``hub.url``, ``hub.handle``, ``hub.role``, ``hub.team_key_version`` (no PHI);
* ``secrets``: ``hub_token`` (the bearer token) and ``team_secret`` (32 bytes, the HMAC key
  behind pseudonyms).

The team secret never reaches the hub in plaintext. It comes either from a supervisor's console,
sealed to this console's registered X25519 public key and relayed by the hub as ciphertext
(:func:`issue_team_secret` on the supervisor's side), or from an enrolment code handed over out
of band (base64 of the 32 bytes; ``--team-secret-code`` or ``VMADESK_TEAM_SECRET``).

Enrolling itself (the hub conversation, then :func:`record_enrolment` and the backfill in one
transaction) is the use case :func:`vmadesk.services.enrolment.enroll`.
"""

from __future__ import annotations

import base64
import binascii
import secrets as _secrets
from collections.abc import Iterable
from dataclasses import dataclass

from vmadesk.domain.spoken_codes import from_spoken, to_spoken
from vmadesk.store import audit, box_keys, own_handle, secrets_store, settings_store
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.sync import sealed
from vmadesk.sync.hub_client import HubClient, HubRejected
from vmadesk.sync.pseudonym import MIN_SECRET_BYTES

TEAM_SECRET_ENV = "VMADESK_TEAM_SECRET"
_URL, _HANDLE, _ROLE, _KEY_VERSION = (
    settings_store.HUB_URL,
    settings_store.HUB_HANDLE,
    "hub.role",
    "hub.team_key_version",
)
_TOKEN, _TEAM_SECRET = "hub_token", "team_secret"


class EnrolmentError(Exception):
    """Enrolment cannot proceed (bad code, hub refused the token, …); nothing was stored."""


class EnrolmentRefused(EnrolmentError):
    """Enrolling would silently change the profile's account, hub or kind; nothing was stored."""


@dataclass(frozen=True)
class HubConfig:
    """Where and as whom this console syncs."""

    url: str
    handle: str
    role: str
    token: str


# -- store accessors ------------------------------------------------------------------------


_setting = settings_store.get
_put_setting = settings_store.put
_secret = secrets_store.get
_put_secret = secrets_store.put


def hub_config(conn: Connection) -> HubConfig | None:
    """The stored hub settings, or None when this profile is not enrolled."""
    url, handle, token = _setting(conn, _URL), _setting(conn, _HANDLE), _secret(conn, _TOKEN)
    if not url or not handle or token is None:
        return None
    return HubConfig(url, handle, _setting(conn, _ROLE) or "vma", token.decode("ascii"))


def team_secret(conn: Connection) -> bytes | None:
    """The team secret, or None until the console has received it."""
    return _secret(conn, _TEAM_SECRET)


def store_team_secret(conn: Connection, secret: bytes, key_version: int = 1) -> None:
    """Keep the team secret (inside a transaction)."""
    if len(secret) != MIN_SECRET_BYTES:
        raise EnrolmentError("The team secret must be 32 bytes.")
    _put_secret(conn, _TEAM_SECRET, secret)
    _put_setting(conn, _KEY_VERSION, str(key_version))


def is_enrolled(conn: Connection) -> bool:
    """Enrolled at a hub and holding the team secret: ready to send item events."""
    return hub_config(conn) is not None and team_secret(conn) is not None


def client_for(conn: Connection, *, timeout: float = 10.0) -> HubClient:
    """A hub client for the stored settings (EnrolmentError when not enrolled)."""
    config = hub_config(conn)
    if config is None:
        raise EnrolmentError("This profile is not enrolled at a hub: run `vmadesk enroll`.")
    return HubClient(config.url, config.token, timeout)


# -- enrolment codes ------------------------------------------------------------------------


def new_team_secret() -> bytes:
    """32 random bytes."""
    return _secrets.token_bytes(MIN_SECRET_BYTES)


def team_secret_code(secret: bytes) -> str:
    """The enrolment code for a team secret: 13 groups of four, to read out by phone."""
    return to_spoken(secret)


def parse_team_secret_code(code: str) -> bytes:
    """The 32 bytes behind an enrolment code (EnrolmentError when it is not one).

    Codes handed out before the grouped form (base64, 44 characters) are still read.
    """
    raw = from_spoken(code, MIN_SECRET_BYTES)
    if raw is not None:
        return raw
    try:
        raw = base64.b64decode(code.strip().encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise EnrolmentError(
            "That is not an enrolment code (13 groups of four letters and digits)."
        ) from None
    if len(raw) != MIN_SECRET_BYTES:
        raise EnrolmentError("The enrolment code is incomplete: it holds 32 bytes.")
    return raw


# -- enrol / fetch / issue -------------------------------------------------------------------


def open_team_secret(conn: Connection, client: HubClient) -> tuple[bytes, int] | None:
    """The newest team secret sealed to this console at the hub, opened; None if none waits."""
    try:
        record = client.team_secret()
    except HubRejected as error:
        if error.status == 404:
            return None
        raise
    with transaction(conn):
        key = box_keys.secret_key(conn)
    try:
        secret = sealed.open_sealed(key, sealed.unb64(record.sealed))
    except sealed.EnvelopeError:
        raise EnrolmentError(
            "The team secret at the hub is not sealed to this profile's key; ask the supervisor "
            "to issue it again."
        ) from None
    if len(secret) != MIN_SECRET_BYTES:
        raise EnrolmentError("The team secret at the hub is damaged.")
    return secret, record.key_version


def fetch_team_secret(conn: Connection, client: HubClient) -> bool:
    """Fetch and keep the team secret if one waits at the hub; return whether we have one."""
    if team_secret(conn) is not None:
        return True
    found = open_team_secret(conn, client)
    if found is None:
        return False
    with transaction(conn):
        store_team_secret(conn, found[0], found[1])
        audit.append(conn, AuditEvent.SYNC, details={"action": "team_secret", "source": "hub"})
    return True


def _open_items(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM items WHERE is_open = 1").fetchone()[0])


def check_enrolment(
    conn: Connection,
    hub_url: str,
    handle: str,
    role: str,
    *,
    replace: bool = False,
    as_supervisor: bool = False,
) -> None:
    """Refuse an enrolment that would silently change what this profile is.

    Raises:
        EnrolmentRefused: the profile is enrolled as another account or at another hub (and
            ``replace`` is not set), or it holds open VMA work and the token is a supervisor's
            (and ``as_supervisor`` is not set).
    """
    stored = hub_config(conn)
    url = hub_url.rstrip("/")
    if stored is not None and not replace and (stored.url != url or stored.handle != handle):
        raise EnrolmentRefused(
            f"This profile is enrolled as {stored.handle} ({stored.role}) at {stored.url}; "
            f"the token belongs to {handle} ({role}) at {url}. Enrolling would switch accounts: "
            "give --replace if that is what you want."
        )
    open_items = _open_items(conn)
    if role == "supervisor" and open_items and not as_supervisor:
        raise EnrolmentRefused(
            f"This profile holds {open_items} open items (a VMA's work queue), but the token "
            f"belongs to supervisor {handle}. A supervisor's profile holds evidence keys, not a "
            "work queue: use a separate profile for the supervisor, or give --as-supervisor to "
            "enrol this one anyway."
        )


def record_enrolment(
    conn: Connection,
    url: str,
    handle: str,
    role: str,
    token: str,
    secret: bytes | None,
    key_version: int,
    source: str,
) -> str:
    """Keep what enrolling at ``url`` gave (inside the caller's transaction), audited.

    Another hub is another team: a team secret kept for it is dropped unless ``secret``
    replaces it.

    Returns:
        Where the team secret came from: ``source``, or ``"kept"`` when none came with the
        enrolment and one is already held.
    """
    stored = hub_config(conn)
    if stored is not None and stored.url != url:
        # Another hub is another team: its pseudonyms need that team's secret.
        conn.execute("DELETE FROM secrets WHERE name = ?", (_TEAM_SECRET,))
    _put_setting(conn, _URL, url)
    _put_setting(conn, _HANDLE, handle)
    _put_setting(conn, _ROLE, role)
    own_handle.adopt_handle(conn, handle)  # the team knows this VMA by it
    _put_secret(conn, _TOKEN, token.encode("ascii"))
    if secret is not None:
        store_team_secret(conn, secret, key_version)
    elif team_secret(conn) is not None:
        source = "kept"
    audit.append(
        conn,
        AuditEvent.SYNC,
        details={"action": "enrolled", "role": role, "team_secret": source},
    )
    return source


def issue_team_secret(
    conn: Connection | None,
    client: HubClient,
    recipients: Iterable[str],
    *,
    secret: bytes | None = None,
    key_version: int = 1,
) -> bytes:
    """Supervisor side: create (or reuse) the team secret and post it sealed to each recipient.

    Each recipient's registered public key is fetched from the hub; the hub receives only the
    sealed box. With ``conn`` (the supervisor's own profile) the secret is kept there too.

    Returns:
        The team secret (hand it out as an enrolment code with :func:`team_secret_code` where a
        console has no key registered yet).
    """
    from nacl.public import PublicKey

    from vmadesk import wire

    if secret is None and conn is not None:
        secret = team_secret(conn)
    secret = secret or new_team_secret()
    for handle in recipients:
        record = client.public_key(handle)
        box = sealed.seal_to(PublicKey(sealed.unb64(record.public_key)), secret)
        client.post_team_secret(
            wire.TeamSecretEnvelope(
                recipient=handle, key_version=key_version, sealed=sealed.b64(box)
            )
        )
    if conn is not None:
        with transaction(conn):
            if team_secret(conn) != secret:
                store_team_secret(conn, secret, key_version)
            audit.append(
                conn, AuditEvent.SYNC, details={"action": "team_secret_issued", "v": key_version}
            )
    return secret
