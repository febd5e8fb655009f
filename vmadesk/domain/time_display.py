"""Short, unambiguous renderings of instants for a VMA who may sit far from the practice.

Day and month names are spelled here rather than taken from ``strftime`` so the console reads
the same whatever the machine's locale.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vmadesk.domain.instants import as_utc, load_zone

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_dual(at: datetime, practice_tz: str, local_tz: str, now: datetime | None = None) -> str:
    """Render ``at`` in the practice's zone and the VMA's zone.

    ``"14:30 practice · 03:30 local"``; only ``"14:30"`` when both zones have the same UTC
    offset at that instant (two labels for one clock reading would just be noise). Each side
    is prefixed with its date, e.g. ``"Tue 14 Oct 14:30 practice"``, when that date is not
    today *in that zone*: twelve zones apart, "14:30" and "03:30" are on different days.

    Args:
        at: The instant to show.
        practice_tz: IANA zone of the practice.
        local_tz: IANA zone of the VMA.
        now: The current instant, which decides what "today" is; pass it so a view renders
            consistently (defaults to the system clock).

    Raises:
        ValueError: If an instant is naive or a zone unknown.
    """
    at_utc = as_utc(at, "at")
    now_utc = datetime.now(UTC) if now is None else as_utc(now, "now")
    practice, local = load_zone(practice_tz), load_zone(local_tz)
    at_practice, at_local = at_utc.astimezone(practice), at_utc.astimezone(local)
    if at_practice.utcoffset() == at_local.utcoffset():
        return _clock(at_practice, now_utc.astimezone(practice))
    return (
        f"{_clock(at_practice, now_utc.astimezone(practice))} practice · "
        f"{_clock(at_local, now_utc.astimezone(local))} local"
    )


def _clock(at: datetime, now: datetime) -> str:
    """``HH:MM``, with ``Ddd D Mmm`` in front when ``at`` is not on ``now``'s date."""
    clock = f"{at.hour:02d}:{at.minute:02d}"
    if at.date() == now.date():
        return clock
    return f"{_DAYS[at.weekday()]} {at.day} {_MONTHS[at.month - 1]} {clock}"


def format_due_in(now: datetime, due: datetime) -> str:
    """Say how far away a due time is, to the minute (rounded down).

    ``"due in 12 min"``, ``"due in 1 h 05 min"``, ``"due in 2 d 4 h"`` (minutes are dropped
    once days show), ``"overdue 3 h 10 min"``; under a minute either way ``"due in < 1 min"``
    or ``"overdue < 1 min"``, and ``"due now"`` at the exact instant. Days are 24 h of elapsed
    time, as the SLA clock counts them.

    Raises:
        ValueError: If an instant is naive.
    """
    remaining = as_utc(due, "due") - as_utc(now, "now")
    if remaining == timedelta(0):
        return "due now"
    prefix = "due in" if remaining > timedelta(0) else "overdue"
    return f"{prefix} {_span(abs(remaining))}"


def _span(delta: timedelta) -> str:
    """Render a positive duration as its two largest units."""
    minutes_total = int(delta.total_seconds() // 60)
    if minutes_total < 1:
        return "< 1 min"
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"
