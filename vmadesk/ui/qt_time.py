"""Conversions between aware datetimes and Qt's date-time editors (shown in local time)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QTimeEdit, QWidget


class _TabLeaves:
    """Tab leaves the editor instead of stepping through its day, month, hour… sections.

    Qt's date editors take Tab to the next section, where the next digit (a dialog's outcome
    key, say) silently changes the date. The sections stay reachable with the arrow keys.
    """

    def focusNextPrevChild(self, next: bool) -> bool:
        """Move the focus to the next widget, as any other field does."""
        return QWidget.focusNextPrevChild(self, next)  # type: ignore[arg-type]


class DateTimeEdit(_TabLeaves, QDateTimeEdit):
    """A date-time editor that Tab leaves."""


class DateEdit(_TabLeaves, QDateEdit):
    """A date editor that Tab leaves."""


class TimeEdit(_TabLeaves, QTimeEdit):
    """A time editor that Tab leaves."""


def to_qdatetime(at: datetime) -> QDateTime:
    """An aware instant as a QDateTime (the editor shows the machine's local time)."""
    return QDateTime.fromSecsSinceEpoch(int(at.timestamp()))


def from_qdatetime(value: QDateTime) -> datetime:
    """The instant a QDateTime stands for, as an aware UTC datetime."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def datetime_edit(
    at: datetime, name: str, parent: QWidget | None = None, *, zone: str | None = None
) -> QDateTimeEdit:
    """A calendar-popup editor set to ``at`` with an accessible name.

    Args:
        at: The instant to show.
        name: The accessible name.
        parent: The parent widget.
        zone: Show ``at`` as the wall clock reads in this zone (read it back with
            :func:`from_wall_clock`); None for the machine's local time.
    """
    value = to_wall_clock(at, zone) if zone is not None else to_qdatetime(at)
    edit = DateTimeEdit(value, parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd d MMM yyyy HH:mm")
    edit.setAccessibleName(name)
    return edit


def to_wall_clock(at: datetime, zone: str) -> QDateTime:
    """``at`` as the wall clock reads in ``zone`` (the editor shows those digits as they are)."""
    local = at.astimezone(ZoneInfo(zone))
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_wall_clock(value: QDateTime, zone: str) -> datetime:
    """The instant an editor's digits stand for when read as a wall clock in ``zone``."""
    day, clock = value.date(), value.time()
    local = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
