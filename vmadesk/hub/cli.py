"""Hub command functions; ``vmadesk hub serve|add-user|revoke|board`` call these.

Nothing here prints PHI: the hub has none. ``add_user`` returns the token, which the caller prints
once; only its SHA-256 is stored.

A PostgreSQL password never goes on a command line (``ps`` shows it to every local user): the
``--db`` URL names user, host and database, and libpq finds the password in ``PGPASSWORD``, a
password file (``~/.pgpass`` or ``PGPASSFILE``) or a service (``?service=NAME``). A whole URL
may also come from ``VMADESK_HUB_DB`` instead of ``--db``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from vmadesk import wire
from vmadesk.hub import auth, migrate
from vmadesk.hub.db import make_engine, normalize_url

#: Environment variable holding the hub's database URL when ``--db`` is not given.
DB_ENV = "VMADESK_HUB_DB"


class DbArgumentError(ValueError):
    """A ``--db`` value the hub refuses (a password in it, or not a database URL)."""


def db_from_arguments(db_arg: str | None) -> str | None:
    """The database URL from ``--db`` (refusing a password in it), else ``VMADESK_HUB_DB``.

    Raises:
        DbArgumentError: ``--db`` carries a password or is not a database URL.
    """
    if db_arg is None:
        return os.environ.get(DB_ENV) or None
    try:
        url = make_url(normalize_url(db_arg))
    except ArgumentError:
        raise DbArgumentError("--db is not a database URL or file path.") from None
    if url.password:
        # The message never repeats the URL: it holds the password.
        raise DbArgumentError(
            "--db must not contain a password (the command line is visible to other users): "
            "give postgresql://USER@HOST/DB and put the password in PGPASSWORD, a password "
            "file (~/.pgpass or PGPASSFILE) or a libpq service (?service=NAME), or pass the "
            f"whole URL in {DB_ENV}."
        )
    return db_arg


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` names a loopback interface only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(db_url: str | None, host: str, port: int, allow_insecure_http: bool) -> int:
    """Run the hub under uvicorn until interrupted; return the exit status.

    Refuses (status 2) to listen on a non-loopback address unless ``allow_insecure_http``:
    TLS is meant to terminate in a reverse proxy in front (see vmadesk/hub/README.md).
    """
    if not is_loopback(host) and not allow_insecure_http:
        print(
            f"vmadesk hub: refusing plain HTTP on non-loopback address {host}; put a TLS proxy "
            "in front and listen on 127.0.0.1, or pass --allow-insecure-http",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    from vmadesk.hub.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(db_url)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,  # the app's own access log names route templates, not raw paths
        log_level="info",
        proxy_headers=True,
        server_header=False,
    )
    uvicorn.Server(config).run()
    return 0


def add_user(name: str, role: str, db_url: str | None) -> str:
    """Create an account and return its token (shown once; only the hash is stored).

    Raises:
        vmadesk.hub.auth.AccountError: bad name or role, or the account already exists.
    """
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            return auth.create_account(conn, name, role)
    finally:
        engine.dispose()


def revoke_user(name: str, db_url: str | None) -> bool:
    """Revoke an account's token; return whether an active account was revoked."""
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            return auth.revoke_account(conn, name)
    finally:
        engine.dispose()


def board(db_url: str | None) -> wire.Board:
    """The team board from the database: the same document as ``GET /v1/board``."""
    from vmadesk.hub.routes.board import board_from

    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            return board_from(conn)
    finally:
        engine.dispose()
