"""Conversions between aware datetimes and Qt's date-time editors (shown in local time)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QDateTimeEdit, QWidget


def to_qdatetime(at: datetime) -> QDateTime:
    """An aware instant as a QDateTime (the editor shows the machine's local time)."""
    return QDateTime.fromSecsSinceEpoch(int(at.timestamp()))


def from_qdatetime(value: QDateTime) -> datetime:
    """The instant a QDateTime stands for, as an aware UTC datetime."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def datetime_edit(at: datetime, name: str, parent: QWidget | None = None) -> QDateTimeEdit:
    """A calendar-popup editor set to ``at`` with an accessible name."""
    edit = QDateTimeEdit(to_qdatetime(at), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd d MMM yyyy HH:mm")
    edit.setAccessibleName(name)
    return edit
