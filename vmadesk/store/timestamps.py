"""Timestamps as stored: ISO 8601 in UTC with a fixed width, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(at: datetime) -> str:
    """Aware datetime -> stored text."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def to_db_opt(at: datetime | None) -> str | None:
    """Like :func:`to_db`, passing None through."""
    return None if at is None else to_db(at)


def from_db(text: str) -> datetime:
    """Stored text -> aware UTC datetime."""
    return datetime.fromisoformat(text)


def from_db_opt(text: str | None) -> datetime | None:
    """Like :func:`from_db`, passing None through."""
    return None if text is None else datetime.fromisoformat(text)
