"""CSV prior-authorization worklists, as practice-management and PA tools export them.

One row is one request. Headers are recognised from :data:`PA_SYNONYMS` (or given by a saved
mapping). Service codes may share a cell, each with its units (``97110 x12; 97140 x4``); a
lone code takes the Units column. Diagnoses may share a cell (``M17.11, E11.9``). The
status cell is read by :func:`read_pa_status`; with no Status column the state follows the
row (an auth number: approved; a submission date: submitted; else needs submission).

A row without a request id is keyed by the patient, the codes and the date of service, so
the next export of the same request updates the item rather than adding one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from vmadesk.domain.medical_codes import ServiceLine, split_service_list
from vmadesk.domain.payer_programs import PaChannel, PaUrgency, PayerProgram, read_program
from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.crash_guard import unexpected_error
from vmadesk.ingest.csv_lane_common import PATIENT_SYNONYMS, LaneRow, open_sheet, row_key
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.lane_records import LaneBatch, PriorAuthRecord

#: Field → recognised headers, most specific first.
PA_SYNONYMS: dict[str, tuple[str, ...]] = {
    "pa_id": ("Auth ID", "Authorization ID", "PA ID", "Prior Auth ID", "Auth Request ID",
              "PA Request ID", "Case ID"),
    **PATIENT_SYNONYMS,
    "payer": ("Payer", "Payer Name", "Insurance", "Insurance Name", "Payor", "Carrier"),
    "program": ("Program", "Payer Program", "Plan Type", "Payer Type", "Insurance Type",
                "Line of Business", "LOB", "Financial Class"),
    "services": ("CPT/HCPCS", "CPT", "CPT Code", "CPT Codes", "HCPCS", "Procedure Code",
                 "Procedure Codes", "Service Code", "Service Codes"),
    "units": ("Units", "Units Requested", "Requested Units", "Visits Requested", "Qty"),
    "diagnoses": ("ICD-10", "ICD10", "ICD-10 Codes", "Diagnosis Code", "Diagnosis Codes",
                  "Dx", "Dx Codes", "Diagnosis"),
    "ordering_provider": ("Ordering Provider", "Ordering Physician", "Referring Provider",
                          "Provider", "Rendering Provider"),
    "service_from": ("DOS", "Date of Service", "DOS From", "Service Date", "Service Start",
                     "Scheduled Date"),
    "service_to": ("DOS To", "Service End", "Service End Date", "Through Date"),
    "urgency": ("Urgency", "Priority", "Review Type", "Expedited"),
    "channel": ("Channel", "Submission Method", "Submitted Via", "Method"),
    "status": ("Auth Status", "PA Status", "Authorization Status", "Status"),
    "submitted_at": ("Submitted", "Date Submitted", "Submitted Date", "Submission Date",
                     "Sent Date"),
    "payer_reference": ("Payer Reference", "Payer Ref", "Reference #", "Reference Number",
                        "Tracking #", "Tracking Number", "Case #"),
    "auth_number": ("Auth #", "Auth Number", "Authorization Number", "Auth No",
                    "Approval Number", "Certification Number", "Cert #"),
    "units_approved": ("Units Approved", "Approved Units", "Visits Approved"),
    "units_used": ("Units Used", "Used Units", "Visits Used"),
    "valid_from": ("Valid From", "Auth Start", "Auth Start Date", "Effective Date", "Auth From"),
    "valid_to": ("Valid To", "Auth End", "Auth End Date", "Expiration Date", "Expires",
                 "Auth To"),
    "denial_reason": ("Denial Reason", "Denial Code", "Denial Reason Code", "Reason Code"),
    "appeal_deadline": ("Appeal Deadline", "Appeal By", "Appeal Due"),
}  # fmt: skip
_REQUIRED = (
    ("patient name", ("patient_name", "last_name")),
    ("service code", ("services",)),
)
# One code and its units: "97110", "97110 x12", "97110*12", "97110 (12)", "97110:12".

# Status words, folded to lower-case letters; first match wins, so the negated and narrower
# phrases come before the words they contain.
_STATUS_RULES: tuple[tuple[re.Pattern[str], PaState], ...] = tuple(
    (re.compile(p), s)
    for p, s in (
        (r"\bnot ?required\b|\bno ?auth|\bnar\b", PaState.NOT_REQUIRED),
        (r"\bpartial", PaState.PARTIALLY_APPROVED),
        (r"\bappeal", PaState.APPEAL_SUBMITTED),
        (r"\bnot ?certified\b|\bdenied\b|\bdenial\b|\breject", PaState.DENIED),
        (r"\bmore ?info|\badditional ?info|\binfo(?:rmation)? ?requested|\brfi\b"
         r"|\bclinicals? ?requested", PaState.MORE_INFO_REQUESTED),
        (r"\bexpired?\b", PaState.EXPIRED),
        (r"\bexhausted\b|\bunits ?used ?up\b", PaState.EXHAUSTED),
        (r"\bapproved\b|\bcertified\b|\bauthori[sz]ed\b", PaState.APPROVED),
        (r"\bpend", PaState.PENDED),
        (r"\bsubmitted\b|\bsent\b|\bin ?review\b|\bunder ?review\b", PaState.SUBMITTED),
        (r"\bgather|\bdocuments?\b|\bcollecting\b|\bclinicals?\b", PaState.GATHERING_DOCUMENTS),
        (r"\bneeds? ?submission\b|\bnew\b|\bnot ?submitted\b|\bto ?do\b|\bopen\b",
         PaState.NEEDS_SUBMISSION),
        (r"\bclosed?\b|\bwithdrawn\b|\bcancel", PaState.CLOSED),
    )
)  # fmt: skip
STATUS_HINT = (
    "Needs submission, Gathering documents, Submitted, Pended, More info requested, Approved, "
    "Partially approved, Denied, Appeal submitted, Closed, Not required, Expired, Exhausted"
)
_CHANNELS = (
    (r"278|x12|edi", PaChannel.X12_278),
    (r"fhir|pas|api", PaChannel.FHIR_PAS),
    (r"portal|web|online|availity|navinet|covermymeds", PaChannel.PORTAL),
    (r"fax", PaChannel.FAX),
    (r"phone|call|tel", PaChannel.PHONE),
)


def read_pa_status(text: str) -> PaState:
    """A status cell in words (``"Pending review"``, ``"Auth approved"``, ``"Denied"``).

    Raises:
        ValueError: Not a status we know (the message lists the words, never the cell).
    """
    words = " ".join(re.findall(r"[a-z]+", text.casefold()))
    for pattern, state in _STATUS_RULES:
        if pattern.search(words):
            return state
    raise ValueError(f"not a recognised authorization status (expected one of: {STATUS_HINT})")


def read_urgency(text: str) -> PaUrgency:
    """``Expedited``/``Urgent``/``Stat``/``Yes`` are expedited; ``Standard``/``Routine``/``No`` not.

    Raises:
        ValueError: Neither.
    """
    folded = text.strip().casefold()
    if folded in {"expedited", "urgent", "stat", "yes", "y", "true", "x", "rush"}:
        return PaUrgency.EXPEDITED
    if folded in {"standard", "routine", "normal", "no", "n", "false", "non-urgent", ""}:
        return PaUrgency.STANDARD
    raise ValueError("not an urgency (expected Standard or Expedited)")


def read_channel(text: str) -> PaChannel:
    """How the request was sent, in the words of an export.

    Raises:
        ValueError: Not a channel we know.
    """
    folded = text.casefold()
    for pattern, channel in _CHANNELS:
        if re.search(pattern, folded):
            return channel
    raise ValueError("not a submission channel (expected Portal, Fax, Phone, X12 278 or FHIR)")


def read_prior_auth_csv(
    text: str, ctx: ReadContext, columns: Mapping[str, str] | None = None
) -> LaneBatch:
    """Read a CSV prior-authorization worklist.

    Args:
        text: The decoded file.
        ctx: Read options; ``ctx.practice_tz`` is the zone of times written without one.
        columns: Field (keys of :data:`PA_SYNONYMS`) → header; None to recognise the headers.

    Raises:
        IngestError: A required column missing, a bad cell (named by row and column), a
            request twice in the file.
        IngestCancelled: The caller cancelled.
    """
    sheet = open_sheet(text, ctx, PA_SYNONYMS, _REQUIRED, columns)
    if "program" not in sheet.columns:
        sheet.warnings.add("no payer program column (Program/Plan Type): every request uses "
                           "the payer's clock of 'Other'")  # fmt: skip
    records: list[PriorAuthRecord] = []
    seen: dict[str, str] = {}
    total = len(sheet.rows.rows)
    for n, (row_no, cells) in enumerate(sheet.rows.rows, start=1):
        row = LaneRow(cells, row_no, sheet, ctx)
        try:
            record = _record(row, sheet.source_system)
        except IngestError:
            raise
        except Exception as exc:  # a conversion nobody foresaw: still a refusal naming the row
            raise unexpected_error(ctx.file_name, exc, location=row.where) from None
        if record.source_id in seen:
            raise row.fail("pa_id", f"the same request is already in {seen[record.source_id]}")
        seen[record.source_id] = row.where
        records.append(record)
        ctx.tick(n, total)
    return LaneBatch(
        source_system=sheet.source_system,
        kind="prior_auth",
        prior_auths=tuple(records),
        referrals=(),
        file_name=ctx.file_name,
        full_export=True,
        warnings=sheet.warnings.result(),
    )


def _record(row: LaneRow, source_system: str) -> PriorAuthRecord:
    patient = row.patient()
    services = _services(row)
    diagnoses = tuple(p for p in re.split(r"[;,|\s]+", row.get("diagnoses") or "") if p)
    values = {
        "program": row.parsed("program", read_program) or PayerProgram.OTHER,
        "services": services,
        "diagnoses": diagnoses,
        "urgency": row.parsed("urgency", read_urgency) or PaUrgency.STANDARD,
        "payer": row.get("payer"),
        "ordering_provider": row.get("ordering_provider"),
        "service_from": row.day("service_from"),
        "service_to": row.day("service_to"),
        "channel": row.parsed("channel", read_channel),
        "submitted_at": row.instant("submitted_at"),
        "payer_reference": row.get("payer_reference"),
        "auth_number": row.get("auth_number"),
        "units_approved": row.whole("units_approved"),
        "units_used": row.whole("units_used") or 0,
        "valid_from": row.day("valid_from"),
        "valid_to": row.day("valid_to"),
        "denial_reason": row.get("denial_reason"),
        "appeal_deadline": row.instant("appeal_deadline"),
    }
    try:
        fields = PriorAuthFields(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        name, _, reason = str(exc).partition(": ")
        raise row.fail(name if reason else "services", reason or name) from None
    state = row.parsed("status", read_pa_status) or _implied_state(fields)
    source_id = row.get("pa_id") or row_key(
        patient.source_id, patient.family, patient.given,
        " ".join(s.code for s in services), str(fields.service_from or ""),
    )  # fmt: skip
    return PriorAuthRecord(source_system, source_id, patient, state, fields, row.where)


def _services(row: LaneRow) -> tuple[ServiceLine, ...]:
    cell = row.require("services", "service code")
    try:
        parts = split_service_list(cell)
    except ValueError as exc:
        raise row.fail("services", str(exc)) from None
    lone_units = row.whole("units")
    lines: list[ServiceLine] = []
    for code, given_units in parts:
        units = given_units or (lone_units if len(parts) == 1 else None) or 1
        try:
            lines.append(ServiceLine(code, units))
        except ValueError as exc:
            field = "units" if "units" in str(exc) and "units" in row.columns else "services"
            raise row.fail(field, str(exc)) from None
    return tuple(lines)


def _implied_state(fields: PriorAuthFields) -> PaState:
    if fields.denial_reason:
        return PaState.DENIED
    if fields.auth_number:
        return PaState.APPROVED
    if fields.submitted_at is not None:
        return PaState.SUBMITTED
    return PaState.NEEDS_SUBMISSION
