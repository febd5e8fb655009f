"""CSV reader: encodings, delimiters, date and time styles, names, mappings, errors."""

from __future__ import annotations

import json
import traceback
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vmadesk.ingest import (
    AppointmentStatus,
    CsvMapping,
    IngestError,
    detect_mapping,
    load_mapping,
    read_bytes,
)
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_mapping import SYNONYMS, normalise_header
from vmadesk.ingest.csv_reader import read_csv

DATA = Path(__file__).parent / "data"
CANARY = "Zyxwvutsky"
NY = ZoneInfo("America/New_York")

BASIC = (
    "Appt ID,Appt Date,Appt Time,Patient Name,DOB,Cell Phone,Home Phone,Provider,Appt Type,"
    "Primary Insurance,Member ID,Status\r\n"
    f'A1,03/08/2026,2:30 PM,"{CANARY}, Quentin Q",01/31/1970,(212) 555-0142,(212) 555-0100,'
    "Dr. Demo,Follow-up,Demo Health Plan,M123,Confirmed\r\n"
    'A2,03/09/2026,9:05 am,"Ann Example",,,(212) 555-0101,Dr. Demo,New,,,Cancelled\r\n'
)


def assert_no_phi(err: IngestError) -> None:
    rendered = "".join(traceback.format_exception(err))
    for text in (str(err), repr(err), rendered):
        assert CANARY not in text
        assert "555-0142" not in text


def read(text: str | bytes, name: str = "appointments.csv", **kw):
    data = text.encode() if isinstance(text, str) else text
    return read_bytes(data, name, **kw)


def test_basic_report() -> None:
    batch = read(BASIC)
    assert batch.kind == "appointments" and batch.full_export is True
    assert batch.source_system.startswith("csv:")
    a1, a2 = batch.appointments
    assert a1.source_id == "A1" and a1.location_in_file == "row 2"
    assert a1.start == datetime(2026, 3, 8, 14, 30, tzinfo=NY)
    assert a1.start.tzinfo == NY
    assert (a1.patient.family, a1.patient.given) == (CANARY, "Quentin Q")
    assert a1.patient.birth_date == date(1970, 1, 31)
    assert a1.patient.phone_e164 == "+12125550142"  # cell before home
    assert a1.status is AppointmentStatus.BOOKED
    assert a1.coverage is not None and a1.coverage.member_id == "M123"
    assert a1.coverage.payer == "Demo Health Plan"
    assert a1.provider == "Dr. Demo" and a1.appointment_type == "Follow-up"
    assert a2.start.hour == 9 and a2.start.minute == 5
    assert (a2.patient.family, a2.patient.given) == ("Example", "Ann")
    assert a2.patient.phone_e164 == "+12125550101"  # home when no cell
    assert a2.status is AppointmentStatus.CANCELLED and a2.coverage is None


def test_source_system_digest_is_fixed_and_caller_wins() -> None:
    assert read(BASIC).source_system == read(BASIC.replace("A1", "B1")).source_system
    assert read(BASIC, source_system="kareo").source_system == "kareo"


def test_utf8_bom() -> None:
    batch = read(b"\xef\xbb\xbf" + BASIC.encode())
    assert batch.appointments[0].source_id == "A1"


def test_cp1252_fallback() -> None:
    text = BASIC.replace(CANARY, "Muñoz")
    batch = read(text.encode("cp1252"))
    assert batch.appointments[0].patient.family == "Muñoz"


def test_utf16_excel_unicode_text() -> None:
    text = "Appt ID\tStart\tPatient Name\r\nU1\t2026-03-08 10:00\tMuñoz, Ana\r\n"
    batch = read(text.encode("utf-16"))
    assert batch.appointments[0].patient.family == "Muñoz"


def test_semicolon_split_names_iso_24h() -> None:
    text = (
        "Visit ID;Appointment Date;Appointment Time;Last Name;First Name;Date of Birth;Phone\n"
        f"V1;2026-03-08;14:30;{CANARY};Quentin;1970-01-31;+1 212 555 0142\n"
    )
    (a,) = read(text).appointments
    assert a.start == datetime(2026, 3, 8, 14, 30, tzinfo=NY)
    assert (a.patient.family, a.patient.given) == (CANARY, "Quentin")
    assert a.patient.phone_e164 == "+12125550142"


def test_tab_short_years_and_month_names() -> None:
    text = (
        "Encounter ID\tAppt Date\tAppt Time\tPatient Name\tDOB\n"
        "E1\t3/8/26\t9:00 AM\tAnn Example\t07-Feb-1985\n"
        "E2\t08-Mar-2026\t13:15\tBo Example\t2/3/45\n"
    )
    e1, e2 = read(text).appointments
    assert e1.start.date() == date(2026, 3, 8)
    assert e1.patient.birth_date == date(1985, 2, 7)
    assert e2.start.date() == date(2026, 3, 8) and e2.start.hour == 13
    assert e2.patient.birth_date == date(1945, 2, 3)  # a two-digit birth year is in the past


