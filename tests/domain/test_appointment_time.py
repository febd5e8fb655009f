"""An appointment's time as the export gave it: offset, date of service, the "as given" note."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from vmadesk.domain.appointment_time import (
    as_given,
    date_of_service,
    given_note,
    offset_label,
    offset_minutes,
)

EST = timezone(timedelta(hours=-5))
IST = timezone(timedelta(hours=5, minutes=30))


def test_offset_minutes_reads_the_given_offset() -> None:
    assert offset_minutes(datetime(2026, 11, 29, 23, 59, tzinfo=EST)) == -300
    assert offset_minutes(datetime(2026, 11, 29, 10, 0, tzinfo=IST)) == 330
    with pytest.raises(ValueError):
        offset_minutes(datetime(2026, 11, 29, 10, 0))


def test_an_evening_visit_is_on_its_own_day_not_the_utc_one() -> None:
    evening = datetime(2026, 11, 29, 23, 59, tzinfo=EST)  # 04:59 UTC on the 30th
    assert date_of_service(evening.astimezone(UTC), -300) == date(2026, 11, 29)
    assert as_given(evening.astimezone(UTC), -300) == evening
    assert as_given(evening.astimezone(UTC), -300).utcoffset() == timedelta(hours=-5)


def test_without_a_kept_offset_the_practice_zone_decides() -> None:
    evening = datetime(2026, 11, 30, 4, 59, tzinfo=UTC)
    assert date_of_service(evening, None, "America/New_York") == date(2026, 11, 29)
    assert date_of_service(evening, None) == date(2026, 11, 30)  # the last resort


def test_offset_labels() -> None:
    assert offset_label(330) == "UTC+05:30"
    assert offset_label(-300) == "UTC−05:00"
    assert offset_label(0) == "UTC"


def test_given_note_only_when_the_offsets_differ() -> None:
    at = datetime(2026, 11, 24, 10, 0, tzinfo=IST)
    assert given_note(at, 330, "America/New_York") == " (as given: Tue 24 Nov 10:00 UTC+05:30)"
    assert given_note(at, -300, "America/New_York") == ""  # EST in November: same offset
    assert given_note(at, None, "America/New_York") == ""
    assert given_note(at, 0, "America/New_York") == ""  # "Z": a system's way, not a local one
