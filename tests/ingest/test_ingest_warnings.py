"""Import warnings: what was kept with a gap, named by file, location and field; never PHI."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from vmadesk.ingest import IngestWarning, read_bytes
from vmadesk.ingest import fhir_parallel as fp
from vmadesk.ingest.errors import MAX_WARNINGS, WarningLog

CANARY = "Zyxwvutsky"
CANARY_PHONE = "555-01x42"  # not a phone number: it must warn, and never show
CANARIES = (CANARY, "Quentin", "555-01", "01x42", "1970")


def _no_phi(warnings: tuple[IngestWarning, ...]) -> None:
    for w in warnings:
        for text in (str(w), repr(w)):
            for canary in CANARIES:
                assert canary not in text


def test_csv_missing_optional_columns_warn_once_per_file() -> None:
    text = "Appt ID,Appt Date,Appt Time,Patient Name\r\n" + "".join(
        f'A{i},03/08/2026,2:30 PM,"{CANARY}, Quentin"\r\n' for i in range(3)
    )
    batch = read_bytes(text.encode(), "appts.csv")
    assert [str(w) for w in batch.warnings] == [
        "appts.csv: no phone column (Cell/Home/Phone): items have no number to call",
        "appts.csv: no date of birth column (DOB/Date of Birth): "
        "items have no date of birth for eligibility checks",
        "appts.csv: no insurance column (Insurance/Member ID): "
        "items have no payer or member id for eligibility checks",
    ]
    assert all(w.location is None for w in batch.warnings)
    _no_phi(batch.warnings)


def test_csv_all_columns_present_no_warnings() -> None:
    text = (
        "Appt ID,Appt Date,Appt Time,Patient Name,DOB,Cell Phone,Member ID\r\n"
        f'A1,03/08/2026,2:30 PM,"{CANARY}, Quentin",01/31/1970,(212) 555-0142,M1\r\n'
    )
    assert read_bytes(text.encode(), "appts.csv").warnings == ()


def test_csv_bad_phone_names_row_and_header() -> None:
    text = (
        "Appt ID,Appt Date,Appt Time,Patient Name,DOB,Cell Phone,Member ID\r\n"
        f'A1,03/08/2026,2:30 PM,"{CANARY}, Quentin",01/31/1970,(212) 555-0142,M1\r\n'
        f'A2,03/08/2026,2:30 PM,"{CANARY}, Quentin",01/31/1970,(212) 555-0143,M1\r\n'
        f'A3,03/08/2026,2:30 PM,"{CANARY}, Quentin",01/31/1970,{CANARY_PHONE},M1\r\n'
    )
    batch = read_bytes(text.encode(), "appts.csv")
    (w,) = batch.warnings
    assert str(w) == (
        "appts.csv, row 4, column 6 (mobile phone): not a phone number; "
        "the item has no number to call"
    )
    assert (w.file, w.location, w.field) == ("appts.csv", "row 4", "column 6 (mobile phone)")
    assert batch.appointments[2].patient.phone_e164 is None
    _no_phi(batch.warnings)


def test_csv_callback_bad_phone() -> None:
    text = (
        "Patient Name,Phone,Reason\r\n"
        f'"{CANARY}, Quentin",(212) 555-0142,refill\r\n'
        f'"{CANARY}, Quentin",{CANARY_PHONE},refill\r\n'
    )
    batch = read_bytes(text.encode(), "cb.csv")
    assert batch.kind == "callbacks"
    assert [str(w) for w in batch.warnings] == [
        "cb.csv, row 3, column 2 (phone): not a phone number; the item has no number to call"
    ]


def test_warning_cap() -> None:
    log = WarningLog("f.csv")
    for i in range(MAX_WARNINGS + 7):
        log.add("x", location=f"row {i}")
    out = log.result()
    assert len(out) == MAX_WARNINGS + 1
    assert str(out[-1]) == "f.csv: … and 7 more warnings"


def test_csv_many_bad_phones_are_capped() -> None:
    rows = "".join(
        f'A{i},03/08/2026,2:30 PM,"{CANARY}, Quentin",01/31/1970,{CANARY_PHONE},M1\r\n'
        for i in range(MAX_WARNINGS + 50)
    )
    text = "Appt ID,Appt Date,Appt Time,Patient Name,DOB,Cell Phone,Member ID\r\n" + rows
    warnings = read_bytes(text.encode(), "appts.csv").warnings
    assert len(warnings) == MAX_WARNINGS + 1
    assert str(warnings[-1]).endswith("… and 50 more warnings")


def test_warning_pickles() -> None:
    w = IngestWarning("a.csv", "r", location="row 2", field="Cell")
    assert pickle.loads(pickle.dumps(w)) == w


# -- FHIR ------------------------------------------------------------------------------------


def _appt(aid: str, actor: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": aid,
        "status": "booked",
        "start": "2026-03-10T09:00:00-05:00",
        "participant": [{"actor": actor, "status": "accepted"}],
    }


def _patient(pid: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"family": CANARY, "given": ["Quentin"]}],
        "birthDate": "1970-01-31",
    }


def _doc(n_resolved: int = 3) -> bytes:
    entries: list[dict[str, Any]] = []
    for i in range(n_resolved):
        entries.append({"resource": _appt(f"a{i}", {"reference": f"Patient/p{i}"})})
        entries.append({"resource": _patient(f"p{i}")})
    display = {"reference": "Patient/elsewhere", "display": f"{CANARY}, Quentin"}
    entries.insert(3, {"resource": _appt("dx", display)})
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


def test_fhir_display_only_patient_warns_with_entry() -> None:
    batch = read_bytes(_doc(), "b.json")
    (w,) = batch.warnings
    assert str(w) == (
        "b.json, entry 3, field 'participant': patient not in the file; name from the "
        "reference's display, no phone or date of birth"
    )
    assert any(a.patient.display_only for a in batch.appointments)
    _no_phi(batch.warnings)


def test_fhir_single_appointment_display_only() -> None:
    doc = _appt("x", {"reference": "Patient/elsewhere", "display": f"{CANARY}, Quentin"})
    (w,) = read_bytes(json.dumps(doc).encode(), "one.json").warnings
    assert (w.location, w.field) == (None, "participant")
    _no_phi((w,))


def test_fhir_parallel_read_has_the_same_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _doc(40)
    serial = read_bytes(data, "b.json")
    monkeypatch.setattr(fp, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(fp, "PARALLEL_MIN_ENTRIES", 1)
    monkeypatch.setattr(fp, "CHUNK_MIN", 7)
    monkeypatch.setattr(fp, "CHUNK_MAX", 7)
    parallel = read_bytes(data, "b.json")
    assert parallel.warnings == serial.warnings
    assert len(parallel.warnings) == 1
