"""Values that once made a reader raise, or slipped through: each a refusal or a cleaning."""

from __future__ import annotations

import json

import phonenumbers
import pytest

from tests.ingest.hostile import (
    CANARY,
    CSV_HEADER,
    CSV_ROW,
    GOOD_BUNDLE,
    GOOD_CSV,
    bundle_with,
    crash_reports,
    read,
    refusal,
)
from vmadesk.ingest.crash_guard import UNEXPECTED_REASON
from vmadesk.ingest.phones import to_e164

# -- dates and numbers that made a conversion raise -----------------------------------------


def test_a_leap_second_is_refused_naming_entry_and_field() -> None:
    err = refusal(bundle_with(entry0_start="2026-12-31T23:59:60-05:00", entry0_end=None))
    assert (err.location, err.field) == ("entry 0", "start")
    assert "leap second" in err.reason


def test_a_leap_second_in_a_csv_is_refused() -> None:
    text = f"Appt ID,Start,Patient Name\r\nA1,2026-12-31T23:59:60-05:00,{CANARY}\r\n"
    err = refusal(text, "leap.csv")
    assert (err.location, err.field) == ("row 2", "column 2 (start)")


@pytest.mark.parametrize(
    "start",
    [
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00-12:00",
        "9999-12-31T23:59:59-12:00",
        "9999-12-31T23:59:59+14:00",
        "1899-12-31T23:00:00-05:00",
    ],
)
def test_years_at_the_ends_of_the_calendar_are_refused(start: str) -> None:
    err = refusal(bundle_with(entry0_start=start, entry0_end=None))
    assert (err.location, err.field) == ("entry 0", "start")
    assert "outside the years 1900–2999" in err.reason
    csv = refusal(f"Appt ID,Start,Patient Name\r\nA1,{start},{CANARY}\r\n", "far.csv")
    assert (csv.location, csv.field) == ("row 2", "column 2 (start)")
    assert "outside the years 1900–2999" in csv.reason


def test_a_callback_window_in_year_9999_is_refused() -> None:
    text = f'Name,Phone,Reason,Requested Window\r\n"{CANARY}",2125550142,x,12/31/9999\r\n'
    err = refusal(text, "cb.csv")
    assert (err.location, err.field) == ("row 2", "column 4 (requested window)")
    assert "outside the years" in err.reason


@pytest.mark.parametrize("element", ["minutesDuration", "priority"])
def test_a_5000_digit_integer_is_refused_with_its_place(element: str) -> None:
    text = json.dumps(GOOD_BUNDLE).replace(
        '"status": "booked"', f'"{element}": 1, "status": "booked"'
    )
    text = text.replace(f'"{element}": 1', f'"{element}": {"9" * 5000}')
    err = refusal(text)
    assert err.location is not None and err.location.startswith("line 1, column ")
    assert "thousands of digits" in err.reason


def test_an_unforeseen_failure_in_a_reader_is_a_refusal_with_a_phi_free_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A library failing in a way nobody foresaw, with the file's text in its message.
    def broken(raw: str, region: str) -> None:
        raise RuntimeError(f"cannot parse {raw} for {CANARY}")

    monkeypatch.setattr(phonenumbers, "parse", broken)
    to_e164.cache_clear()  # numbers parsed by earlier tests would not reach the parser
    before = crash_reports()
    err = refusal(GOOD_CSV, "report.csv")
    assert (err.location, err.field, err.reason) == (
        "row 2",
        "column 6 (mobile phone)",
        UNEXPECTED_REASON,
    )
    err = refusal(GOOD_BUNDLE)
    assert (err.location, err.reason) == ("entry 1", UNEXPECTED_REASON)
    to_e164.cache_clear()
    reports = [p for p in crash_reports() if p not in before]
    assert len(reports) == 2
    for report in reports:
        text = report.read_text()
        assert "RuntimeError" in text and CANARY not in text and "555" not in text


# -- the shape of the file ----------------------------------------------------------------


