"""FHIR R4 reader: vendor fixtures, every reference shape, times, phones, coverage, errors."""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.fhir_docs import (
    CANARY,
    PRACTITIONER,
    appointment,
    assert_no_phi,
    bundle,
    patient,
    read,
)
from vmadesk.ingest import AppointmentStatus, IngestError, read_bytes, read_file

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "fhir"


# --- vendor fixtures -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["cerner-r4-appointment-cancelled.json", "cerner-r4-appointment-video-visit.json"]
)
def test_vendor_fixtures_read_with_display_only_patient(name: str) -> None:
    batch = read_file(FIXTURES / name)
    assert batch.file_name == name
    assert batch.kind == "appointments"
    assert batch.full_export is False
    (appt,) = batch.appointments
    assert appt.status is AppointmentStatus.CANCELLED
    assert appt.start.utcoffset() == timedelta(0)
    assert appt.start.isoformat() == "2017-10-04T13:00:00+00:00"
    assert appt.end is not None and appt.end.hour == 14
    assert appt.provider == "Jones, Clive"
    assert appt.location == "Baseline East"
    assert appt.appointment_type == "Same Day"
    assert appt.location_in_file == "resource"
    # Patient/4704007 is not in the file: the display stands in, with no phone or DOB.
    assert appt.patient.display_only is True
    assert (appt.patient.family, appt.patient.given) == ("Smart", "Barney R")
    assert appt.patient.source_id == "4704007"
    assert appt.patient.phone_e164 is None and appt.patient.birth_date is None


def test_vendor_ids() -> None:
    ids = {read_file(p).appointments[0].source_id for p in FIXTURES.glob("cerner-*.json")}
    assert ids == {"3005756", "3005757"}


# --- reference shapes ------------------------------------------------------------------


def _shapes() -> dict[str, dict[str, Any]]:
    uid = "urn:uuid:6f1c1f2e-2d1b-4b8e-9c39-1d2e3f4a5b6c"
    base = "https://ehr.example.org/fhir"
    return {
        "relative": bundle(
            (None, appointment("Patient/p1")), (None, patient()), (None, PRACTITIONER)
        ),
        "relative-versioned": bundle(
            (None, appointment("Patient/p1/_history/3")), (None, patient()), (None, PRACTITIONER)
        ),
        "absolute-by-fullurl": bundle(
            (f"{base}/Appointment/a1", appointment(f"{base}/Patient/p1")),
            (f"{base}/Patient/p1", patient()),
            (f"{base}/Practitioner/dr1", PRACTITIONER),
        ),
        "absolute-by-type-id": bundle(
            (None, appointment("https://other.example.org/r4/Patient/p1")),
            (None, patient()),
            (None, PRACTITIONER),
        ),
        "relative-against-fullurl-base": bundle(
            (f"{base}/Appointment/a1", appointment("Patient/px")),
            (f"{base}/Patient/px", patient(pid="px")),
            (f"{base}/Practitioner/dr1", PRACTITIONER),
        ),
        "urn-uuid": bundle(
            ("urn:uuid:0c3e0b2e-0000-4000-8000-000000000001", appointment(uid)),
            (uid, {k: v for k, v in patient().items() if k != "id"}),
            (None, PRACTITIONER),
        ),
        "contained": {
            **appointment("#pt"),
            "contained": [patient(pid="pt"), {**PRACTITIONER, "id": "dr1"}],
        },
    }


@pytest.mark.parametrize("shape", list(_shapes()))
def test_every_reference_shape_resolves(shape: str) -> None:
    batch = read(_shapes()[shape])
    (appt,) = batch.appointments
    assert appt.patient.family == CANARY
    assert appt.patient.given == "Quentin Q"
    assert appt.patient.birth_date == date(1970, 1, 31)
    assert appt.patient.phone_e164 == "+12125550142"
    assert appt.patient.display_only is False
    if shape != "contained":
        assert appt.provider == "Demo, Dana"
    assert appt.location == "Main St Clinic"


def test_urn_reference_does_not_match_by_type_and_id() -> None:
    doc = bundle(
        (None, appointment("urn:uuid:11111111-1111-4111-8111-111111111111")), (None, patient())
    )
    with pytest.raises(IngestError) as info:
        read(doc)
    assert info.value.location == "entry 0"
    assert info.value.field == "participant"


