"""Checks and conversions shared by every rule that takes a moment in time.

The domain stores and compares instants in UTC; local time only exists at the edges (business
hours, display). A naive datetime has no defined instant, so it is refused rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def as_utc(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` converted to UTC, refusing naive datetimes.

    Args:
        value: A timezone-aware datetime.
        name: The argument's name, used in the error message.

    Returns:
        The same instant with ``tzinfo=UTC``.

    Raises:
        ValueError: If ``value`` is naive (no tzinfo, or a tzinfo without an offset).
        TypeError: If ``value`` is not a datetime.
    """
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


@lru_cache(maxsize=64)
def load_zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``.

    Args:
        name: An IANA time-zone name such as ``"America/New_York"``.

    Raises:
        ValueError: If the name is not a known zone (``ZoneInfoNotFoundError`` is a KeyError,
            which callers validating user input would not expect).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"time zone must be a non-empty IANA name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
