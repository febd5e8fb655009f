"""CSV referral worklists: outgoing (referrals the practice sent) and incoming (received).

One row is one referral. Headers are recognised from :data:`REFERRAL_SYNONYMS` (or given by
a saved mapping). A Direction column (``Outgoing``/``Incoming``, ``Out``/``In``, ``Sent``/
``Received``) decides each row's direction; without one the caller's ``direction`` applies.
Status cells are read by :func:`read_referral_status`; with no Status column the state
follows the row's dates (a report date: loop closed; a visit date: visit done; an
appointment: scheduled; else the first state).

A row without a referral id is keyed by the patient, the date sent and the recipient.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from vmadesk.domain.referral_rules import (
    IncomingState,
    OutgoingState,
    ReferralDirection,
    ReferralFields,
    ReferralState,
    ReferralUrgency,
    initial_state,
)
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.crash_guard import unexpected_error
from vmadesk.ingest.csv_lane_common import PATIENT_SYNONYMS, LaneRow, open_sheet, row_key
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.lane_records import LaneBatch, ReferralRecord

#: Field → recognised headers, most specific first.
REFERRAL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "referral_id": ("Referral ID", "Referral #", "Referral Number", "Referral No", "Ref ID"),
    **PATIENT_SYNONYMS,
    "direction": ("Direction", "Referral Direction", "In/Out", "Referral Type"),
    "referred_to": ("Referred To", "Refer To", "Referred To Provider", "Specialist",
                    "To Provider"),
    "referred_to_org": ("Referred To Practice", "Referred To Organization", "Specialist Practice",
                        "To Practice", "Referred To Facility"),
    "referred_by": ("Referred By", "Referring Provider", "Referring Physician", "From Provider",
                    "Referral Source"),
    "specialty": ("Specialty", "Service", "Referral Specialty"),
    "reason": ("Reason", "Referral Reason", "Reason for Referral", "Reason for Visit"),
    "urgency": ("Urgency", "Priority"),
    "sent": ("Date Sent", "Sent", "Sent Date", "Referral Date", "Date Received", "Received Date",
             "Received"),
    "status": ("Referral Status", "Status"),
    "appointment": ("Appointment", "Appointment Date", "Appt Date", "Scheduled For",
                    "Scheduled Date"),
    "visit_on": ("Visit Date", "Date Seen", "Seen On"),
    "report_on": ("Report Received", "Consult Report Received", "Report Date",
                  "Consult Note Received"),
}  # fmt: skip
_REQUIRED = (
    ("patient name", ("patient_name", "last_name")),
    ("reason", ("reason",)),
    ("date sent or received", ("sent",)),
)
_OUT, _IN = OutgoingState, IncomingState
# Status words per direction, folded to lower-case letters; first match wins.
_OUT_RULES = (
    (r"\bpatient ?(?:declined|refused)|\bpt ?(?:declined|refused)", _OUT.PATIENT_DECLINED),
    (r"\bdeclined\b|\brejected\b|\bdenied\b", _OUT.DECLINED),
    (r"\bcancel|\bwithdrawn\b|\bvoid", _OUT.CANCELLED),
    (r"\bloop ?closed\b|\breport ?received\b|\bconsult ?(?:note|report)|\bclosed\b",
     _OUT.LOOP_CLOSED),
    (r"\bvisit ?done\b|\bseen\b|\bcompleted?\b|\bvisit ?complete", _OUT.VISIT_DONE),
    (r"\bscheduled\b|\bbooked\b|\bappointment", _OUT.APPOINTMENT_SCHEDULED),
    (r"\breceived\b|\backnowledged\b|\baccepted\b", _OUT.RECEIVED_BY_SPECIALIST),
    (r"\bsent\b|\bfaxed\b|\bsubmitted\b|\bpending\b|\bopen\b|\bnew\b", _OUT.SENT),
)  # fmt: skip
_IN_RULES = (
    (r"\bdeclined\b|\brejected\b|\bdenied\b|\bnot ?accepted\b", _IN.DECLINED),
    (r"\bcancel|\bwithdrawn\b|\bvoid|\bpatient ?declined\b", _IN.CANCELLED),
    (r"\bscheduled\b|\bbooked\b|\bseen\b|\bcompleted?\b", _IN.SCHEDULED),
    (r"\bcontacted\b|\bcalled\b|\bleft ?message\b|\breached\b", _IN.PATIENT_CONTACTED),
    (r"\btriaged?\b|\breviewed\b|\baccepted\b|\bapproved\b", _IN.TRIAGED),
    (r"\breceived\b|\bnew\b|\bpending\b|\bopen\b", _IN.RECEIVED),
)
_COMPILED = {
    ReferralDirection.OUTGOING: tuple((re.compile(p), s) for p, s in _OUT_RULES),
    ReferralDirection.INCOMING: tuple((re.compile(p), s) for p, s in _IN_RULES),
}
_HINTS = {
    ReferralDirection.OUTGOING: "Sent, Received, Scheduled, Seen, Report received, Declined, "
    "Patient declined, Cancelled",
    ReferralDirection.INCOMING: "Received, Triaged, Contacted, Scheduled, Declined, Cancelled",
}
_URGENCY = {"routine": ReferralUrgency.ROUTINE, "normal": ReferralUrgency.ROUTINE,
            "standard": ReferralUrgency.ROUTINE, "urgent": ReferralUrgency.URGENT,
            "asap": ReferralUrgency.URGENT, "expedited": ReferralUrgency.URGENT,
            "stat": ReferralUrgency.STAT, "emergent": ReferralUrgency.STAT}  # fmt: skip


def read_referral_status(text: str, direction: ReferralDirection) -> ReferralState:
    """A status cell in words, for a referral of ``direction``.

    Raises:
        ValueError: Not a status we know (the message lists the words, never the cell).
    """
    direction = ReferralDirection(direction)
    words = " ".join(re.findall(r"[a-z]+", text.casefold()))
    for pattern, state in _COMPILED[direction]:
        if pattern.search(words):
            return state
    raise ValueError(f"not a recognised referral status (expected one of: {_HINTS[direction]})")


def read_direction(text: str) -> ReferralDirection:
    """``Outgoing``/``Out``/``Sent``/``To specialist`` or ``Incoming``/``In``/``Received``.

    Raises:
        ValueError: Neither.
    """
    folded = " ".join(re.findall(r"[a-z]+", text.casefold()))
    if re.fullmatch(r"out(?:going|bound)?|sent|referral out|to specialist|external", folded):
        return ReferralDirection.OUTGOING
    if re.fullmatch(r"in(?:coming|bound)?|received|referral in|from pcp|internal", folded):
        return ReferralDirection.INCOMING
    raise ValueError("not a referral direction (expected Outgoing or Incoming)")


def read_referral_urgency(text: str) -> ReferralUrgency:
    """``Routine``, ``Urgent``/``ASAP`` or ``Stat``.

    Raises:
        ValueError: None of those.
    """
    found = _URGENCY.get(text.strip().casefold())
    if found is None:
        raise ValueError("not an urgency (expected Routine, Urgent or Stat)")
    return found


def read_referrals_csv(
    text: str,
    ctx: ReadContext,
    direction: ReferralDirection = ReferralDirection.OUTGOING,
    columns: Mapping[str, str] | None = None,
) -> LaneBatch:
    """Read a CSV referral worklist.

    Args:
        text: The decoded file.
        ctx: Read options; ``ctx.practice_tz`` is the zone of times written without one.
        direction: The direction of rows without a Direction cell.
        columns: Field (keys of :data:`REFERRAL_SYNONYMS`) → header; None to recognise them.

    Raises:
        IngestError: A required column missing, a bad cell (named by row and column), a
            referral twice in the file.
        IngestCancelled: The caller cancelled.
    """
    sheet = open_sheet(text, ctx, REFERRAL_SYNONYMS, _REQUIRED, columns)
    records: list[ReferralRecord] = []
    seen: dict[str, str] = {}
    total = len(sheet.rows.rows)
    for n, (row_no, cells) in enumerate(sheet.rows.rows, start=1):
        row = LaneRow(cells, row_no, sheet, ctx)
        try:
            record = _record(row, sheet.source_system, ReferralDirection(direction))
        except IngestError:
            raise
        except Exception as exc:  # a conversion nobody foresaw: still a refusal naming the row
            raise unexpected_error(ctx.file_name, exc, location=row.where) from None
        if record.source_id in seen:
            raise row.fail("referral_id",
                           f"the same referral is already in {seen[record.source_id]}")  # fmt: skip
        seen[record.source_id] = row.where
        records.append(record)
        ctx.tick(n, total)
    return LaneBatch(
        source_system=sheet.source_system,
        kind="referrals",
        prior_auths=(),
        referrals=tuple(records),
        file_name=ctx.file_name,
        full_export=True,
        warnings=sheet.warnings.result(),
    )


def _record(row: LaneRow, source_system: str, default: ReferralDirection) -> ReferralRecord:
    patient = row.patient()
    direction = row.parsed("direction", read_direction) or default
    reason = row.require("reason", "reason for the referral")
    sent_at = row.instant("sent")
    if sent_at is None:
        raise row.fail("sent", "the cell is empty (the date sent or received is needed)")
    values = {
        "direction": direction,
        "reason": reason,
        "sent_at": sent_at,
        "urgency": row.parsed("urgency", read_referral_urgency) or ReferralUrgency.ROUTINE,
        "referred_to_practitioner": row.get("referred_to"),
        "referred_to_organization": row.get("referred_to_org"),
        "referred_by": row.get("referred_by"),
        "specialty": row.get("specialty"),
        "appointment_at": row.instant("appointment"),
        "visit_on": row.day("visit_on"),
        "report_received_on": row.day("report_on"),
    }
    try:
        fields = ReferralFields(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        name, _, words = str(exc).partition(": ")
        target = "referred_to" if name == "referred_to" else name
        raise row.fail(target, words or name) from None
    status = row.get("status")
    state = _implied_state(fields)
    if status is not None:
        try:
            state = read_referral_status(status, direction)
        except ValueError as exc:
            raise row.fail("status", str(exc)) from None
    source_id = row.get("referral_id") or row_key(
        patient.source_id, sent_at.isoformat(),
        fields.referred_to_practitioner or fields.referred_to_organization or fields.reason,
    )  # fmt: skip
    return ReferralRecord(source_system, source_id, patient, state, fields, row.where)


def _implied_state(fields: ReferralFields) -> ReferralState:
    if fields.direction is ReferralDirection.INCOMING:
        return _IN.SCHEDULED if fields.appointment_at else initial_state(fields.direction)
    if fields.report_received_on:
        return _OUT.LOOP_CLOSED
    if fields.visit_on:
        return _OUT.VISIT_DONE
    if fields.appointment_at:
        return _OUT.APPOINTMENT_SCHEDULED
    return _OUT.SENT
