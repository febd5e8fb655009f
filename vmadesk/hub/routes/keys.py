"""Accounts' public keys and sealed team-secret envelopes (enrolment)."""

from __future__ import annotations

from sqlalchemy import select, update

from vmadesk import wire
from vmadesk.hub.db import insert_ignore, public_keys, team_secrets, to_dt, users
from vmadesk.hub.endpoint import HANDLE_PARAM, Ctx, Endpoint, conflict, not_found
from vmadesk.wire import Role


def whoami(ctx: Ctx) -> wire.Whoami:
    """The authenticated account."""
    return wire.Whoami(handle=ctx.account.name, role=ctx.account.role)


def put_key(ctx: Ctx) -> wire.PublicKeyRecord:
    """Register or rotate the caller's public key."""
    body: wire.PublicKeyRegistration = ctx.body
    now = ctx.now_ms()
    values = {"handle": ctx.account.name, "public_key": body.public_key, "registered_at": now}
    if not insert_ignore(ctx.conn, public_keys, values, ["handle"]):
        ctx.conn.execute(
            update(public_keys)
            .where(public_keys.c.handle == ctx.account.name)
            .values(public_key=body.public_key, registered_at=now)
        )
    return wire.PublicKeyRecord(
        handle=ctx.account.name,
        role=ctx.account.role,
        public_key=body.public_key,
        registered_at=to_dt(now),
    )


def get_key(ctx: Ctx) -> wire.PublicKeyRecord:
    """An active account's public key."""
    row = ctx.conn.execute(
        select(public_keys, users.c.role)
        .join(users, users.c.name == public_keys.c.handle)
        .where(public_keys.c.handle == ctx.path["handle"], users.c.revoked_at.is_(None))
    ).first()
    if row is None:
        raise not_found()
    return wire.PublicKeyRecord(
        handle=row.handle,
        role=Role(row.role),
        public_key=row.public_key,
        registered_at=to_dt(row.registered_at),
    )


def list_keys(ctx: Ctx) -> wire.PublicKeyList:
    """Every active account's public key, by handle (whom a console can hand work to)."""
    rows = ctx.conn.execute(
        select(public_keys, users.c.role)
        .join(users, users.c.name == public_keys.c.handle)
        .where(users.c.revoked_at.is_(None))
        .order_by(public_keys.c.handle)
    ).all()
    return wire.PublicKeyList(
        keys=[
            wire.PublicKeyRecord(
                handle=row.handle,
                role=Role(row.role),
                public_key=row.public_key,
                registered_at=to_dt(row.registered_at),
            )
            for row in rows
        ]
    )


def post_team_secret(ctx: Ctx) -> wire.TeamSecretRecord:
    """A supervisor leaves the team secret sealed to one account's public key."""
    body: wire.TeamSecretEnvelope = ctx.body
    exists = ctx.conn.execute(
        select(users.c.name).where(users.c.name == body.recipient, users.c.revoked_at.is_(None))
    ).first()
    if exists is None:
        raise not_found()
    now = ctx.now_ms()
    insert_ignore(
        ctx.conn,
        team_secrets,
        {
            "recipient": body.recipient,
            "key_version": body.key_version,
            "sealed": body.sealed,
            "posted_by": ctx.account.name,
            "posted_at": now,
        },
        ["recipient", "key_version"],
    )
    row = ctx.conn.execute(
        select(team_secrets).where(
            team_secrets.c.recipient == body.recipient,
            team_secrets.c.key_version == body.key_version,
        )
    ).one()
    if row.sealed != body.sealed:
        raise conflict("key_version")
    return _secret(row)


def _secret(row) -> wire.TeamSecretRecord:  # type: ignore[no-untyped-def]
    return wire.TeamSecretRecord(
        recipient=row.recipient,
        key_version=row.key_version,
        sealed=row.sealed,
        posted_by=row.posted_by,
        posted_at=to_dt(row.posted_at),
    )


def get_team_secret(ctx: Ctx) -> wire.TeamSecretRecord:
    """The caller's newest sealed team secret."""
    row = ctx.conn.execute(
        select(team_secrets)
        .where(team_secrets.c.recipient == ctx.account.name)
        .order_by(team_secrets.c.key_version.desc())
        .limit(1)
    ).first()
    if row is None:
        raise not_found()
    return _secret(row)


ENDPOINTS = [
    Endpoint("GET", "/v1/whoami", whoami, "The authenticated account", response=wire.Whoami),
    Endpoint(
        "PUT",
        "/v1/keys",
        put_key,
        "Register (or rotate) the caller's X25519 public key",
        request=wire.PublicKeyRegistration,
        response=wire.PublicKeyRecord,
    ),
    Endpoint(
        "GET",
        "/v1/keys",
        list_keys,
        "Every active account's public key (the receivers a handoff can go to)",
        response=wire.PublicKeyList,
    ),
    Endpoint(
        "GET",
        "/v1/keys/{handle}",
        get_key,
        "Another account's public key",
        response=wire.PublicKeyRecord,
        path_params={"handle": HANDLE_PARAM},
    ),
    Endpoint(
        "POST",
        "/v1/team-secrets",
        post_team_secret,
        "Post the team secret sealed to one account (supervisor)",
        roles=frozenset({Role.SUPERVISOR}),
        request=wire.TeamSecretEnvelope,
        response=wire.TeamSecretRecord,
        status=201,
    ),
    Endpoint(
        "GET",
        "/v1/team-secrets",
        get_team_secret,
        "The caller's newest sealed team secret",
        response=wire.TeamSecretRecord,
    ),
]
