"""Dates and times as practice exports write them.

Every parser raises ``ValueError`` with a message that never quotes its input, so the
caller can turn it into an :class:`~vmadesk.ingest.errors.IngestError` as it is.

A UTC offset is read only where it cannot be the end of a time range: after a ``T``
(``2026-03-08T09:00-05:00``), after seconds (``2026-03-08 09:00:00-05:00``), or when it is
``Z`` or starts with ``+``. ``2026-11-24 13:00-15:00`` is a range in a window cell
(:func:`parse_range`) and ambiguous, hence refused, where one time is expected. Offsets
outside -12:00 … +14:00, or not on a quarter hour, are refused too: no zone has them.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

#: What the error messages tell the user we accept.
DATE_FORMATS_HINT = "MM/DD/YYYY, M/D/YY, YYYY-MM-DD or DD-Mon-YYYY"
TIME_FORMATS_HINT = "h:mm AM/PM or HH:MM"
#: Why a cell that should hold a clock time was refused.
TIME_EXPECTED = f"not a time in a recognised format (expected {TIME_FORMATS_HINT})"

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_MON_DATE = re.compile(r"(\d{1,2})[- ]([A-Za-z]{3})[- ](\d{4}|\d{2})")
_TIME_12 = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([AaPp])\.?\s*[Mm]\.?")
_TIME_24 = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?")
# date, separator, HH:MM, :SS[.fff], offset: the one shape an ISO timestamp may take here.
_ISO_STAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})([Tt ])(\d{2}:\d{2})(:\d{2}(?:[.,]\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?"
)
# A date at the start of a cell, then a T or blanks: what precedes a time.
_DATE_LEAD = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})"
    r"|\d{1,2}[- ][A-Za-z]{3}[- ](?:\d{4}|\d{2}))(?:[Tt]|\s+)"
)
_DATE_START = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d|\d{1,2}[- ][A-Za-z]{3}[- ]\d")
_SPACED_SEP = re.compile(r"\s+(?:[-–—]|to|until|till)\s+", re.IGNORECASE)
_TIGHT_SEP = re.compile(r"\s*[-–—]\s*|\s+(?:to|until|till)\s+", re.IGNORECASE)
_BARE_HOUR = re.compile(r"\d{1,2}(?::\d{2})?")
_MERIDIEM = re.compile(r"[AaPp]\.?\s*[Mm]\.?$")
_MIN_OFFSET, _MAX_OFFSET = timedelta(hours=-12), timedelta(hours=14)
#: The years a date of work may fall in (a birth date is checked by the screening).
FIRST_YEAR, LAST_YEAR = 1900, 2999
_AMBIGUOUS = (
    "ambiguous: '-HH:MM' after a time may be a range's end or a UTC offset "
    "(write an offset with seconds or a T, e.g. 2026-03-08T09:00:00-05:00)"
)
_RANGE_HERE = "a time range where one date and time is expected"
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
            day = date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _US_DATE.fullmatch(text):
            day = date(_year(m[3], birth=birth), int(m[1]), int(m[2]))
        elif (m := _MON_DATE.fullmatch(text)) and m[2].lower() in _MONTHS:
            day = date(_year(m[3], birth=birth), _MONTHS[m[2].lower()], int(m[1]))
        else:
            day = None
    except ValueError:
        raise ValueError(f"not a real calendar day (expected {DATE_FORMATS_HINT})") from None
    if day is None:
        raise ValueError(f"not a date in a recognised format (expected {DATE_FORMATS_HINT})")
    if not birth:
        _check_year(day.year)
    return day


class OutOfRange(ValueError):
    """A real date, but outside the years of :data:`FIRST_YEAR` … :data:`LAST_YEAR`."""


def _check_year(year: int) -> None:
    """Refuse a work date far outside any schedule (its arithmetic would overflow at 9999)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"a date outside the years {FIRST_YEAR}–{LAST_YEAR}")


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
    raise ValueError(TIME_EXPECTED)


def starts_with_date(text: str) -> bool:
    """Whether the cell begins with a calendar date (so it is no bare clock time)."""
    return _DATE_START.match(text.strip()) is not None


def _ambiguous(stamp: re.Match[str]) -> bool:
    """``13:00-15:00``: a minus after HH:MM with neither a T nor seconds before it."""
    _, sep, _, seconds, offset = stamp.groups()
    return bool(offset) and offset[0] == "-" and sep == " " and not seconds


