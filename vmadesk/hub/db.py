"""The hub's database: SQLAlchemy Core tables, the engine factory and migrations.

SQLite (a file, WAL, busy timeout, ``BEGIN IMMEDIATE`` for every transaction so concurrent
writers queue instead of failing) is the zero-set-up default; PostgreSQL through psycopg 3 serves a
real team. The same Core statements run on both. Times are stored as integer milliseconds since
the Unix epoch (UTC), which compare and sort the same way everywhere.

Nothing here can hold PHI: every column is a code, a count, a pseudonym, a handle, a hash, a
hub-side time, or a sealed ciphertext the hub cannot open.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(36), nullable=False, unique=True),
    Column("sender", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("received_at", BigInteger, nullable=False),
)

summaries = Table(
    "summaries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=False, unique=True),
    Column("vma", String(32), nullable=False),
    Column("interval_start", BigInteger, nullable=False),
    Column("interval_end", BigInteger, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_summaries_vma_received", "vma", "received_at"),
)

#: The highest audit-chain head each console has reported (a counter and a hash: no PHI). A
#: summary whose head is lower, or the same counter with another hash, is refused, and the
#: supervisor's board shows when that happened: a console restored from an older copy, or a
#: chain cut short.
audit_heads = Table(
    "audit_heads",
    metadata,
    Column("vma", String(32), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("went_back_at", BigInteger, nullable=True),
    Column("went_back_seq", BigInteger, nullable=True),
)

item_events = Table(
    "item_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=False, unique=True),
    Column("vma", String(32), nullable=False),
    Column("pseudonym", String(64), nullable=False),
    Column("lane", String(32), nullable=False),
    Column("event", String(32), nullable=False),
    Column("outcome", String(32), nullable=True),
    Column("close_reason", String(32), nullable=True),
    Column("hold_reason", String(32), nullable=True),
    Column("seconds_from_due", BigInteger, nullable=False),
    Column("attempt_count", Integer, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Index("ix_item_events_vma_received", "vma", "received_at"),
    Index("ix_item_events_pseudonym", "pseudonym"),
)

claims = Table(
    "claims",
    metadata,
    Column("pseudonym", String(64), primary_key=True),
    Column("holder", String(32), nullable=False),
    Column("since", BigInteger, nullable=False),
    Column("lease_expires_at", BigInteger, nullable=False),
    # "active" (being worked; a lapsed lease makes it unattended) or "done" (completed, failed or
    # cancelled: still owned, so a later import elsewhere is told it is done).
    Column("state", String(16), nullable=False, server_default="active"),
    # The handoff receiver the holder offered the claim to ("*": whoever acknowledges it).
    Column("offered_to", String(32), nullable=True),
    # The team practice id the claimant named (a code from ``practice_aliases``; never a name).
    Column("practice", String(32), nullable=True),
    Index("ix_claims_holder", "holder"),
    Index("ix_claims_state_lease", "state", "lease_expires_at"),
)

claim_events = Table(
    "claim_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("pseudonym", String(64), nullable=False),
    Column("claimant", String(32), nullable=False),
    Column("holder", String(32), nullable=True),
    Column("reason", String(32), nullable=True),
    Column("at", BigInteger, nullable=False),
    # The supervisor who reassigned (kind "reassign").
    Column("actor", String(32), nullable=True),
    # The item's team practice id, when known (conflicts group per VMA pair and practice).
    Column("practice", String(32), nullable=True),
    Index("ix_claim_events_at", "at"),
    Index("ix_claim_events_claimant", "claimant", "id"),
    Index("ix_claim_events_holder", "holder", "id"),
)

#: Team-wide practice identities: each local practice code consoles use, and the practice id
#: the supervisor registered it under (codes, never names).
practice_aliases = Table(
    "practice_aliases",
    metadata,
    Column("alias", String(32), primary_key=True),
    Column("practice", String(32), nullable=False),
    Column("created_by", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_practice_aliases_practice", "practice"),
)

escalations = Table(
    "escalations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=False, unique=True),
    Column("vma", String(32), nullable=False),
    Column("category", String(32), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("urgency_rank", Integer, nullable=False),
    Column("lane", String(32), nullable=False),
    Column("pseudonym", String(64), nullable=False),
    Column("age_seconds", BigInteger, nullable=False),
    Column("raised_at", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("resolution", String(32), nullable=True),
    Column("acknowledged_by", String(32), nullable=True),
    Column("acknowledged_at", BigInteger, nullable=True),
    Column("resolved_by", String(32), nullable=True),
    Column("resolved_at", BigInteger, nullable=True),
    # When it last moved to another VMA with its item (the desk's long poll hears of it).
    Column("moved_at", BigInteger, nullable=True),
    Index("ix_escalations_state", "state", "urgency_rank"),
    Index("ix_escalations_vma", "vma"),
)

escalation_details = Table(
    "escalation_details",
    metadata,
    Column("escalation_id", String(36), primary_key=True),
    Column("recipient", String(32), primary_key=True),
    Column("sealed", Text, nullable=False),
    Column("posted_at", BigInteger, nullable=False),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sender", String(32), nullable=False),
    Column("receiver", String(32), nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("sealed", Text, nullable=True),
    Column("posted_at", BigInteger, nullable=False),
    Column("fetched_at", BigInteger, nullable=True),
    Column("acknowledged", Integer, nullable=True),
    Column("declined", Integer, nullable=True),
    Column("receipted_at", BigInteger, nullable=True),
    Index("ix_handoffs_receiver", "receiver", "state"),
    Index("ix_handoffs_sender", "sender"),
)

public_keys = Table(
    "public_keys",
    metadata,
    Column("handle", String(32), primary_key=True),
    Column("public_key", String(44), nullable=False),
    Column("registered_at", BigInteger, nullable=False),
)

team_secrets = Table(
    "team_secrets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(32), nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("sealed", Text, nullable=False),
    Column("posted_by", String(32), nullable=False),
    Column("posted_at", BigInteger, nullable=False),
    UniqueConstraint("recipient", "key_version", name="uq_team_secrets_recipient_version"),
)

samples = Table(
    "samples",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("vma", String(32), nullable=False),
    Column("week", String(8), nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("per_stratum", Integer, nullable=False),
    Column("drawn_by", String(32), nullable=False),
    Column("drawn_at", BigInteger, nullable=False),
    Column("strata", Text, nullable=False),
    Index("ix_samples_vma_week", "vma", "week"),
)

sample_items = Table(
    "sample_items",
    metadata,
    Column("sample_id", String(36), ForeignKey("samples.id"), primary_key=True),
    Column("pseudonym", String(64), primary_key=True),
    Column("lane", String(32), nullable=False),
    Column("outcome", String(32), nullable=True),
    Column("position", Integer, nullable=False),
)

scores = Table(
    "scores",
    metadata,
    Column("sample_id", String(36), ForeignKey("samples.id"), primary_key=True),
    Column("pseudonym", String(64), primary_key=True),
    Column("scored_by", String(32), nullable=False),
    Column("scored_at", BigInteger, nullable=False),
    Column("on_time", Boolean, nullable=False),
    Column("outcome_consistent", Boolean, nullable=False),
    Column("documentation_complete", Boolean, nullable=False),
    Column("escalation_warranted", Boolean, nullable=True),
    Column("comment", String(32), nullable=False),
)

evidence_requests = Table(
    "evidence_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sample_id", String(36), ForeignKey("samples.id"), nullable=False),
    Column("pseudonym", String(64), nullable=False),
    Column("vma", String(32), nullable=False),
    Column("requested_by", String(32), nullable=False),
    Column("requested_at", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("sealed", Text, nullable=True),
    Column("answered_at", BigInteger, nullable=True),
    Column("decline_reason", String(32), nullable=True),
    Index("ix_evidence_vma", "vma", "state"),
)


# --------------------------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------------------------


def now_ms() -> int:
    """Milliseconds since the epoch, UTC."""
    return int(datetime.now(UTC).timestamp() * 1000)


def to_dt(ms: int | None) -> datetime | None:
    """Stored milliseconds -> aware UTC datetime."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def to_ms(value: datetime) -> int:
    """Aware datetime -> stored milliseconds."""
    return int(value.timestamp() * 1000)


