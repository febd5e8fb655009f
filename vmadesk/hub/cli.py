"""Hub command functions; ``vmadesk hub serve|add-user|revoke`` call these.

Nothing here prints PHI: the hub has none. ``add_user`` returns the token, which the caller prints
once; only its SHA-256 is stored.
"""

from __future__ import annotations

import ipaddress
import logging
import sys

from vmadesk.hub import auth, migrate
from vmadesk.hub.db import make_engine

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