def _iso(text: str, zone: tzinfo) -> datetime | None:
    """An ISO timestamp by the offset rule of this module; None if the text is none."""
    m = _ISO_STAMP.fullmatch(text)
    if m is None:
        return None
    if _ambiguous(m):
        raise ValueError(_AMBIGUOUS)
    day, _, clock, seconds, offset = m.groups()
    if offset in ("Z", "z"):
        offset = "+00:00"
    elif offset and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    stamp = f"{day}T{clock}{(seconds or '').replace(',', '.')}{offset or ''}"
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        raise ValueError("not a real calendar day or time of day") from None
    _check_year(parsed.year)
    shift = parsed.utcoffset()
    if shift is None:
        return parsed.replace(tzinfo=zone)
    if not _MIN_OFFSET <= shift <= _MAX_OFFSET or shift.total_seconds() % 900:
        raise ValueError("not a real UTC offset (offsets run from -12:00 to +14:00)")
    return parsed


def _is_time(text: str) -> bool:
    try:
        parse_time(text)
    except ValueError:
        return False
    return True


def parse_datetime(text: str, zone: tzinfo) -> datetime:
    """Parse a date and time in one cell; a time without an offset is in ``zone``.

    Accepts an ISO timestamp (``2026-03-08T09:00:00-05:00``, offset kept as written; see the
    module docstring for when an offset is read) or a date in one of
    :data:`DATE_FORMATS_HINT` followed by a time (``03/08/2026 2:30 PM``).

    Raises:
        ValueError: No date, no time, a time range, an ambiguous or impossible offset.
    """
    text = text.strip()
    if (parsed := _iso(text, zone)) is not None:
        return parsed
    if _is_time(text):
        raise ValueError(
            f"a time without a date (expected a date as {DATE_FORMATS_HINT} "
            f"followed by {TIME_FORMATS_HINT})"
        )
    lead = _DATE_LEAD.match(text)
    if lead is None:
        date_part, _, time_part = text.partition(" ")
    else:
        date_part, time_part = lead[1], text[lead.end() :]
    time_part = time_part.strip()
    if not time_part:
        raise ValueError(
            f"not a date and time (expected a date as {DATE_FORMATS_HINT} "
            f"followed by {TIME_FORMATS_HINT})"
        )
    day = parse_date(date_part)
    pieces = _TIGHT_SEP.split(time_part, maxsplit=1)
    if len(pieces) == 2 and all(_is_time(p) for p in pieces):
        raise ValueError(_RANGE_HERE)
    return combine(day, parse_time(time_part), zone)


def parse_range(text: str, zone: tzinfo) -> tuple[datetime, datetime | None]:
    """Parse a requested window: a day, one date and time, or a range of two.

    Accepted ranges (``-``, ``–``, ``—`` or ``to`` between the ends, with or without
    blanks): ``2026-11-24 13:00-15:00``, ``11/24/2026 1:00 PM - 3:00 PM``, ``11/24/2026
    1-3 PM`` (a bare start hour takes the end's AM/PM), and two full date-times. An end
    written as a time alone is on the start's day. Times without an offset are in ``zone``.

    Returns:
        ``(start, end)``; ``end`` is None when the cell holds a single date and time.

    Raises:
        ValueError: Not a date and time or a range of them, or the end is not after the start.
    """
    text = text.strip()
    try:
        day = parse_date(text)
    except OutOfRange:
        raise
    except ValueError:
        pass
    else:  # "call on 11/24": the whole day, in the practice's zone
        return combine(day, time(0), zone), combine(day + timedelta(days=1), time(0), zone)
    stamp = _ISO_STAMP.fullmatch(text)
    if stamp is not None and not _ambiguous(stamp):
        return parse_datetime(text, zone), None
    parts = _SPACED_SEP.split(text, maxsplit=1) if stamp is None else []
    if len(parts) == 2:
        try:
            start = parse_datetime(parts[0], zone)
        except ValueError:
            pass  # "11/24/2026 1 - 3 PM": the start is no date and time of its own
        else:
            return start, _range_end(parts[1], start, zone)
    lead = _DATE_LEAD.match(text)
    pieces = _TIGHT_SEP.split(text[lead.end() :], maxsplit=1) if lead else []
    if lead is None or len(pieces) < 2:
        return parse_datetime(text, zone), None
    first, second = pieces
    if not _is_time(first) and _BARE_HOUR.fullmatch(first) and (m := _MERIDIEM.search(second)):
        first = f"{first} {m[0]}"  # "1-3 PM": the start shares the end's PM
    try:
        clock = parse_time(first)
    except ValueError:
        raise ValueError(f"the range's start is {TIME_EXPECTED}") from None
    start = combine(parse_date(lead[1]), clock, zone)
    return start, _range_end(second, start, zone)


def _range_end(text: str, start: datetime, zone: tzinfo) -> datetime:
    if starts_with_date(text):
        end = parse_datetime(text, zone)
    else:
        try:
            clock = parse_time(text)
        except ValueError:
            raise ValueError(f"the range's end is {TIME_EXPECTED}") from None
        end = combine(start.date(), clock, start.tzinfo or zone)
    if end <= start:
        raise ValueError("the range's end is not after its start")
    return end


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
