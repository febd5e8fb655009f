"""The hub fixtures (SQLite always, PostgreSQL when ``VMADESK_TEST_PG_URL`` is set)."""

from __future__ import annotations

from tests.hub_fixtures import db_url, hub

__all__ = ["db_url", "hub"]
