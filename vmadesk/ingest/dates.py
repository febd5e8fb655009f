"""Dates and times as practice exports write them.

Every parser raises ``ValueError`` with a message that never quotes its input, so the
caller can turn it into an :class:`~vmadesk.ingest.errors.IngestError` as it is.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

#: What the error messages tell the user we accept.
DATE_FORMATS_HINT = "MM/DD/YYYY, M/D/YY, YYYY-MM-DD or DD-Mon-YYYY"
TIME_FORMATS_HINT = "h:mm AM/PM or HH:MM"

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_MON_DATE = re.compile(r"(\d{1,2})[- ]([A-Za-z]{3})[- ](\d{4}|\d{2})")
_TIME_12 = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([AaPp])\.?\s*[Mm]\.?")
_TIME_24 = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def _year(text: str, *, birth: bool) -> int:
    year = int(text)
    if len(text) == 4:
        return year
    # Two-digit years: appointments are this century; a birth year that would lie in
    # the future belongs to the last one.
    year += 2000
    if birth and year > date.today().year:
        year -= 100
    return year


def parse_date(text: str, *, birth: bool = False) -> date:
    """Parse a calendar date in one of :data:`DATE_FORMATS_HINT`.

    Args:
        text: The cell, stripped.
        birth: Whether this is a birth date (decides the century of two-digit years).

    Raises:
        ValueError: Not a date in a recognised format, or not a real day.
    """
    text = text.strip()
    try:
        if m := _ISO_DATE.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _US_DATE.fullmatch(text):
            return date(_year(m[3], birth=birth), int(m[1]), int(m[2]))
        if (m := _MON_DATE.fullmatch(text)) and m[2].lower() in _MONTHS:
            return date(_year(m[3], birth=birth), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        raise ValueError(f"not a real calendar day (expected {DATE_FORMATS_HINT})") from None
    raise ValueError(f"not a date in a recognised format (expected {DATE_FORMATS_HINT})")


def parse_time(text: str) -> time:
    """Parse a clock time, 12-hour (``2:30 PM``) or 24-hour (``14:30``).

    Raises:
        ValueError: Not a time in a recognised format.
    """
    text = text.strip()
    try:
        if m := _TIME_12.fullmatch(text):
            hour = int(m[1])
            if not 1 <= hour <= 12:
                raise ValueError
            hour = hour % 12 + (12 if m[4] in "Pp" else 0)
            return time(hour, int(m[2] or 0), int(m[3] or 0))
        if m := _TIME_24.fullmatch(text):
            return time(int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError:
        pass
    raise ValueError(f"not a time in a recognised format (expected {TIME_FORMATS_HINT})")


def parse_datetime(text: str, zone: tzinfo) -> datetime:
    """Parse a date and time in one cell; a time without an offset is in ``zone``.

    Accepts ISO 8601 (``2026-03-08T09:00:00-05:00``, offset kept as written) or a date in
    one of :data:`DATE_FORMATS_HINT` followed by a time (``03/08/2026 2:30 PM``).

    Raises:
        ValueError: No date, no time, or not in a recognised format.
    """
    text = text.strip()
    if _ISO_START.match(text):
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    date_part, _, time_part = text.partition(" ")
    if not time_part.strip():
        raise ValueError(
            f"not a date and time in a recognised format "
            f"(expected a date as {DATE_FORMATS_HINT} followed by {TIME_FORMATS_HINT})"
        )
    return combine(parse_date(date_part), parse_time(time_part), zone)


def combine(day: date, clock: time, zone: tzinfo) -> datetime:
    """Join a date and a wall-clock time in ``zone`` (the practice's time zone)."""
    return datetime.combine(day, clock, tzinfo=zone)


def with_std_offset(moment: datetime) -> datetime:
    """Re-express an aware datetime's offset as a stdlib :class:`datetime.timezone`.

    pydantic hands back its own ``TzInfo``; callers compare and pickle records, so we keep
    the same offset (``-05:00`` stays ``-05:00``) in the standard type.

    Raises:
        ValueError: The datetime has no offset.
    """
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("time has no time-zone offset")
    zone = UTC if offset == timedelta(0) else timezone(offset)
    return moment.replace(tzinfo=zone)