def test_contained_practitioner_role_resolves_provider() -> None:
    doc = appointment("#pt")
    doc["participant"][1]["actor"] = {"reference": "#role"}
    doc["contained"] = [
        patient(pid="pt"),
        {"resourceType": "PractitionerRole", "id": "role", "practitioner": {"reference": "#doc"}},
        {**PRACTITIONER, "id": "doc", "name": [{"text": "Dana Demo"}]},
    ]
    (appt,) = read(doc).appointments
    assert appt.provider == "Demo, Dana"


# --- times and statuses ----------------------------------------------------------------


def test_offset_is_kept_exactly() -> None:
    (appt,) = read(bundle((None, appointment("Patient/p1")), (None, patient()))).appointments
    assert appt.start.isoformat() == "2026-03-08T09:00:00-05:00"
    assert appt.start.tzinfo == timezone(timedelta(hours=-5))
    assert appt.end is not None and appt.end.isoformat() == "2026-03-08T09:30:00-05:00"


def test_zulu_and_minutes_duration() -> None:
    appt_doc = appointment("Patient/p1", start="2026-03-08T14:00:00.000Z", minutesDuration=45)
    del appt_doc["end"]
    (appt,) = read(bundle((None, appt_doc), (None, patient()))).appointments
    assert appt.start.tzinfo is UTC
    assert appt.end is not None and appt.end.isoformat() == "2026-03-08T14:45:00+00:00"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("cancelled", AppointmentStatus.CANCELLED),
        ("noshow", AppointmentStatus.NOSHOW),
        ("entered-in-error", AppointmentStatus.ENTERED_IN_ERROR),
        ("checked-in", AppointmentStatus.CHECKED_IN),
        ("waitlist", AppointmentStatus.WAITLIST),
        ("fulfilled", AppointmentStatus.FULFILLED),
    ],
)
def test_statuses(code: str, status: AppointmentStatus) -> None:
    doc = bundle((None, appointment("Patient/p1", status=code)), (None, patient()))
    assert read(doc).appointments[0].status is status


def test_unknown_status_is_an_error_without_value() -> None:
    doc = bundle((None, patient()), (None, appointment("Patient/p1", status=CANARY.lower())))
    with pytest.raises(IngestError) as info:
        read(doc)
    assert (info.value.location, info.value.field) == ("entry 1", "status")
    assert CANARY.lower() not in str(info.value)


# --- phones ------------------------------------------------------------------------------


def test_mobile_chosen_over_home_email_and_fax_skipped() -> None:
    telecom = [
        {"system": "email", "value": "x@example.org", "use": "home"},
        {"system": "fax", "value": "(212) 555-0111", "use": "mobile"},
        {"system": "phone", "value": "(212) 555-0122", "use": "home"},
        {"system": "phone", "value": "(212) 555-0133", "use": "mobile"},
        {
            "system": "phone",
            "value": "(212) 555-0155",
            "use": "mobile",
            "period": {"end": "2001-01-01"},
        },
    ]
    doc = bundle((None, appointment("Patient/p1")), (None, patient(telecom=telecom)))
    p = read(doc).appointments[0].patient
    assert (p.phone_e164, p.phone_raw) == ("+12125550133", "(212) 555-0133")


def test_home_when_no_mobile_and_none_when_only_email() -> None:
    home = [{"system": "phone", "value": "212 555 0122", "use": "home"}]
    p = read(bundle((None, appointment("Patient/p1")), (None, patient(telecom=home))))
    assert p.appointments[0].patient.phone_e164 == "+12125550122"
    email = [{"system": "email", "value": "x@example.org"}]
    p = read(bundle((None, appointment("Patient/p1")), (None, patient(telecom=email))))
    assert p.appointments[0].patient.phone_raw is None


def test_bad_phone_is_kept_raw_not_an_error() -> None:
    bad = [{"system": "phone", "value": "call front desk", "use": "mobile"}]
    p = read(bundle((None, appointment("Patient/p1")), (None, patient(telecom=bad))))
    patient_rec = p.appointments[0].patient
    assert (patient_rec.phone_e164, patient_rec.phone_raw) == (None, "call front desk")


