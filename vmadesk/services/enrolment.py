"""Enrolling this profile at a team hub: the hub conversation, what is kept, and the backfill.

What an enrolment keeps (hub URL, handle, role, token, team secret) and how it is read back are
:mod:`vmadesk.sync.enrolment`'s; this module is the use case that asks the hub, keeps the answer
and, once the profile can send, queues the work that existed before
(:mod:`vmadesk.services.backfill`), in one transaction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

from vmadesk.services.backfill import run_backfill
from vmadesk.store import box_keys
from vmadesk.store.connection import Connection, transaction
from vmadesk.sync.enrolment import (
    TEAM_SECRET_ENV,
    EnrolmentError,
    EnrolmentRefused,
    check_enrolment,
    open_team_secret,
    parse_team_secret_code,
    record_enrolment,
)
from vmadesk.sync.hub_client import HubClient

__all__ = ["Enrolment", "EnrolmentError", "EnrolmentRefused", "enroll"]


@dataclass(frozen=True)
class Enrolment:
    """What :func:`enroll` did."""

    handle: str
    role: str
    team_secret_source: str  # "code", "hub", "kept" (already held) or "missing"


def enroll(
    conn: Connection,
    hub_url: str,
    token: str,
    *,
    team_secret_code: str | None = None,
    client: HubClient | None = None,
    replace: bool = False,
    as_supervisor: bool = False,
) -> Enrolment:
    """Enrol this profile at a hub.

    Asks the hub who the token belongs to, checks that enrolling does not silently change the
    profile (:func:`~vmadesk.sync.enrolment.check_enrolment`), registers this profile's public
    key, obtains the team secret (from ``team_secret_code``, else ``VMADESK_TEAM_SECRET``, else
    sealed at the hub) and stores URL, handle, role, token and secret inside the encrypted store
    (audited, no values). When the secret is there, the one-time backfill
    (:mod:`vmadesk.services.backfill`) queues the work that existed before, in the same
    transaction.

    Args:
        conn: The profile's connection.
        hub_url: The hub's URL.
        token: The bearer token.
        team_secret_code: An enrolment code (base64 of the team secret).
        client: A hub client (default: one for ``hub_url`` and ``token``, closed afterwards).
        replace: Allow switching to another hub account or hub URL.
        as_supervisor: Allow a supervisor token on a profile holding open VMA work.

    Raises:
        EnrolmentError: a malformed code, or (:class:`EnrolmentRefused`) a refused switch.
        HubRejected: the hub refused the token (401) or the key.
        HubUnavailable: the hub cannot be reached; nothing was stored.
    """
    code = team_secret_code or os.environ.get(TEAM_SECRET_ENV) or None
    secret = parse_team_secret_code(code) if code else None
    url = hub_url.rstrip("/")
    own = client is None
    hub = client or HubClient(hub_url, token)
    try:
        who = hub.whoami()
        # Checked before the key is registered: a refused enrolment leaves no trace anywhere.
        check_enrolment(
            conn, url, who.handle, who.role.value, replace=replace, as_supervisor=as_supervisor
        )
        with transaction(conn):
            public = box_keys.public_key_b64(conn)
        hub.register_public_key(public)
        version = 1
        source = "code" if secret is not None else "missing"
        if secret is None:
            found = open_team_secret(conn, hub)
            if found is not None:
                secret, version = found
                source = "hub"
    finally:
        if own:
            hub.close()
    with transaction(conn):
        source = record_enrolment(
            conn, url, who.handle, who.role.value, token, secret, version, source
        )
        run_backfill(conn, now=datetime.now(UTC))
    return Enrolment(who.handle, who.role.value, source)
