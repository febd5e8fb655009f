"""Alembic environment for the hub: always run programmatically by ``vmadesk.hub.migrate``."""

from __future__ import annotations

from alembic import context

from vmadesk.hub.db import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
