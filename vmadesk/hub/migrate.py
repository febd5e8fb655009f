"""Run the hub's Alembic migrations programmatically (no alembic.ini).

Several hub processes may start at once on one PostgreSQL: the upgrade runs in one transaction
under a transaction-scoped advisory lock, so they queue and the later ones find the schema current.
On SQLite the ``BEGIN IMMEDIATE`` write lock serialises them the same way.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_ID = 0x766D6164  # "vmad"


def alembic_config() -> Config:
    """An Alembic config pointing at ``vmadesk/hub/migrations``."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision``."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_ID})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current(engine: Engine) -> str | None:
    """The database's current revision (``None`` if never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