def test_region_applies_to_national_numbers() -> None:
    uk = [{"system": "phone", "value": "020 7946 0018", "use": "mobile"}]
    doc = bundle((None, appointment("Patient/p1")), (None, patient(telecom=uk)))
    assert read(doc, region="GB").appointments[0].patient.phone_e164 == "+442079460018"


# --- errors --------------------------------------------------------------------------------


def test_truncated_json_names_line_and_column() -> None:
    text = json.dumps(bundle((None, appointment("Patient/p1")), (None, patient())), indent=1)
    with pytest.raises(IngestError) as info:
        read_bytes(text[: len(text) // 2].encode(), "cut.json")
    err = info.value
    assert err.file == "cut.json"
    assert err.location is not None and err.location.startswith("line ")
    assert "column" in err.location
    assert_no_phi(err)


def test_lone_patient_is_wrong_type() -> None:
    with pytest.raises(IngestError) as info:
        read(patient())
    assert info.value.field == "resourceType"
    assert_no_phi(info.value)


def test_bundle_without_appointments_is_an_error() -> None:
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": CANARY}}
    with pytest.raises(IngestError) as info:
        read(bundle((None, obs), (None, patient())))
    assert "no Appointment" in info.value.reason
    assert_no_phi(info.value)


def test_appointment_without_patient_participant() -> None:
    doc = appointment("Practitioner/dr1")
    with pytest.raises(IngestError) as info:
        read(bundle((None, patient()), (None, doc)))
    assert (info.value.location, info.value.field) == ("entry 1", "participant")


def test_unresolved_patient_without_display() -> None:
    with pytest.raises(IngestError) as info:
        read(bundle((None, appointment("Patient/missing"))))
    assert info.value.location == "entry 0"
    assert info.value.field == "participant[0].actor"


def test_invalid_resource_names_entry_and_path_not_value() -> None:
    bad = patient(birthDate=f"{CANARY}-not-a-date")
    bad["telecom"][0]["value"] = 2125550142  # a number where a string belongs
    with pytest.raises(IngestError) as info:
        read(bundle((None, appointment("Patient/p1")), (None, bad)))
    err = info.value
    assert err.location == "entry 1"
    assert err.field in {"birthDate", "telecom[0].value"}
    assert_no_phi(err)


def test_invalid_start_in_single_appointment() -> None:
    doc = appointment("Patient/p1", start="2026-03-08T09:00:00")  # an instant needs a zone
    with pytest.raises(IngestError) as info:
        read(doc)
    assert (info.value.location, info.value.field) == (None, "start")


def test_an_unknown_element_is_named_by_where_it_is_never_by_its_key() -> None:
    # A key is the file's own text: "Smithson Jane" as a key was once echoed into the log.
    doc = patient()
    doc["favouriteColour"] = "blue"
    with pytest.raises(IngestError) as info:
        read(bundle((None, appointment("Patient/p1")), (None, doc)))
    assert (info.value.location, info.value.field) == ("entry 1", None)
    assert "does not define" in info.value.reason and "favouriteColour" not in str(info.value)
    doc = patient()
    doc["telecom"][0][f"{CANARY} Jane"] = 1
    with pytest.raises(IngestError) as info:
        read(bundle((None, appointment("Patient/p1")), (None, doc)))
    assert info.value.field == "telecom[0]"
    assert_no_phi(info.value)


def test_bad_bundle_entry_shape() -> None:
    doc = bundle((None, appointment("Patient/p1")), (None, patient()))
    doc["entry"][1]["fullUrl"] = 42
    with pytest.raises(IngestError) as info:
        read(doc)
    assert (info.value.location, info.value.field) == ("entry 1", "fullUrl")


def test_duplicate_appointment_id() -> None:
    doc = bundle(
        (None, appointment("Patient/p1")), (None, appointment("Patient/p1")), (None, patient())
    )
    with pytest.raises(IngestError) as info:
        read(doc)
    assert (info.value.location, info.value.field) == ("entry 1", "id")


def test_not_an_object_and_no_resource_type() -> None:
    with pytest.raises(IngestError):
        read_bytes(b'{"hello": "world"}', "x.json")
    with pytest.raises(IngestError):
        read_bytes(b"[1, 2]", "x.json", fmt="fhir")
