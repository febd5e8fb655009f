"""Prior-authorization import: PAS Claim/ClaimResponse bundles and CSV worklists, refusals, kind."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vmadesk.domain.payer_programs import PaChannel, PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PaState
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_prior_auth import read_pa_status, read_prior_auth_csv
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.fhir_prior_auth import read_prior_auth_fhir
from vmadesk.ingest.lane_detect import detect_lane_kind, read_lane_file

DATA = Path(__file__).parent / "data" / "lanes"
NY = ZoneInfo("America/New_York")
CTX = ReadContext(file_name="worklist", practice_tz=NY)
PAS = (DATA / "pas-prior-auth-bundle.json").read_text()
CSV = (DATA / "prior-auth-worklist.csv").read_text()
# Values from the samples that must never appear in a refusal or a warning.
PHI = ("Whitfield", "Dolores", "Okafor", "MRN-100231", "1951", "555-0142", "SECRET")


def pas() -> dict[str, Any]:
    return json.loads(PAS)


def entry(doc: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(e["resource"] for e in doc["entry"] if e["resource"]["id"] == rid)


def refusal(text: str, reader: Any = read_prior_auth_fhir) -> IngestError:
    with pytest.raises(IngestError) as info:
        reader(text, CTX)
    message = str(info.value)
    assert not any(value in message for value in PHI), message
    return info.value


# --- FHIR (Da Vinci PAS) ------------------------------------------------------------------


def test_pas_bundle_gives_one_record_per_request_with_the_payers_answer() -> None:
    batch = read_prior_auth_fhir(PAS, CTX)
    assert batch.kind == "prior_auth" and batch.warnings == ()
    assert not batch.full_export  # a PAS "collection" is some requests, not the worklist
    by_id = {r.source_id: r for r in batch.prior_auths}
    assert list(by_id) == ["PA-2026-0001", "PA-2026-0002", "PA-2026-0003", "PA-2026-0004"]
    assert {r.state for r in batch.prior_auths} == {
        PaState.APPROVED, PaState.PARTIALLY_APPROVED, PaState.NEEDS_SUBMISSION, PaState.PENDED,
    }  # fmt: skip

    mri = by_id["PA-2026-0001"]
    assert mri.state is PaState.APPROVED and mri.location_in_file == "entry 11"
    f = mri.fields
    assert f.program is PayerProgram.MEDICARE_ADVANTAGE  # SOPT 111 on Coverage.type
    assert f.urgency is PaUrgency.EXPEDITED and f.channel is PaChannel.FHIR_PAS
    assert [(s.code, s.units) for s in f.services] == [("72148", 1)]
    assert f.diagnoses == ("M54.16",)
    assert f.auth_number == "AUTH-5501" and f.payer_reference == "TRK-88120"
    assert (f.valid_from, f.valid_to) == (date(2026, 11, 24), date(2027, 2, 22))
    assert f.submitted_at == datetime(2026, 11, 23, 14, 15, tzinfo=UTC)
    assert f.service_from == date(2026, 12, 1)
    assert f.payer == "Buckeye Senior Advantage" and f.ordering_provider == "Kwame Osei"
    assert (mri.patient.family, mri.patient.given) == ("Whitfield", "Dolores")
    assert mri.patient.source_id == "MRN-100231" and mri.patient.phone_e164 == "+16145550142"

    therapy = by_id["PA-2026-0002"].fields
    assert therapy.program is PayerProgram.MEDICAID  # from Coverage.type text
    assert therapy.units_requested == 16 and therapy.units_approved == 12
    assert therapy.denial_reason == "0V"
    infusion = by_id["PA-2026-0003"]
    assert infusion.fields.program is PayerProgram.COMMERCIAL
    assert infusion.fields.submitted_at is None and infusion.fields.services[0].system == "hcpcs"


def test_reading_twice_gives_the_same_records() -> None:
    assert read_prior_auth_fhir(PAS, CTX) == read_prior_auth_fhir(PAS, CTX)


def test_urn_uuid_references_resolve_as_pas_bundles_write_them() -> None:
    doc = pas()
    urls = {}
    for n, item in enumerate(doc["entry"]):
        res = item["resource"]
        urls[f"{res['resourceType']}/{res['id']}"] = item["fullUrl"] = f"urn:uuid:0000-{n:04d}"
    text = json.dumps(doc)
    for local, urn in urls.items():
        text = text.replace(f'"reference": "{local}"', f'"reference": "{urn}"')
    assert "Patient/p1" not in text
    assert read_prior_auth_fhir(text, CTX).prior_auths == read_prior_auth_fhir(PAS, CTX).prior_auths


def test_csv_needs_the_practice_zone() -> None:
    with pytest.raises(ValueError, match="practice_tz"):
        read_prior_auth_csv(CSV, ReadContext(file_name="worklist"))


def test_a_bad_service_code_names_entry_and_element_not_the_code() -> None:
    error = refusal((DATA / "pas-bad-service-code.json").read_text())
    assert (error.location, error.field) == ("entry 12", "item[1].productOrService")
    assert "CPT" in error.reason and "9714" not in str(error)


def test_a_bad_diagnosis_names_the_fhir_element() -> None:
    doc = pas()
    entry(doc, "pa-3")["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = "SECRET"
    error = refusal(json.dumps(doc))
    assert (error.location, error.field) == ("entry 13", "diagnosis")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: entry(d, "resp-1")["request"].update(reference="Claim/nowhere"),
         "request", "not a Claim in the file"),
        (lambda d: entry(d, "pa-1")["patient"].update(reference="Patient/nowhere"),
         "patient", "not in the file"),
        (lambda d: entry(d, "resp-4").update(item=[], outcome="complete"),
         "outcome", "does not say whether"),
        (lambda d: entry(d, "pa-3")["item"][0]["quantity"].update(value=2.5),
         "item[0].quantity", "whole number"),
        (lambda d: entry(d, "pa-3").update(item=[]), "item", "no service"),
        (lambda d: entry(d, "pa-3").update(use="wish"), "use", "not a code FHIR R4 allows"),
        (lambda d: entry(d, "resp-4").update(outcome="maybe"), "outcome", "not a code FHIR R4"),
        (lambda d: entry(d, "pa-3").update(created=20261123), "created", "date"),
        (lambda d: entry(d, "pa-3")["identifier"][0].update(value="PA-2026-0001"),
         "identifier", "already in entry 11"),
    ],
)  # fmt: skip
def test_malformed_requests_are_refused_naming_the_element(
    change: Any, field: str, words: str
) -> None:
    doc = pas()
    change(doc)
    error = refusal(json.dumps(doc))
    assert error.field == field and words in error.reason


def test_files_that_are_not_pa_requests_are_refused_in_words() -> None:
    assert "not valid JSON" in refusal(PAS[:200]).reason
    assert "XML" in refusal("<Bundle/>").reason
    only_patients = pas()
    only_patients["entry"] = only_patients["entry"][:3]
    assert "no prior authorization request" in refusal(json.dumps(only_patients)).reason
    assert refusal('{"resourceType": "Appointment"}').field == "resourceType"
    assert refusal('{"resourceType": ["Claim"]}').field == "resourceType"
    invalid = pas()
    entry(invalid, "pa-1")["status"] = {"nested": "object"}
    assert refusal(json.dumps(invalid)).location == "entry 11"


def test_a_claim_that_is_not_a_preauthorization_is_skipped_with_a_warning() -> None:
    doc = pas()
    entry(doc, "pa-3")["use"] = "claim"
    batch = read_prior_auth_fhir(json.dumps(doc), CTX)
    assert "PA-2026-0003" not in {r.source_id for r in batch.prior_auths}
    (warning,) = batch.warnings
    assert (warning.location, warning.field) == ("entry 13", "use")


def test_without_a_program_the_other_clock_applies_with_a_warning() -> None:
    doc = pas()
    del entry(doc, "cov3")["type"]
    batch = read_prior_auth_fhir(json.dumps(doc), CTX)
    record = next(r for r in batch.prior_auths if r.source_id == "PA-2026-0003")
    assert record.fields.program is PayerProgram.OTHER
    assert any("payer program" in w.reason for w in batch.warnings)


def test_review_actions_decide_denied_and_more_information() -> None:
    doc = pas()
    ext = entry(doc, "resp-1")["item"][0]["extension"][0]["extension"]
    ext[0]["valueCodeableConcept"]["coding"][0]["code"] = "A3"
    ext.append(copy.deepcopy(ext[0]) | {"url": "reasonCode"})
    del entry(doc, "resp-1")["preAuthRef"]
    ct = entry(doc, "resp-4")["item"][0]["extension"][0]["extension"][0]
    ct["valueCodeableConcept"]["coding"][0]["code"] = "CT"
    states = {r.source_id: r for r in read_prior_auth_fhir(json.dumps(doc), CTX).prior_auths}
    assert states["PA-2026-0001"].state is PaState.DENIED
    assert states["PA-2026-0001"].fields.denial_reason == "A3"
    assert states["PA-2026-0004"].state is PaState.MORE_INFO_REQUESTED


# --- CSV -------------------------------------------------------------------------------------


def test_csv_worklist_reads_every_state_and_field() -> None:
    batch = read_prior_auth_csv(CSV, CTX)
    assert batch.kind == "prior_auth" and batch.warnings == ()
    assert batch.source_system.startswith("csv:")
    got = {r.source_id: r for r in batch.prior_auths}
    assert [r.state for r in got.values()] == [
        PaState.APPROVED, PaState.PARTIALLY_APPROVED, PaState.NEEDS_SUBMISSION, PaState.PENDED,
        PaState.DENIED, PaState.MORE_INFO_REQUESTED,
    ]  # fmt: skip
    therapy = got["PA-3102"].fields
    assert [(s.code, s.units) for s in therapy.services] == [("97110", 12), ("97140", 4)]
    assert therapy.diagnoses == ("M62.81", "R26.89")
    assert (therapy.units_approved, therapy.units_used, therapy.units_left) == (12, 3, 9)
    assert therapy.channel is PaChannel.FAX and therapy.program is PayerProgram.MEDICAID
    assert therapy.submitted_at == datetime(2026, 11, 20, 14, 0, tzinfo=NY)
    infusion = got["PA-3103"].fields
    assert infusion.services[0].units == 3  # the Units column, for a lone code
    assert infusion.program is PayerProgram.COMMERCIAL
    denied = got["PA-3105"].fields
    assert denied.denial_reason == "A3-07" and denied.program is PayerProgram.MEDICARE_ADVANTAGE
    assert denied.appeal_deadline == datetime(2027, 1, 22, 17, 0, tzinfo=NY)
    assert got["PA-3104"].fields.channel is PaChannel.X12_278
    assert got["PA-3101"].patient.birth_date == date(1951, 3, 14)


def test_a_bad_diagnosis_cell_is_refused_by_row_and_column() -> None:
    error = refusal((DATA / "prior-auth-bad-icd.csv").read_text(), read_prior_auth_csv)
    assert (error.location, error.field) == ("row 3", "column 4 (diagnoses)")
    assert "ICD-10" in error.reason


@pytest.mark.parametrize(
    ("text", "location", "words"),
    [
        ("Auth ID,MRN,CPT\nPA-1,MRN-100231,72148\n", "row 1", "patient name"),
        ("Auth ID,Patient Name,DOS\nPA-1,\"Whitfield, Dolores\",12/01/2026\n", "row 1",
         "service code (expected a column named one of: CPT/HCPCS"),
        ("Auth ID,Patient Name,CPT,Auth Status\nPA-1,Dolores Whitfield,72148,Lost in space\n",
         "row 2", "not a recognised authorization status"),
        ("Auth ID,Patient Name,CPT\nPA-1,Dolores Whitfield,72148\nPA-1,Ben Okafor,97110\n",
         "row 3", "already in row 2"),
        ("Auth ID,Patient Name,CPT,DOS\nPA-1,Dolores Whitfield,72148,13/45/2026\n", "row 2",
         "calendar day"),
        ("Auth ID,Patient Name,CPT\nPA-1,Dolores Whitfield,9713 x2\n", "row 2", "service code"),
        ("Auth ID,Patient Name,CPT,Units Approved\nPA-1,Dolores Whitfield,72148,-4\n", "row 2",
         "whole number"),
    ],
)  # fmt: skip
def test_malformed_csv_rows_are_refused(text: str, location: str, words: str) -> None:
    error = refusal(text, read_prior_auth_csv)
    assert error.location == location and words in error.reason


def test_rows_without_an_id_keep_a_stable_key_and_no_program_warns() -> None:
    text = "Patient Name,MRN,CPT,DOS\nDolores Whitfield,MRN-100231,72148,12/01/2026\n"
    first = read_prior_auth_csv(text, CTX)
    assert first.prior_auths[0].source_id == read_prior_auth_csv(text, CTX).prior_auths[0].source_id
    assert first.prior_auths[0].state is PaState.NEEDS_SUBMISSION
    assert first.prior_auths[0].fields.program is PayerProgram.OTHER
    (warning,) = first.warnings
    assert "payer program" in warning.reason


def test_a_saved_mapping_names_the_columns() -> None:
    text = "Pt,Proc,Ins Class\nDolores Whitfield,72148,Medicaid\n"
    columns = {"patient_name": "Pt", "services": "Proc", "program": "Ins Class"}
    (record,) = read_prior_auth_csv(text, CTX, columns).prior_auths
    assert record.fields.program is PayerProgram.MEDICAID


@pytest.mark.parametrize(
    ("cell", "state"),
    [("Pending review", PaState.PENDED), ("Auth approved", PaState.APPROVED),
     ("Not certified", PaState.DENIED), ("No auth required", PaState.NOT_REQUIRED),
     ("Partially Approved", PaState.PARTIALLY_APPROVED), ("Additional info requested",
     PaState.MORE_INFO_REQUESTED), ("Appeal sent", PaState.APPEAL_SUBMITTED),
     ("Gathering clinicals", PaState.GATHERING_DOCUMENTS), ("Withdrawn", PaState.CLOSED),
     ("Units exhausted", PaState.EXHAUSTED), ("Expired", PaState.EXPIRED)],
)  # fmt: skip
def test_status_words(cell: str, state: PaState) -> None:
    assert read_pa_status(cell) is state


# --- kind ------------------------------------------------------------------------------------


def test_the_kind_is_detected_and_the_right_reader_runs() -> None:
    assert detect_lane_kind(PAS) == "prior_auth"
    assert detect_lane_kind(CSV) == "prior_auth"
    assert (
        detect_lane_kind(
            "Appt ID,Patient Name,Appt Date,Appt Time,CPT\n1,A B,1/1/2026,9:00,99213\n"
        )
        is None
    )
    assert detect_lane_kind('{"resourceType": "Appointment", "status": "booked"}') is None
    assert read_lane_file(PAS, CTX) == read_prior_auth_fhir(PAS, CTX)
    assert read_lane_file(CSV, CTX) == read_prior_auth_csv(CSV, CTX)
    with pytest.raises(IngestError, match="not a prior authorization or referral"):
        read_lane_file("a,b\n1,2\n", CTX)