def test_start_column_keeps_offset_and_practice_tz() -> None:
    text = (
        "Appt ID,Start,Patient Name\n"
        "S1,2026-03-08T09:00:00-05:00,Ann Example\n"
        "S2,03/08/2026 2:30 PM,Bo Example\n"
    )
    s1, s2 = read(text, practice_tz="America/Chicago").appointments
    assert s1.start.isoformat() == "2026-03-08T09:00:00-05:00"
    assert s2.start.tzinfo == ZoneInfo("America/Chicago")
    assert s2.start.utcoffset() == timedelta(hours=-5)  # CDT began that morning


def test_dates_column_with_times_and_no_time_column() -> None:
    text = "Appt ID,Appt Date,Patient Name\nD1,03/08/2026 2:30 PM,Ann Example\n"
    assert read(text).appointments[0].start.hour == 14


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Scheduled", AppointmentStatus.BOOKED),
        ("Booked", AppointmentStatus.BOOKED),
        ("Canceled", AppointmentStatus.CANCELLED),
        ("No Show", AppointmentStatus.NOSHOW),
        ("no-show", AppointmentStatus.NOSHOW),
        ("Checked In", AppointmentStatus.CHECKED_IN),
        ("Completed", AppointmentStatus.FULFILLED),
        ("", AppointmentStatus.BOOKED),
    ],
)
def test_status_words(cell: str, status: AppointmentStatus) -> None:
    text = f"Appt ID,Start,Patient Name,Status\nX,2026-03-08 10:00,Ann Example,{cell}\n"
    assert read(text).appointments[0].status is status


def test_bad_phone_is_not_an_error() -> None:
    text = "Appt ID,Start,Patient Name,Cell\nX,2026-03-08 10:00,Ann Example,ask front desk\n"
    p = read(text).appointments[0].patient
    assert (p.phone_e164, p.phone_raw) == (None, "ask front desk")


def test_quoted_cells_with_newlines_count_as_one_row() -> None:
    text = (
        'Appt ID,Start,Patient Name,Appt Type\nX,2026-03-08 10:00,Ann Example,"two\nlines"\n'
        "Y,2026-03-08 11:00,Bo Example,plain\n"
    )
    assert [a.location_in_file for a in read(text).appointments] == ["row 2", "row 3"]


# --- callbacks ---------------------------------------------------------------------------


def test_callback_list() -> None:
    text = (
        "Name,Phone,Reason,Requested Window\n"
        f'"{CANARY}, Quentin",(212) 555-0142,Refill question,03/08/2026 9:00 AM - 11:00 AM\n'
        "Ann Example,212-555-0101,Billing,\n"
    )
    batch = read(text, "callbacks.csv")
    assert batch.kind == "callbacks" and batch.appointments == ()
    c1, c2 = batch.callbacks
    assert (c1.name_family, c1.name_given) == (CANARY, "Quentin")
    assert c1.phone_e164 == "+12125550142" and c1.reason == "Refill question"
    assert c1.window_start == datetime(2026, 3, 8, 9, tzinfo=NY)
    assert c1.window_end == datetime(2026, 3, 8, 11, tzinfo=NY)
    assert c2.window_start is None and c2.location_in_file == "row 3"
    assert c1.source_id != c2.source_id
    assert read(text, "callbacks.csv").callbacks[0].source_id == c1.source_id  # stable


def test_callback_start_end_columns() -> None:
    text = (
        "Callback ID,Patient Name,Callback Number,Reason,Window Start,Window End\n"
        "CB1,Ann Example,2125550101,Results,2026-03-08 13:00,15:30\n"
    )
    (cb,) = read(text).callbacks
    assert cb.source_id == "CB1"
    assert cb.window_end == datetime(2026, 3, 8, 15, 30, tzinfo=NY)


# --- mappings ----------------------------------------------------------------------------


def test_synonyms_do_not_collide() -> None:
    seen: dict[str, str] = {}
    for field, names in SYNONYMS.items():
        for name in names:
            assert seen.setdefault(normalise_header(name), field) == field


def test_detect_mapping_for_gui() -> None:
    mapping = detect_mapping(["APPT. ID", "appt date", "Appt-Time", "patient name"])
    assert mapping is not None
    assert mapping.appointment_id == "APPT. ID" and mapping.time == "Appt-Time"
    assert detect_mapping(["foo", "bar"]) is None


