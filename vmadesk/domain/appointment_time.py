"""An appointment's time as the practice's system gave it: its UTC offset and date of service.

Items store instants in UTC (so text order is time order). The export's own offset is kept
beside it, in minutes east of UTC, because the offset is part of what the export said: a
FHIR ``2026-11-29T23:59:00-05:00`` is on 29 November where the patient is seen, even though
it is 30 November in UTC. The date of service a payer is asked about is that local date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from vmadesk.domain.instants import as_utc, load_zone


def offset_minutes(at: datetime) -> int:
    """Minutes east of UTC that ``at`` was written in (``-05:00`` -> -300).

    Raises:
        ValueError: ``at`` is naive.
    """
    offset = at.utcoffset()
    if offset is None:
        raise ValueError("naive datetime")
    return int(offset.total_seconds() // 60)


def as_given(at: datetime, minutes: int) -> datetime:
    """The instant ``at`` in the fixed offset the export gave it."""
    return as_utc(at, "at").astimezone(timezone(timedelta(minutes=minutes)))


def date_of_service(at: datetime, minutes: int | None, zone: str | None = None) -> date:
    """The appointment's calendar date where it takes place.

    Args:
        at: The appointment's start (aware).
        minutes: The offset the export gave (:func:`offset_minutes`); None for items stored
            before offsets were kept.
        zone: The practice's IANA zone, used when ``minutes`` is None; without either the
            UTC date is the last resort.
    """
    if minutes is not None:
        return as_given(at, minutes).date()
    if zone:
        return as_utc(at, "at").astimezone(load_zone(zone)).date()
    return as_utc(at, "at").astimezone(UTC).date()


def offset_label(minutes: int) -> str:
    """``UTC+05:30``, ``UTC−05:00`` style (``UTC`` for zero)."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def given_differs(at: datetime, minutes: int | None, zone: str) -> bool:
    """Whether the export's offset differs from the practice zone's at that instant."""
    if minutes is None:
        return False
    practice = as_utc(at, "at").astimezone(load_zone(zone)).utcoffset()
    return practice != timedelta(minutes=minutes)


def given_note(at: datetime, minutes: int | None, zone: str) -> str:
    """The export's own reading of the time, when its offset is not the practice zone's.

    ``" (as given: Sun 29 Nov 10:00 UTC+05:30)"``; empty when the offsets agree (the practice
    time already says it), when the export wrote UTC (``Z``: how systems send times, not a
    local reading worth showing) or the offset was not kept.
    """
    if not minutes or not given_differs(at, minutes, zone):
        return ""
    return f" (as given: {as_given(at, minutes):%a %d %b %H:%M} {offset_label(minutes)})"
