"""A practice's opening hours, in its own time zone, and arithmetic over open time.

Every method works from local *dates*: each open interval of a date is built as local wall time
and converted to UTC before any arithmetic. Subtracting UTC instants counts real elapsed time,
so a day that loses or gains an hour to a DST change counts the hour it really had.

Wall times that fall in a DST gap or overlap are resolved with ``fold=0`` (the offset in force
before the change): practices do not open at 02:30, so this only has to be defined, not clever.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from vmadesk.domain.instants import as_utc, load_zone

Interval = tuple[time, time]

_DEFAULT_DAY: tuple[Interval, ...] = ((time(8, 0), time(17, 0)),)


@dataclass(frozen=True)
class BusinessHours:
    """When a practice is open.

    Attributes:
        tz: IANA time-zone name of the practice.
        weekly: Weekday (0 = Monday … 6 = Sunday) to its open intervals in local time, each
            ``(opens, closes)`` with ``opens < closes`` on the same day, whole minutes, sorted
            and non-overlapping after construction. Weekdays without intervals are closed.
        holidays: Local dates on which the practice is closed all day.

    Raises:
        ValueError: On an unknown zone, a bad weekday, an empty or overlapping interval, a
            time with seconds, or a week with no open time at all (every search for the next
            open moment would then run forever).
    """

    tz: str
    # A dict is unhashable; hashing on tz and holidays is still correct (equal objects hash
    # equal) and keeps the frozen dataclass usable as a dict key.
    weekly: dict[int, tuple[Interval, ...]] = field(hash=False)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        load_zone(self.tz)
        object.__setattr__(self, "weekly", _normalise_weekly(self.weekly))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        for day in self.holidays:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"holidays must hold dates, got {day!r}")

    @classmethod
    def default(cls, tz: str) -> BusinessHours:
        """Monday to Friday, 08:00–17:00 local time, no holidays.

        Args:
            tz: IANA time-zone name of the practice.
        """
        return cls(tz=tz, weekly=dict.fromkeys(range(5), _DEFAULT_DAY))

    @property
    def zone(self) -> ZoneInfo:
        """The practice's zone."""
        return load_zone(self.tz)

    # -- serialisation -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict: times as ``"HH:MM"``, dates as ISO strings."""
        return {
            "tz": self.tz,
            "weekly": {
                str(day): [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in ivs]
                for day, ivs in sorted(self.weekly.items())
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessHours:
        """Build from the output of :meth:`to_dict`.

        Raises:
            ValueError: If a key is missing or a value is malformed.
        """
        try:
            weekly_raw = data["weekly"]
            weekly = {
                int(day): tuple(
                    (time.fromisoformat(start), time.fromisoformat(end)) for start, end in ivs
                )
                for day, ivs in weekly_raw.items()
            }
            holidays = frozenset(date.fromisoformat(day) for day in data.get("holidays", ()))
            return cls(tz=data["tz"], weekly=weekly, holidays=holidays)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed business hours: {exc!r}") from exc

    # -- queries -------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the practice is open at ``at`` (intervals are closed-open).

        Raises:
            ValueError: If ``at`` is naive.
        """
        at_utc = as_utc(at, "at")
        local_day = at_utc.astimezone(self.zone).date()
        return any(start <= at_utc < end for start, end in self._intervals_on(local_day))

    def next_open(self, at: datetime) -> datetime:
        """Return ``at`` if open, else the next opening; always in UTC.

        Raises:
            ValueError: If ``at`` is naive.
        """
        at_utc = as_utc(at, "at")
        for start, end in self._intervals_from(at_utc):
            if end > at_utc:
                return max(start, at_utc)
        raise AssertionError("unreachable: a non-empty week with finite holidays opens again")

    def previous_close(self, at: datetime) -> datetime:
        """Return the latest closing time at or before ``at``, in UTC.

        ``at`` itself is returned when it is exactly a closing time. Used to pull a deadline
        that falls outside hours back to the last moment work could still be done.

        Raises:
            ValueError: If ``at`` is naive.
        """
        at_utc = as_utc(at, "at")
        day = at_utc.astimezone(self.zone).date()
        while True:
            for _start, end in reversed(self._intervals_on(day)):
                if end <= at_utc:
                    return end
            day -= timedelta(days=1)

    def add_business_time(self, start: datetime, delta: timedelta) -> datetime:
        """Return the instant when ``delta`` of open time has passed since ``start``.

        Only open time counts; a start outside hours begins at the next opening. A zero delta
        gives :meth:`next_open`. A result that uses up the last minute of an interval is that
        interval's close, not the next opening.

        Args:
            start: A timezone-aware instant.
            delta: Non-negative amount of open time.

        Returns:
            The resulting instant, in UTC.

        Raises:
            ValueError: If ``start`` is naive or ``delta`` is negative.
        """
        start_utc = as_utc(start, "start")
        if delta < timedelta(0):
            raise ValueError(f"delta must not be negative, got {delta}")
        remaining = delta
        for iv_start, iv_end in self._intervals_from(start_utc):
            if iv_end <= start_utc:
                continue
            begin = max(iv_start, start_utc)
            available = iv_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: a non-empty week with finite holidays opens again")

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the open time between ``a`` and ``b`` (negative when ``b`` precedes ``a``).

        Raises:
            ValueError: If either instant is naive.
        """
        a_utc, b_utc = as_utc(a, "a"), as_utc(b, "b")
        if b_utc < a_utc:
            return -self.business_time_between(b_utc, a_utc)
        total = timedelta(0)
        last_day = b_utc.astimezone(self.zone).date()
        for iv_start, iv_end in self._intervals_from(a_utc, until=last_day):
            overlap = min(iv_end, b_utc) - max(iv_start, a_utc)
            if overlap > timedelta(0):
                total += overlap
        return total

    # -- internals -----------------------------------------------------------------------

    def _intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """Open intervals of local date ``day`` as UTC instants (empty on a holiday)."""
        if day in self.holidays:
            return []
        zone = self.zone
        return [
            (
                datetime.combine(day, start, tzinfo=zone).astimezone(UTC),
                datetime.combine(day, end, tzinfo=zone).astimezone(UTC),
            )
            for start, end in self.weekly.get(day.weekday(), ())
        ]

    def _intervals_from(
        self, at_utc: datetime, until: date | None = None
    ) -> Iterator[tuple[datetime, datetime]]:
        """Yield UTC intervals day by day from the local date of ``at_utc`` onwards."""
        day = at_utc.astimezone(self.zone).date()
        while until is None or day <= until:
            yield from self._intervals_on(day)
            day += timedelta(days=1)


def _normalise_weekly(weekly: Mapping[int, Any]) -> dict[int, tuple[Interval, ...]]:
    """Validate and sort a weekly schedule; drop closed days so equal schedules compare equal."""
    if not isinstance(weekly, Mapping):
        raise ValueError(f"weekly must be a mapping of weekday to intervals, got {weekly!r}")
    result: dict[int, tuple[Interval, ...]] = {}
    for day, intervals in weekly.items():
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            raise ValueError(f"weekday must be an int 0 (Monday) to 6 (Sunday), got {day!r}")
        ivs = sorted(tuple(iv) for iv in intervals)
        for start, end in ivs:
            for moment in (start, end):
                if not isinstance(moment, time) or moment.tzinfo is not None:
                    raise ValueError(f"weekday {day}: times must be naive local times: {moment!r}")
                if moment.second or moment.microsecond:
                    raise ValueError(f"weekday {day}: times must be whole minutes: {moment}")
            if not start < end:
                raise ValueError(
                    f"weekday {day}: interval {start}–{end} must open before it closes"
                )
        for (_, prev_end), (next_start, _) in pairwise(ivs):
            if next_start < prev_end:
                raise ValueError(f"weekday {day}: intervals overlap at {next_start}")
        if ivs:
            result[day] = tuple(ivs)
    if not result:
        raise ValueError("business hours must have at least one open interval in the week")
    return dict(sorted(result.items()))