def test_an_unterminated_quote_is_refused_not_kept_inside_a_name() -> None:
    text = CSV_HEADER + f'A1,03/09/2026,9:00 AM,"{CANARY}, Quentin,01/31/1970,,\r\n' + CSV_ROW
    err = refusal(text, "open-quote.csv")
    assert err.location == "row 2" and "quote" in err.reason


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (json.dumps(GOOD_BUNDLE), "csv"),
        ('[{"resourceType": "Appointment"}]', "csv"),
        ('<?xml version="1.0"?><Bundle xmlns="http://hl7.org/fhir"/>', "auto"),
        ('<Bundle xmlns="http://hl7.org/fhir"/>', "csv"),
        ('<Bundle xmlns="http://hl7.org/fhir"/>', "fhir"),
    ],
)
def test_json_or_xml_is_never_a_csv_missing_its_columns(data: str, fmt: str) -> None:
    err = refusal(data, fmt=fmt)
    assert "missing required column" not in err.reason
    assert "XML" in err.reason or "JSON" in err.reason


def test_validator_internals_never_reach_the_message() -> None:
    # Both choices of deceased[x]: the model refuses the resource as a whole.
    patient = GOOD_BUNDLE["entry"][1]["resource"]
    doc = bundle_with(entry1_deceasedBoolean=True, entry1_deceasedDateTime="2020-01-01")
    err = refusal(doc)
    assert err.location == "entry 1" and err.field is None, patient
    for internal in ("root", "(resource)", "value_error", "model_"):
        assert internal not in str(err)


def test_an_unknown_key_is_not_echoed() -> None:
    doc = bundle_with(entry1_telecom=[{"system": "phone", f"Smithson {CANARY}": "x"}])
    err = refusal(doc)
    assert (err.location, err.field) == ("entry 1", "telecom[0]")


# -- refuse or clean, with a warning --------------------------------------------------------


def test_a_name_over_a_sane_length_is_refused() -> None:
    long_name = CANARY * 30  # 300 characters: no family name is that long
    doc = bundle_with(entry1_name=[{"family": long_name, "given": ["Q"]}])
    err = refusal(doc)  # named where the appointment is, whose patient it is
    assert (err.location, err.field) == ("entry 0", "patient family name")
    assert "longer than 200 characters" in err.reason
    err = refusal(CSV_HEADER + CSV_ROW.replace(f"{CANARY}, Quentin", long_name), "long.csv")
    assert (err.location, err.field) == ("row 2", "patient family name")


def test_control_characters_are_removed_with_a_warning() -> None:
    doc = bundle_with(entry1_name=[{"family": f"{CANARY}\u0000\u001b[2J", "given": ["Q\u0001"]}])
    batch = read(doc)
    patient = batch.appointments[0].patient
    assert (patient.family, patient.given) == (f"{CANARY} [2J", "Q")
    fields = {(w.location, w.field) for w in batch.warnings if "control characters" in w.reason}
    assert fields == {("entry 0", "patient family name"), ("entry 0", "patient given name")}
    batch = read(GOOD_CSV.replace("Scheduled", "Sched\x07uled"), "bell.csv")
    assert not [w for w in batch.warnings if "control" in w.reason]  # the status reads fine
    batch = read(GOOD_CSV.replace("Quentin", "Quen\x1btin"), "esc.csv")
    assert batch.appointments[0].patient.given == "Quen tin"
    assert [w.field for w in batch.warnings if "control" in w.reason] == ["patient given name"]


def test_a_date_of_birth_in_the_future_is_left_out_with_a_warning() -> None:
    batch = read(bundle_with(entry1_birthDate="2999-01-01"))
    assert batch.appointments[0].patient.birth_date is None
    (warning,) = [w for w in batch.warnings if "date of birth" in w.reason]
    assert (warning.location, warning.field) == ("entry 0", "date of birth")
    batch = read(GOOD_CSV.replace("01/31/1970", "01/31/2990"), "dob.csv")
    assert batch.appointments[0].patient.birth_date is None
    assert any("in the future" in w.reason for w in batch.warnings)