# --------------------------------------------------------------------------------------------
# URLs and engines
# --------------------------------------------------------------------------------------------


def default_db_path() -> Path:
    """``<user data dir>/vmadesk/hub.sqlite3`` (honours ``XDG_DATA_HOME`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("vmadesk", appauthor=False)) / "hub.sqlite3"


def normalize_url(db_url: str | None) -> str:
    """Turn a user-given database URL or path into a SQLAlchemy URL.

    ``None`` -> the default SQLite file; a plain path -> SQLite at that path;
    ``postgresql://`` / ``postgres://`` -> ``postgresql+psycopg://``.
    """
    if db_url is None:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if db_url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db_url.split("://", 1)[1]
    if "://" not in db_url:
        return f"sqlite:///{Path(db_url).expanduser().resolve()}"
    return db_url


def is_sqlite(engine: Engine) -> bool:
    """Whether ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(db_url: str | None) -> Engine:
    """Create the engine for ``db_url`` (see :func:`normalize_url`)."""
    url = make_url(normalize_url(db_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args={"timeout": 30, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # Let SQLAlchemy's "begin" hook below own transactions.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # type: ignore[no-untyped-def]
            # Take the write lock up front: two writers queue on busy_timeout instead of one
            # failing with "database is locked" when it upgrades a read lock.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        pool_size = int(os.environ.get("VMADESK_HUB_POOL_SIZE", "10"))
        return create_engine(
            url,
            pool_size=pool_size,
            max_overflow=20,
            pool_pre_ping=True,
            hide_parameters=True,
        )
    raise ValueError("unsupported database: use a SQLite path/URL or postgresql://")


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any], conflict_on: list[str]):  # type: ignore[no-untyped-def]
    """``INSERT … ON CONFLICT (conflict_on) DO NOTHING``.

    Returns the inserted row's primary key (a Row), or ``None`` if the row already existed.
    """
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_on)
        .returning(*table.primary_key.columns)
    )
    return conn.execute(stmt).first()
