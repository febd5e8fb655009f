"""Hub accounts and bearer tokens.

A token is ``secrets.token_urlsafe(32)``, shown once when the account is made; the hub stores only
its SHA-256. Accounts have a role (``vma`` or ``supervisor``) and can be revoked; a revoked token
is refused like an unknown one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from vmadesk.hub.db import now_ms, users
from vmadesk.wire import HANDLE_PATTERN, Role

_HANDLE = re.compile(HANDLE_PATTERN)
#: What a token looks like (token_urlsafe(32) gives 43 characters); anything else is refused
#: before hashing.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


class AccountError(ValueError):
    """A bad account name or role, or an account that exists / does not exist."""


@dataclass(frozen=True, slots=True)
class Account:
    """The authenticated caller."""

    name: str
    role: Role

    @property
    def is_supervisor(self) -> bool:
        """Whether the caller reads the whole team."""
        return self.role is Role.SUPERVISOR


def hash_token(token: str) -> str:
    """SHA-256 of ``token`` in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def create_account(conn: Connection, name: str, role: str) -> str:
    """Create an account (or re-key a revoked one) and return its new token (shown once)."""
    if not _HANDLE.match(name):
        raise AccountError(
            "account names are 2-32 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. ana.r)"
        )
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError("role must be 'vma' or 'supervisor'") from None
    token = secrets.token_urlsafe(32)
    existing = conn.execute(select(users.c.revoked_at).where(users.c.name == name)).first()
    if existing is not None:
        if existing.revoked_at is None:
            raise AccountError(f"account {name!r} exists; revoke it first to issue a new token")
        conn.execute(
            update(users)
            .where(users.c.name == name)
            .values(
                role=role_value.value,
                token_hash=hash_token(token),
                created_at=now_ms(),
                revoked_at=None,
            )
        )
    else:
        conn.execute(
            users.insert().values(
                name=name, role=role_value.value, token_hash=hash_token(token), created_at=now_ms()
            )
        )
    return token


def revoke_account(conn: Connection, name: str) -> bool:
    """Revoke ``name``'s token; return whether an active account was revoked."""
    result = conn.execute(
        update(users)
        .where(users.c.name == name, users.c.revoked_at.is_(None))
        .values(revoked_at=now_ms())
    )
    return result.rowcount == 1


def authenticate(conn: Connection, authorization: str | None) -> Account | None:
    """Return the account for an ``Authorization: Bearer <token>`` header, or ``None``."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN.match(token):
        return None
    row = conn.execute(
        select(users.c.name, users.c.role).where(
            users.c.token_hash == hash_token(token), users.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return Account(name=row.name, role=Role(row.role))
