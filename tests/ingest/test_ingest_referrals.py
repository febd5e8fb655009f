"""Referral import: FHIR ServiceRequest bundles and CSV worklists, refusals, kind."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vmadesk.domain.referral_rules import (
    IncomingState,
    OutgoingState,
    ReferralDirection,
    ReferralUrgency,
)
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_referrals import (
    read_direction,
    read_referral_status,
    read_referrals_csv,
)
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.fhir_referrals import read_referrals_fhir
from vmadesk.ingest.lane_detect import detect_lane_kind, read_lane_file

DATA = Path(__file__).parent / "data" / "lanes"
NY = ZoneInfo("America/New_York")
CTX = ReadContext(file_name="referrals", practice_tz=NY)
FHIR = (DATA / "referral-servicerequests.json").read_text()
CSV = (DATA / "referral-worklist.csv").read_text()
PHI = ("Castellano", "Rita", "Nguyen", "MRN-200410", "1966", "555-0163", "knee", "chest pain")
OUT, IN = ReferralDirection.OUTGOING, ReferralDirection.INCOMING


def bundle() -> dict[str, Any]:
    return json.loads(FHIR)


def entry(doc: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(e["resource"] for e in doc["entry"] if e["resource"]["id"] == rid)


def refusal(text: str, reader: Any = read_referrals_fhir) -> IngestError:
    with pytest.raises(IngestError) as info:
        reader(text, CTX)
    message = str(info.value).casefold()
    assert not any(value.casefold() in message for value in PHI), message
    return info.value


# --- FHIR ServiceRequest -----------------------------------------------------------------


def test_service_requests_become_referrals_with_recipient_and_urgency() -> None:
    batch = read_referrals_fhir(FHIR, CTX)
    assert batch.kind == "referrals" and batch.full_export
    got = {r.source_id: r for r in batch.referrals}
    assert list(got) == ["REF-7781", "REF-7782", "REF-7783", "REF-7784"]  # the draft skipped
    (warning,) = batch.warnings
    assert (warning.location, warning.field) == ("entry 11", "status")

    knee = got["REF-7781"]
    assert knee.state is OutgoingState.SENT and knee.fields.direction is OUT
    assert knee.fields.referred_to_organization == "Lakeside Orthopedics"
    assert knee.fields.referred_by == "Kwame Osei"
    assert knee.fields.sent_at == datetime(2026, 11, 16, tzinfo=NY)  # a bare date: local midnight
    assert knee.fields.specialty == "Referral to orthopedic service"
    assert knee.patient.family == "Castellano" and knee.patient.source_id == "MRN-200410"

    chest = got["REF-7782"].fields
    assert chest.urgency is ReferralUrgency.URGENT
    # A PractitionerRole gives both the specialist and the practice.
    assert (chest.referred_to_practitioner, chest.referred_to_organization) == (
        "Helena Brandt", "Three Rivers Cardiology",
    )  # fmt: skip
    assert got["REF-7783"].state is OutgoingState.VISIT_DONE  # completed
    assert got["REF-7783"].fields.urgency is ReferralUrgency.URGENT  # asap
    assert got["REF-7784"].state is OutgoingState.CANCELLED  # revoked


def test_incoming_service_requests_take_the_incoming_states() -> None:
    got = {r.source_id: r for r in read_referrals_fhir(FHIR, CTX, IN).referrals}
    assert got["REF-7781"].state is IncomingState.RECEIVED
    assert got["REF-7783"].state is IncomingState.SCHEDULED
    assert got["REF-7784"].state is IncomingState.CANCELLED


def test_a_referral_without_a_subject_is_refused_naming_it() -> None:
    error = refusal((DATA / "referral-no-patient.json").read_text())
    assert (error.location, error.field) == ("entry 8", "subject")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: entry(d, "ref-1").pop("authoredOn"), "authoredOn", "no date"),
        (lambda d: entry(d, "ref-1").update(authoredOn=20261116), "authoredOn", "date"),
        (lambda d: entry(d, "ref-1").pop("reasonCode"), "reasonCode", "no reason"),
        (lambda d: entry(d, "ref-1").pop("performer"), "performer", "specialist or practice"),
        (lambda d: entry(d, "ref-2")["subject"].update(reference="Patient/elsewhere"),
         "subject", "not in the file"),
        (lambda d: entry(d, "ref-2")["subject"].update(reference="Organization/ortho"),
         "subject", "does not refer to a Patient"),
        (lambda d: entry(d, "ref-2")["identifier"][0].update(value="REF-7781"),
         "identifier", "already in entry 7"),
        (lambda d: entry(d, "ref-2").update(priority="whenever"), "priority", "not a code FHIR"),
    ],
)  # fmt: skip
def test_malformed_referrals_are_refused(change: Any, field: str, words: str) -> None:
    doc = bundle()
    change(doc)
    error = refusal(json.dumps(doc))
    assert error.field == field and words in error.reason, error


def test_a_patient_known_only_by_display_is_kept_with_a_warning() -> None:
    doc = bundle()
    entry(doc, "ref-2")["subject"] = {"reference": "Patient/x9", "display": "Nguyen, Thao"}
    batch = read_referrals_fhir(json.dumps(doc), CTX)
    record = next(r for r in batch.referrals if r.source_id == "REF-7782")
    assert record.patient.display_only and record.patient.source_id == "x9"
    assert any(w.field == "subject" for w in batch.warnings)
    assert all("Nguyen" not in str(w) for w in batch.warnings)


def test_a_file_without_service_requests_is_refused() -> None:
    doc = bundle()
    doc["entry"] = doc["entry"][:2]
    assert "no referral" in refusal(json.dumps(doc)).reason
    single = json.dumps(entry(bundle(), "ref-1"))
    with pytest.raises(IngestError, match="patient is not in the file"):
        read_referrals_fhir(single, CTX)


# --- CSV -------------------------------------------------------------------------------------


def test_csv_worklist_reads_both_directions_and_every_state() -> None:
    batch = read_referrals_csv(CSV, CTX)
    got = {r.source_id: r for r in batch.referrals}
    assert [got[k].state for k in got] == [
        OutgoingState.SENT, OutgoingState.RECEIVED_BY_SPECIALIST,
        OutgoingState.APPOINTMENT_SCHEDULED, OutgoingState.VISIT_DONE, OutgoingState.LOOP_CLOSED,
        OutgoingState.PATIENT_DECLINED, IncomingState.RECEIVED, IncomingState.TRIAGED,
        IncomingState.PATIENT_CONTACTED,
    ]  # fmt: skip
    closed = got["REF-9005"].fields
    assert closed.report_received_on == date(2026, 9, 2) and closed.visit_on == date(2026, 8, 20)
    assert got["REF-9003"].fields.appointment_at == datetime(2026, 10, 20, 9, 30, tzinfo=NY)
    assert got["REF-9102"].fields.urgency is ReferralUrgency.STAT
    assert got["REF-9102"].fields.sent_at == datetime(2026, 11, 24, 13, 15, tzinfo=NY)
    assert got["REF-9101"].fields.direction is IN
    assert got["REF-9101"].fields.referred_by == "Mon Valley Family Practice"
    assert read_referrals_csv(CSV, CTX) == batch


def test_an_outgoing_row_without_a_recipient_is_refused_by_row_and_column() -> None:
    error = refusal((DATA / "referral-outgoing-no-recipient.csv").read_text(), read_referrals_csv)
    assert (error.location, error.field) == ("row 3", "column 5 (referred to)")


@pytest.mark.parametrize(
    ("text", "location", "words"),
    [
        ("Referral ID,Patient Name,Date Sent\nR1,Rita Castellano,11/16/2026\n", "row 1",
         "reason (expected a column named one of: Reason"),
        ("Referral ID,Patient Name,Reason,Date Sent,Referred To\n"
         "R1,Rita Castellano,Knee pain,,Lakeside\n", "row 2", "date sent or received"),
        ("Referral ID,Patient Name,Reason,Date Sent,Referred To,Status\n"
         "R1,Rita Castellano,Knee pain,11/16/2026,Lakeside,Teleported\n", "row 2",
         "not a recognised referral status"),
        ("Referral ID,Patient Name,Reason,Date Sent,Referred To,Direction\n"
         "R1,Rita Castellano,Knee pain,11/16/2026,Lakeside,Sideways\n", "row 2",
         "not a referral direction"),
        ("Referral ID,Patient Name,Reason,Date Sent,Referred To,Priority\n"
         "R1,Rita Castellano,Knee pain,11/16/2026,Lakeside,Someday\n", "row 2", "not an urgency"),
    ],
)  # fmt: skip
def test_malformed_csv_rows_are_refused(text: str, location: str, words: str) -> None:
    error = refusal(text, read_referrals_csv)
    assert error.location == location and words in error.reason


def test_without_a_direction_column_the_callers_direction_applies() -> None:
    text = "Patient Name,Reason,Date Received,Referring Provider,Status\n" \
        "Rita Castellano,Knee pain,11/16/2026,Mon Valley FP,Triaged\n"  # fmt: skip
    (record,) = read_referrals_csv(text, CTX, IN).referrals
    assert record.state is IncomingState.TRIAGED and record.fields.direction is IN
    again = read_referrals_csv(text, CTX, IN).referrals[0]
    assert again.source_id == record.source_id  # keyed by content when there is no id


@pytest.mark.parametrize(
    ("cell", "direction", "state"),
    [("Pt declined", OUT, OutgoingState.PATIENT_DECLINED),
     ("Declined by specialist", OUT, OutgoingState.DECLINED),
     ("Consult note received", OUT, OutgoingState.LOOP_CLOSED),
     ("Appointment booked", OUT, OutgoingState.APPOINTMENT_SCHEDULED),
     ("Left message", IN, IncomingState.PATIENT_CONTACTED),
     ("Not accepted", IN, IncomingState.DECLINED)],
)  # fmt: skip
def test_status_words(cell: str, direction: ReferralDirection, state: object) -> None:
    assert read_referral_status(cell, direction) is state


def test_direction_words() -> None:
    assert read_direction("Outbound") is OUT and read_direction("Received") is IN


# --- kind ------------------------------------------------------------------------------------


def test_the_kind_is_detected_and_the_right_reader_runs() -> None:
    assert detect_lane_kind(FHIR) == "referrals" and detect_lane_kind(CSV) == "referrals"
    assert read_lane_file(FHIR, CTX, IN) == read_referrals_fhir(FHIR, CTX, IN)
    assert read_lane_file(CSV, CTX) == read_referrals_csv(CSV, CTX)
    callbacks = "Patient Name,Phone,Reason,Window\nRita Castellano,412-555-0163,Refill,today\n"
    assert detect_lane_kind(callbacks) is None
