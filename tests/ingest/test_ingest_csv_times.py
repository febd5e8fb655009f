"""CSV reader: requested-window ranges, UTC offsets, and a date column beside a time-only start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.ingest.test_ingest_csv import CANARY, assert_no_phi, read
from vmadesk.ingest import IngestError

NY = ZoneInfo("America/New_York")
CHI = ZoneInfo("America/Chicago")
CALLBACKS = "Name,Phone,Reason,Requested Window\n"


def _window(cell: str, **kw):
    text = CALLBACKS + f'"{CANARY}, Quentin",(212) 555-0142,Refill question,{cell}\n'
    (cb,) = read(text, "callbacks.csv", **kw).callbacks
    return cb.window_start, cb.window_end


def _refused(text: str, name: str = "appointments.csv", **kw) -> IngestError:
    with pytest.raises(IngestError) as info:
        read(text, name, **kw)
    assert_no_phi(info.value)
    return info.value


@pytest.mark.parametrize(
    "cell",
    [
        "2026-11-24 13:00-15:00",  # a practice's cell: once read as 13:00 at UTC-15:00
        "2026-11-24 13:00 - 15:00",
        "2026-11-24 13:00 to 15:00",
        "11/24/2026 1:00 PM-3:00 PM",
        "11/24/2026 1:00 PM - 3:00 PM",
        "11/24/2026 1-3 PM",
        "11/24/2026 1 - 3 pm",
        "2026-11-24 13:00–15:00",
        "24-Nov-2026 13:00 — 15:00",
        "2026-11-24 13:00 - 2026-11-24 15:00",
        "2026-11-24 13:00:00-15:00:00",
    ],
)
def test_window_ranges(cell: str) -> None:
    assert _window(cell) == (
        datetime(2026, 11, 24, 13, tzinfo=NY),
        datetime(2026, 11, 24, 15, tzinfo=NY),
    )


def test_window_range_is_in_the_practice_zone() -> None:
    start, end = _window("2026-11-24 13:00-15:00", practice_tz="America/Chicago")
    assert (start, end) == (
        datetime(2026, 11, 24, 13, tzinfo=CHI),
        datetime(2026, 11, 24, 15, tzinfo=CHI),
    )
    assert start.utcoffset() == timedelta(hours=-6)


def test_window_of_iso_timestamps_and_single_times() -> None:
    minus5 = timezone(timedelta(hours=-5))
    start, end = _window("2026-11-24T13:00:00-05:00 - 2026-11-24T15:30:00-05:00")
    assert (start, end) == (
        datetime(2026, 11, 24, 13, tzinfo=minus5),
        datetime(2026, 11, 24, 15, 30, tzinfo=minus5),
    )
    assert _window("2026-11-24 13:00") == (datetime(2026, 11, 24, 13, tzinfo=NY), None)
    assert _window("2026-11-24T13:00:00Z") == (datetime(2026, 11, 24, 13, tzinfo=UTC), None)
    assert _window("") == (None, None)


@pytest.mark.parametrize("cell", ["11/24/2026", "2026-11-24", "24-Nov-2026"])
def test_a_window_of_a_date_alone_is_that_whole_day(cell: str) -> None:
    assert _window(cell) == (
        datetime(2026, 11, 24, tzinfo=NY),
        datetime(2026, 11, 25, tzinfo=NY),
    )


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2026-11-24 15:00-13:00", "not after its start"),
        ("11/24/2026 3:00 PM - 1:00 PM", "not after its start"),
        ("2026-11-24 13:00-13:00", "not after its start"),
        ("2026-11-24T13:00-15:00", "not a real UTC offset"),  # a T makes it ISO: -15:00 is none
        ("2026-11-24 13:00 - later", "end is not a time"),
        ("2026-11-24 soon - 15:00", "start is not a time"),
    ],
)
def test_window_refusals(cell: str, reason: str) -> None:
    text = CALLBACKS + f'"{CANARY}, Quentin",(212) 555-0142,Refill question,{cell}\n'
    err = _refused(text, "callbacks.csv")
    where = (err.file, err.location, err.field)
    assert where == ("callbacks.csv", "row 2", "column 4 (requested window)")
    assert reason in err.reason


def test_window_columns_end_before_start() -> None:
    text = (
        "Callback ID,Patient Name,Callback Number,Reason,Window Start,Window End\n"
        "CB1,Ann Example,2125550101,Results,2026-03-08 13:00,11:30\n"
    )
    err = _refused(text)
    assert (err.location, err.field) == ("row 2", "column 6 (window end)")
    assert "not after its start" in err.reason


def _start(cell: str):
    text = f"Appt ID,Start,Patient Name\nS1,{cell},Ann Example\n"
    return read(text).appointments[0].start


@pytest.mark.parametrize(
    ("cell", "offset"),
    [
        ("2026-11-24T09:00-05:00", timedelta(hours=-5)),  # a T: ISO
        ("2026-11-24 09:00:00-05:00", timedelta(hours=-5)),  # seconds: ISO
        ("2026-11-24 09:00+05:30", timedelta(hours=5, minutes=30)),  # a plus is never a range
        ("2026-11-24 09:00Z", timedelta(0)),
        ("2026-11-24T09:00:00-0500", timedelta(hours=-5)),
    ],
)
def test_offsets_that_are_unambiguous(cell: str, offset: timedelta) -> None:
    start = _start(cell)
    assert start.utcoffset() == offset and start.hour == 9


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2026-11-24 13:00-15:00", "ambiguous"),
        ("2026-11-24 09:00-05:00", "ambiguous"),  # a range or an offset: we cannot tell
        ("11/24/2026 1:00 PM-3:00 PM", "a time range where one date and time is expected"),
        ("2026-11-24T13:00:00+15:00", "not a real UTC offset"),
        ("2026-11-24T13:00:00-05:17", "not a real UTC offset"),
    ],
)
def test_start_cells_that_could_be_misread_are_refused(cell: str, reason: str) -> None:
    err = _refused(f"Appt ID,Start,Patient Name\nS1,{cell},Ann Example\n")
    assert (err.location, err.field) == ("row 2", "column 2 (start)")
    assert reason in err.reason


# --- "Appt Date" beside a "Start" holding only the time -----------------------------------

DATE_AND_START = "Appt ID,Appt Date,Start,End,Patient Name,Status\n"


def test_date_column_with_time_only_start_and_end() -> None:
    text = DATE_AND_START + (
        "A1,03/09/2026,2:30 PM,3:15 PM,Ann Example,Scheduled\n"
        "A2,03/09/2026,2026-03-10 08:00,2026-03-10 08:20,Bo Example,\n"  # a full date-time wins
        "A3,03/09/2026,14:45,,Cy Example,\n"
    )
    a1, a2, a3 = read(text).appointments
    assert (a1.start, a1.end) == (
        datetime(2026, 3, 9, 14, 30, tzinfo=NY),
        datetime(2026, 3, 9, 15, 15, tzinfo=NY),
    )
    assert (a2.start, a2.end) == (
        datetime(2026, 3, 10, 8, tzinfo=NY),
        datetime(2026, 3, 10, 8, 20, tzinfo=NY),
    )
    assert (a3.start, a3.end) == (datetime(2026, 3, 9, 14, 45, tzinfo=NY), None)


def test_end_time_column_is_on_the_start_day() -> None:
    text = (
        "Appt ID,Appt Date,Appt Time,End Time,Patient Name\nA1,3/9/26,9:00 AM,9:40 AM,Ann Example\n"
    )
    (a,) = read(text).appointments
    assert a.end == datetime(2026, 3, 9, 9, 40, tzinfo=NY)


@pytest.mark.parametrize(
    ("start", "end", "field", "reason"),
    [
        ("half past two", "", "column 3 (start)", "not a time"),
        ("2:30 PM", "later", "column 4 (end)", "not a time"),
        ("2:30 PM", "1:00 PM", "column 4 (end)", "the end is before the start"),
        ("2:30 PM-3:00 PM", "", "column 3 (start)", "not a time"),
    ],
)
def test_date_and_start_refusals_say_what_is_expected(
    start: str, end: str, field: str, reason: str
) -> None:
    err = _refused(DATE_AND_START + f"A1,03/09/2026,{start},{end},{CANARY},\n")
    assert (err.location, err.field) == ("row 2", field)
    assert err.reason.startswith(reason)


def test_time_only_start_without_date_column() -> None:
    err = _refused("Appt ID,Start,Patient Name\nS1,2:30 PM,Ann Example\n")
    assert err.field == "column 2 (start)" and err.reason.startswith("a time without a date")


def test_time_only_start_needs_the_date_cell() -> None:
    err = _refused(DATE_AND_START + "A1,,2:30 PM,,Ann Example,\n")
    assert (err.field, err.reason) == ("column 2 (date)", "the cell is empty")