def test_custom_mapping_round_trip(tmp_path: Path) -> None:
    mapping = CsvMapping(appointment_id="Ticket", start="When", patient_name="Who", phone="Tel")
    path = tmp_path / "mapping.json"
    path.write_text(mapping.to_json())
    assert load_mapping(path) == mapping
    text = f'Ticket,When,Who,Tel\nT1,2026-03-08 10:00,"{CANARY}, Q",212 555 0142\n'
    with pytest.raises(IngestError):
        read(text)  # not recognised without the mapping
    (a,) = read(text, mapping=mapping).appointments
    assert a.source_id == "T1" and a.patient.phone_e164 == "+12125550142"


def test_mapping_column_absent_from_file() -> None:
    mapping = CsvMapping(appointment_id="Ticket", start="When", patient_name="Who")
    with pytest.raises(IngestError) as info:
        read("Ticket,When,Name\nT1,2026-03-08 10:00,Ann Example\n", mapping=mapping)
    # Named by the field it maps: a mapping's headers are copies of the file's.
    assert "column for the patient name" in str(info.value) and "Who" not in str(info.value)


def test_load_mapping_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "appointments", "colour": "x"}))
    with pytest.raises(IngestError) as info:
        load_mapping(bad)
    assert info.value.file == "bad.json"
    with pytest.raises(IngestError):
        load_mapping(tmp_path / "absent.json")


# --- errors --------------------------------------------------------------------------------


def test_bad_date_on_row_3() -> None:
    with pytest.raises(IngestError) as info:
        read(BASIC.replace("03/09/2026", f"{CANARY}"))
    err = info.value
    assert (err.file, err.location, err.field) == ("appointments.csv", "row 3", "column 2 (date)")
    assert str(err).startswith("appointments.csv, row 3, column 2 (date): not a date")
    assert "MM/DD/YYYY" in err.reason
    assert_no_phi(err)


def test_impossible_day_and_bad_time_and_bad_dob() -> None:
    for old, new, field in (
        ("03/09/2026", "02/30/2026", "column 2 (date)"),
        ("9:05 am", "25:99", "column 3 (time)"),
        ("01/31/1970", "1970/31/01", "column 5 (date of birth)"),
    ):
        with pytest.raises(IngestError) as info:
            read(BASIC.replace(old, new))
        assert info.value.field == field
        assert_no_phi(info.value)


def test_missing_required_column_names_expected_headers() -> None:
    text = f"Appt ID,Patient Name,{CANARY}\nA1,Ann Example,x\n"
    with pytest.raises(IngestError) as info:
        read(text)
    message = str(info.value)
    assert "appointment date" in message and "Appt Date" in message
    assert_no_phi(info.value)


def test_headerless_file_does_not_echo_first_row() -> None:
    text = f'"{CANARY}, Quentin",(212) 555-0142,03/08/2026\n'
    with pytest.raises(IngestError) as info:
        read(text)
    assert_no_phi(info.value)


def test_empty_required_cell_and_unknown_status() -> None:
    with pytest.raises(IngestError) as info:
        read(BASIC.replace("\r\nA2,", "\r\n,"))
    assert (info.value.location, info.value.field) == ("row 3", "column 1 (appointment id)")
    with pytest.raises(IngestError) as info:
        read(BASIC.replace("Confirmed", CANARY))
    assert (info.value.location, info.value.field) == ("row 2", "column 12 (status)")
    assert_no_phi(info.value)


def test_duplicate_id() -> None:
    with pytest.raises(IngestError) as info:
        read(BASIC.replace("\r\nA2,", "\r\nA1,"))
    assert (info.value.location, info.value.field) == ("row 3", "column 1 (appointment id)")
    assert "row 2" in info.value.reason


def test_row_and_field_limits() -> None:
    ctx = ReadContext(file_name="big.csv", practice_tz=NY, max_rows=1)
    with pytest.raises(IngestError) as info:
        read_csv(BASIC, ctx)
    assert "more than 1 rows" in str(info.value)
    ctx = ReadContext(file_name="big.csv", practice_tz=NY, max_field_chars=25)
    with pytest.raises(IngestError) as info:
        read_csv(BASIC.replace("Follow-up", CANARY * 3), ctx)
    assert (info.value.location, info.value.field) == ("row 2", "column 9")
    assert_no_phi(info.value)


def test_unbalanced_quote_is_malformed() -> None:
    text = 'Appt ID,Start,Patient Name\nX,2026-03-08 10:00,"Ann Example\n' + "x" * 200_000
    with pytest.raises(IngestError) as info:
        read(text)
    assert "malformed CSV" in info.value.reason


def test_fixture_files_in_data_dir() -> None:
    for path in sorted(DATA.glob("*.csv")):
        batch = read_bytes(path.read_bytes(), path.name)
        assert batch.appointments or batch.callbacks
