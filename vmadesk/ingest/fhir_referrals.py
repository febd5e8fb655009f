"""FHIR R4 referrals: ``ServiceRequest`` with its Patient and Practitioner/Organization.

A referral is a ServiceRequest: ``subject`` the patient, ``performer`` the specialist or
practice referred to, ``requester`` who referred, ``authoredOn`` the day it was sent,
``priority`` its urgency, ``reasonCode`` why. The file does not say whether the practice
sent or received it, so the caller tells (``direction``; outgoing unless the import was
started as incoming).

Status: ``active`` and ``on-hold`` are open (sent / received), ``revoked`` is cancelled,
``completed`` means the visit happened (outgoing: the report is still to come; incoming:
the patient was seen, so scheduled). ``draft`` (not sent yet) and ``entered-in-error`` are
skipped with a warning.
"""

from __future__ import annotations

from typing import Any

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
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.fhir_extract import concept_text
from vmadesk.ingest.fhir_lane_docs import (
    LaneDocument,
    as_instant,
    check_code,
    first_identifier,
    load_document,
    patient_record,
    reference_names,
)
from vmadesk.ingest.lane_records import LaneBatch, ReferralRecord

_URGENCY = {
    "routine": ReferralUrgency.ROUTINE,
    "urgent": ReferralUrgency.URGENT,
    "asap": ReferralUrgency.URGENT,
    "stat": ReferralUrgency.STAT,
}
_STATUSES = frozenset(
    {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
)
_SKIPPED = {
    "draft": "a referral not sent yet (draft) was skipped",
    "entered-in-error": "a referral entered in error was skipped",
    "unknown": "a referral of unknown status was skipped",
}


def read_referrals_fhir(
    text: str, ctx: ReadContext, direction: ReferralDirection = ReferralDirection.OUTGOING
) -> LaneBatch:
    """Read ServiceRequest referrals from a FHIR document.

    Args:
        text: The decoded file.
        ctx: Read options.
        direction: Whether the practice sent these referrals or received them.

    Raises:
        IngestError: Not FHIR JSON, an invalid resource, no ServiceRequest, a referral with
            no patient, date, reason or (outgoing) recipient, a duplicate.
    """
    direction = ReferralDirection(direction)
    doc = load_document(text, ctx, frozenset({"ServiceRequest"}))
    requests = doc.of_type("ServiceRequest")
    if not requests:
        raise ctx.error("the file holds no referral (ServiceRequest)")
    records: list[ReferralRecord] = []
    seen: dict[tuple[str, str], str] = {}
    for location, request in requests:
        check_code(ctx, request.status, _STATUSES, location, "status")
        check_code(ctx, request.priority, frozenset(_URGENCY), location, "priority")
        if request.status in _SKIPPED:
            doc.warnings.add(_SKIPPED[request.status], location=location, field="status")
            continue
        try:
            record = _record(doc, request, location, direction)
        except IngestError:
            raise
        except Exception as exc:  # a value nobody foresaw: still a refusal naming the entry
            raise unexpected_error(ctx.file_name, exc, location=location) from None
        key = (record.source_system, record.source_id)
        if key in seen:
            raise ctx.error(f"the same referral is already in {seen[key]}", location=location,
                            field="identifier")  # fmt: skip
        seen[key] = record.location_in_file
        records.append(record)
    systems = {r.source_system for r in records}
    return LaneBatch(
        source_system=ctx.source_system
        or doc.source
        or (systems.pop() if len(systems) == 1 else "fhir"),
        kind="referrals",
        prior_auths=(),
        referrals=tuple(records),
        file_name=ctx.file_name,
        full_export=doc.full_export,
        warnings=doc.warnings.result(),
    )


def _record(
    doc: LaneDocument, request: Any, location: str | None, direction: ReferralDirection
) -> ReferralRecord:
    ctx = doc.ctx
    ident, system = first_identifier(request)
    source_id = ident or request.id
    if not source_id:
        raise ctx.error(
            "the referral has no id or identifier", location=location, field="identifier"
        )
    patient = patient_record(doc, request.subject, request, location, "subject")
    sent_at = as_instant(request.authoredOn, ctx)
    if sent_at is None:
        raise ctx.error("the referral has no date it was sent", location=location,
                        field="authoredOn")  # fmt: skip
    reason = _reason(request)
    if reason is None:
        raise ctx.error("the referral has no reason", location=location, field="reasonCode")
    to_person, to_org = None, None
    for performer in request.performer or ():
        person, org = reference_names(doc, performer, request)
        to_person, to_org = to_person or person, to_org or org
    by_person, by_org = reference_names(doc, request.requester, request)
    try:
        fields = ReferralFields(
            direction=direction,
            reason=reason,
            sent_at=sent_at,
            urgency=_URGENCY.get(request.priority or "routine", ReferralUrgency.ROUTINE),
            referred_to_practitioner=to_person,
            referred_to_organization=to_org,
            referred_by=by_person or by_org,
            specialty=concept_text(request.code) or _performer_type(request),
        )
    except ValueError as exc:
        name, _, words = str(exc).partition(": ")
        element = "performer" if name == "referred_to" else None
        raise ctx.error(words or name, location=location, field=element) from None
    return ReferralRecord(
        source_system=ctx.source_system or system or doc.source or "fhir",
        source_id=str(source_id),
        patient=patient,
        state=_state(request.status, direction),
        fields=fields,
        location_in_file=location or "resource",
    )


def _reason(request: Any) -> str | None:
    for concept in request.reasonCode or ():
        text = concept_text(concept)
        if text and text.strip():
            return text.strip()
    for reference in request.reasonReference or ():
        if reference.display and reference.display.strip():
            return reference.display.strip()
    return None


def _performer_type(request: Any) -> str | None:
    return concept_text(request.performerType) if request.performerType else None


def _state(status: str | None, direction: ReferralDirection) -> ReferralState:
    outgoing = direction is ReferralDirection.OUTGOING
    if status == "revoked":
        return OutgoingState.CANCELLED if outgoing else IncomingState.CANCELLED
    if status == "completed":
        return OutgoingState.VISIT_DONE if outgoing else IncomingState.SCHEDULED
    return initial_state(direction)
