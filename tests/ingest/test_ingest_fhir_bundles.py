"""FHIR R4 reader: coverage resolution, bundle types, source system."""

from __future__ import annotations

from typing import Any

from tests.ingest.fhir_docs import CANARY, appointment, bundle, patient, read

# --- coverage ----------------------------------------------------------------------------


def coverage(cid: str, ref: str, status: str, start: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "id": cid,
        "status": status,
        "beneficiary": {"reference": ref},
        "payor": [{"reference": "Organization/o1"}],
        "period": {"start": start},
        **extra,
    }


def test_coverage_active_latest_for_same_patient() -> None:
    uid = "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"
    doc = bundle(
        (None, appointment(uid)),
        (uid, patient()),
        (None, patient(pid="other")),
        (None, {"resourceType": "Organization", "id": "o1", "name": "Demo Health Plan"}),
        (None, coverage("old", uid, "active", "2020-01-01", subscriberId="M-OLD")),
        (
            None,
            coverage(
                "new",
                uid,
                "active",
                "2025-01-01",
                subscriberId="M-NEW",
                **{
                    "class": [
                        {"type": {"coding": [{"code": "group"}]}, "value": "G1"},
                        {"type": {"coding": [{"code": "plan"}]}, "value": "P9", "name": "Gold"},
                    ]
                },
            ),
        ),
        (None, coverage("gone", uid, "cancelled", "2026-01-01", subscriberId="M-GONE")),
        (None, coverage("theirs", "Patient/other", "active", "2026-02-01", subscriberId="M-X")),
    )
    cov = read(doc).appointments[0].coverage
    assert cov is not None
    assert (cov.source_id, cov.member_id, cov.payer, cov.plan, cov.status) == (
        "new",
        "M-NEW",
        "Demo Health Plan",
        "Gold",
        "active",
    )


def test_coverage_for_display_only_patient_matches_by_id() -> None:
    doc = bundle(
        (None, appointment("Patient/ext9")),
        (None, coverage("c1", "Patient/ext9", "active", "2025-01-01", subscriberId="M1")),
    )
    doc["entry"][0]["resource"]["participant"][0]["actor"]["display"] = f"{CANARY}, Ann"
    appt = read(doc).appointments[0]
    assert appt.patient.display_only and appt.patient.family == CANARY
    assert appt.coverage is not None and appt.coverage.member_id == "M1"


def test_no_coverage_is_none() -> None:
    doc = bundle((None, appointment("Patient/p1")), (None, patient()))
    assert read(doc).appointments[0].coverage is None


# --- bundle kinds and source system ------------------------------------------------------


def test_transaction_uses_resource_ignores_request_and_is_not_full() -> None:
    doc = bundle((None, appointment("Patient/p1")), (None, patient()), btype="transaction")
    for entry in doc["entry"]:
        entry["request"] = {"method": "PUT", "url": f"{entry['resource']['resourceType']}/x"}
    doc["entry"].append({"request": {"method": "DELETE", "url": "Appointment/zz"}})
    batch = read(doc)
    assert len(batch.appointments) == 1 and batch.full_export is False


def test_searchset_full_unless_paged() -> None:
    doc = bundle((None, appointment("Patient/p1")), (None, patient()), btype="searchset")
    assert read(doc).full_export is True
    doc["link"] = [{"relation": "next", "url": "https://ehr.example.org/fhir?page=2"}]
    assert read(doc).full_export is False


def test_source_system_precedence() -> None:
    appt_doc = appointment("Patient/p1", identifier=[{"system": "urn:oid:1.2.3", "value": "V1"}])
    doc = bundle((None, appt_doc), (None, patient()))
    assert read(doc).appointments[0].source_system == "urn:oid:1.2.3"
    assert read(doc).appointments[0].source_id == "a1"
    plain = bundle((None, appointment("Patient/p1")), (None, patient()))
    assert read(plain).appointments[0].source_system == "fhir"
    assert read(plain, source_system="athena").source_system == "athena"
    plain["meta"] = {"source": "https://ehr.example.org"}
    assert read(plain).appointments[0].source_system == "https://ehr.example.org"


def test_other_resource_types_in_bundle_are_ignored() -> None:
    obs = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    doc = bundle((None, obs), (None, appointment("Patient/p1")), (None, patient()))
    batch = read(doc)
    assert [a.location_in_file for a in batch.appointments] == ["entry 1"]


def test_empty_searchset_is_an_empty_batch() -> None:
    batch = read({"resourceType": "Bundle", "type": "searchset", "total": 0})
    assert batch.appointments == () and batch.full_export is True