def test_conflicting_duplicate_full_urls_are_refused() -> None:
    doc = bundle_with()
    doc["entry"][2]["fullUrl"] = doc["entry"][1]["fullUrl"]
    err = refusal(doc)
    assert (err.location, err.field) == ("entry 2", "fullUrl")
    assert "entry 1" in err.reason
    same = bundle_with()
    same["entry"].append(json.loads(json.dumps(same["entry"][1])))  # the same resource twice
    assert len(read(same).appointments) == 1


def test_duplicate_csv_headers_of_a_read_column_are_refused() -> None:
    text = "Appt ID,Appt Date,Appt Time,Patient Name,Patient Name\r\nA1,03/09/2026,9:00 AM,a,b\r\n"
    err = refusal(text, "twice.csv")
    assert err.location == "row 1" and "columns 4 and 5 have the same header" in err.reason


def test_a_fhir_id_over_64_characters_is_refused() -> None:
    err = refusal(bundle_with(entry0_id="a" * 65))
    assert (err.location, err.field) == ("entry 0", "id")
    assert len(read(bundle_with(entry0_id="a" * 64)).appointments) == 1


@pytest.mark.parametrize(
    ("changes", "location", "field"),
    [
        ({"entry1_telecom": [{"system": "phone", "value": "2125550142", "use": "cell"}]},
         "entry 1", "telecom[0].use"),
        ({"entry1_gender": "banana"}, "entry 1", "gender"),
        ({"entry2_status": "valid"}, "entry 2", "status"),
        ({"entry0_participant": [{"actor": {"reference": "Patient/p1"}, "status": "yes"}]},
         "entry 0", "participant[0].status"),
    ],
)  # fmt: skip
def test_invalid_codes_are_refused(changes: dict, location: str, field: str) -> None:
    err = refusal(bundle_with(**changes))
    assert (err.location, err.field, err.reason) == (
        location,
        field,
        "not a code FHIR R4 allows here",
    )


def test_an_invalid_bundle_type_is_refused() -> None:
    doc = bundle_with()
    doc["type"] = "everything"
    err = refusal(doc)
    assert (err.location, err.field) == (None, "type")


# -- what the messages hold ---------------------------------------------------------------


def test_a_csv_header_is_never_echoed() -> None:
    # A report exported without its header row: row 1 is a patient.
    text = (
        f"Appt ID,Appt Date,Appt Time,Smithson {CANARY},DOB,Cell Phone\r\n"
        f"A1,03/09/2026,9:00 AM,Ann,01/31/1970,555\r\n"
    )
    from vmadesk.ingest import CsvMapping

    mapping = CsvMapping(
        appointment_id="Appt ID", date="Appt Date", time="Appt Time",
        patient_name=f"Smithson {CANARY}", birth_date="DOB", phone_mobile="Cell Phone",
    )  # fmt: skip
    batch = read(text, "nohead.csv", mapping=mapping)
    assert all(CANARY not in str(w) for w in batch.warnings)
    err = refusal(text.replace("01/31/1970", "yesterday"), "nohead.csv", mapping=mapping)
    assert err.field == "column 5 (date of birth)"
    err = refusal(text.replace(",Ann,", ",,"), "nohead.csv", mapping=mapping)
    assert err.field == "column 4 (patient name)"


def test_a_mapping_file_key_is_never_echoed(tmp_path) -> None:
    from vmadesk.ingest import IngestError, load_mapping

    path = tmp_path / "map.json"
    path.write_text(json.dumps({"appointment_id": "Appt ID", f"Smithson {CANARY}": "x"}))
    with pytest.raises(IngestError) as info:
        load_mapping(path)
    assert info.value.field is None and CANARY not in str(info.value)
    path.write_text(json.dumps({"appointment_id": 7}))
    with pytest.raises(IngestError) as info:
        load_mapping(path)
    assert info.value.field == "appointment_id"
