"""Conversions between aware datetimes and Qt's date-time editors (shown in local time)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDateTimeEdit, QWidget


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
    edit = QDateTimeEdit(value, parent)
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
