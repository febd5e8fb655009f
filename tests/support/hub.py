"""Shared hub fixtures: a real hub under uvicorn on loopback, over SQLite and PostgreSQL.

Used by tests/hub (through its conftest), tests/sync and tests/test_cli_sync.py.

PostgreSQL: set ``VMADESK_TEST_PG_URL`` (e.g. ``postgresql://vmadesk:vmadesk@127.0.0.1:5432/
vmadesk_test``); each test gets a fresh schema, dropped afterwards. With ``VMADESK_REQUIRE_PG=1``
a missing URL or unreachable server fails the PostgreSQL tests instead of skipping them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, text

from vmadesk.hub import auth, migrate
from vmadesk.hub.app import create_app
from vmadesk.hub.db import make_engine, normalize_url, now_ms
from vmadesk.sync.hub_client import HubClient

PG_ENV = "VMADESK_TEST_PG_URL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("VMADESK_REQUIRE_PG") == "1":
        pytest.fail(f"PostgreSQL required (VMADESK_REQUIRE_PG=1) but {reason}")
    pytest.skip(reason)


def _with_search_path(url: str, schema: str) -> str:
    option = quote(f"-csearch_path={schema}", safe="")
    return url + ("&" if "?" in url else "?") + f"options={option}"


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty hub database URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.sqlite3'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        _pg_unavailable(f"{PG_ENV} is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        _pg_unavailable(f"PostgreSQL unreachable: {type(error).__name__}")
    try:
        yield _with_search_path(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class HubClock:
    """The hub's clock in tests: the wall clock, plus however far the test moved it."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return now_ms() + self.offset_ms

    def advance(self, **kwargs: float) -> None:
        """Move the hub's time forward (``minutes=20``, ``hours=1``…)."""
        self.offset_ms += int(timedelta(**kwargs).total_seconds() * 1000)


class ThreadedHub:
    """uvicorn serving the hub app in a background thread (``port``: reuse one, to restart)."""

    def __init__(
        self,
        db_url: str,
        max_body: int = 1024 * 1024,
        port: int | None = None,
        clock: HubClock | None = None,
    ) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.clock = clock or HubClock()
        self.app = create_app(db_url, max_body=max_body, clock=self.clock)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, access_log=False, log_config=None
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ThreadedHub:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("hub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.state.engine.dispose()


@dataclass
class HubFixture:
    """A running hub, its database and accounts."""

    base_url: str
    db_url: str
    engine: Engine
    tokens: dict[str, str] = field(default_factory=dict)
    #: The hub's clock: ``hub.clock.advance(minutes=30)`` lets leases lapse without waiting.
    clock: HubClock = field(default_factory=HubClock)
    clients: list[HubClient] = field(default_factory=list)

    def add(self, name: str, role: str = "vma") -> str:
        with self.engine.begin() as conn:
            token = auth.create_account(conn, name, role)
        self.tokens[name] = token
        return token

    def client(self, name: str | None = None, token: str | None = None) -> HubClient:
        client = HubClient(self.base_url, token if name is None else self.tokens[name], 10.0)
        self.clients.append(client)
        return client

    def dump(self) -> str:
        """Every row of every table, as text (for PHI greps)."""
        from vmadesk.hub.db import metadata

        out = []
        with self.engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(table.select()):
                    out.append(f"{table.name}: {tuple(row)!r}")
        return "\n".join(out)

    def count(self, table_name: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table_name}")).scalar_one()


@pytest.fixture
def hub(db_url: str) -> Iterator[HubFixture]:
    """A running hub with accounts ``ana`` and ``ben`` (vma) and ``sue`` (supervisor)."""
    server = ThreadedHub(db_url).start()
    engine = make_engine(db_url)
    fixture = HubFixture(server.base_url, db_url, engine, clock=server.clock)
    fixture.add("ana")
    fixture.add("ben")
    fixture.add("sue", "supervisor")
    try:
        yield fixture
    finally:
        for client in fixture.clients:
            client.close()
        server.stop()
        engine.dispose()


@pytest.fixture
def migrated(db_url: str) -> Iterator[Engine]:
    """A migrated database without a server."""
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def start_hub_process(db_url: str, port: int, log) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    """``vmadesk.hub.cli.serve`` in a child process (so it can be SIGKILLed); waits for /health."""
    # The URL travels in the environment: a PostgreSQL password never goes on a command line.
    code = (
        "import os, sys; from vmadesk.hub.cli import serve; "
        f"sys.exit(serve(os.environ['VMADESK_HUB_DB'], '127.0.0.1', {port}, False))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "VMADESK_HUB_DB": db_url},
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("hub exited")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("hub did not start")


__all__ = [
    "HubFixture",
    "ThreadedHub",
    "db_url",
    "free_port",
    "hub",
    "migrated",
    "normalize_url",
    "start_hub_process",
]
