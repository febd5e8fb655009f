"""Fixtures for the hub tests: shared with tests/sync and the CLI tests via tests/support/hub.py.

PostgreSQL: set ``VMADESK_TEST_PG_URL`` (e.g. ``postgresql://vmadesk:vmadesk@127.0.0.1:5432/
vmadesk_test``); each test gets a fresh schema, dropped afterwards. With ``VMADESK_REQUIRE_PG=1``
a missing URL or unreachable server fails the PostgreSQL tests instead of skipping them.
"""

from __future__ import annotations

from tests.support.hub import (
    PG_ENV,
    HubFixture,
    ThreadedHub,
    db_url,
    free_port,
    hub,
    migrated,
    normalize_url,
)

__all__ = [
    "PG_ENV",
    "HubFixture",
    "ThreadedHub",
    "db_url",
    "free_port",
    "hub",
    "migrated",
    "normalize_url",
]
