"""FHIR R4 prior authorizations: a Claim with ``use = preauthorization`` and its ClaimResponse.

The Da Vinci Prior Authorization Support (PAS) shape: a Bundle holding the request Claim, the
Patient, the ordering Practitioner, the insurer Organization and the Coverage; the payer's
answer is a ClaimResponse whose ``request`` points at the Claim. A Claim without a response
is a request still to submit; with one, the state comes from the PAS ``reviewAction``
extension (X12 306 codes) on the response's items, else from ``outcome`` and ``preAuthRef``.

Refusals name the file, the entry and the element; never a value (see
:mod:`vmadesk.ingest.fhir_lane_docs`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmadesk.domain.medical_codes import ServiceLine
from vmadesk.domain.payer_programs import PaChannel, PaUrgency, PayerProgram, read_program
from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.crash_guard import unexpected_error
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.fhir_extract import concept_text
from vmadesk.ingest.fhir_lane_docs import (
    LaneDocument,
    as_day,
    as_instant,
    check_code,
    first_identifier,
    load_document,
    patient_record,
    reference_names,
)
from vmadesk.ingest.lane_records import LaneBatch, PriorAuthRecord

_REVIEW_ACTION = "extension-reviewAction"
# X12 306 (Health Care Services Review Decision) codes as PAS sends them.
_REVIEW_CODES: dict[str, PaState] = {
    "A1": PaState.APPROVED,  # certified in total
    "A2": PaState.PARTIALLY_APPROVED,  # certified, partial
    "A3": PaState.DENIED,  # not certified
    "A4": PaState.PENDED,  # pended
    "A6": PaState.PARTIALLY_APPROVED,  # modified
    "C": PaState.CLOSED,  # cancelled
    "CT": PaState.MORE_INFO_REQUESTED,  # contact payer
    "NA": PaState.NOT_REQUIRED,  # no action required
}
_USES = frozenset({"claim", "preauthorization", "predetermination"})
_OUTCOME_CODES = frozenset({"queued", "complete", "error", "partial"})
_OUTCOMES: dict[str, PaState] = {
    "queued": PaState.PENDED,
    "partial": PaState.PARTIALLY_APPROVED,
    # The payer could not process the request: it has to be corrected and sent again.
    "error": PaState.MORE_INFO_REQUESTED,
}
# Source of Payment Typology (PHDSC) codes on Coverage.type: the leading digits.
_SOPT_PREFIXES: tuple[tuple[str, PayerProgram], ...] = (
    ("11", PayerProgram.MEDICARE_ADVANTAGE),
    ("23", PayerProgram.CHIP),
    ("2", PayerProgram.MEDICAID),
    ("5", PayerProgram.COMMERCIAL),
    ("6", PayerProgram.COMMERCIAL),
)
# The FHIR element behind a field the domain refused.
_ELEMENTS = {
    "diagnoses": "diagnosis",
    "service_to": "item",
    "valid_to": "preAuthPeriod",
    "denial_reason": "item.extension",
    "submitted_at": "created",
}
_EXPEDITED_PRIORITIES = frozenset({"stat", "urgent", "expedited", "03"})


def read_prior_auth_fhir(text: str, ctx: ReadContext) -> LaneBatch:
    """Read a PAS-shaped FHIR document into prior authorization records.

    Raises:
        IngestError: Not FHIR JSON, an invalid resource, no prior authorization request, a
            request without patient or service, a malformed code (naming entry and element).
    """
    doc = load_document(text, ctx, frozenset({"Claim"}))
    responses = _responses_by_claim(doc)
    records: list[PriorAuthRecord] = []
    seen: dict[tuple[str, str], str] = {}
    claims = doc.of_type("Claim")
    for location, claim in claims:
        where = location or "resource"
        check_code(ctx, claim.use, _USES, location, "use")
        if claim.use != "preauthorization":
            doc.warnings.add("a claim that is not a prior authorization request was skipped",
                             location=location, field="use")  # fmt: skip
            continue
        try:
            record = _record(doc, claim, responses.get(id(claim)), where)
        except IngestError:
            raise
        except Exception as exc:  # a value nobody foresaw: still a refusal naming the entry
            raise unexpected_error(ctx.file_name, exc, location=location) from None
        key = (record.source_system, record.source_id)
        if key in seen:
            raise ctx.error(f"the same request is already in {seen[key]}", location=location,
                            field="identifier")  # fmt: skip
        seen[key] = where
        records.append(record)
    if not records:
        raise ctx.error(
            "the file holds no prior authorization request (a Claim with use 'preauthorization')"
        )
    systems = {r.source_system for r in records}
    return LaneBatch(
        source_system=ctx.source_system
        or doc.source
        or (systems.pop() if len(systems) == 1 else "fhir"),
        kind="prior_auth",
        prior_auths=tuple(records),
        referrals=(),
        file_name=ctx.file_name,
        full_export=doc.full_export,
        warnings=doc.warnings.result(),
    )


def _responses_by_claim(doc: LaneDocument) -> dict[int, tuple[str | None, Any]]:
    """Each ClaimResponse keyed by the ``id()`` of the Claim its ``request`` names."""
    out: dict[int, tuple[str | None, Any]] = {}
    for location, response in doc.of_type("ClaimResponse"):
        check_code(doc.ctx, response.outcome, _OUTCOME_CODES, location, "outcome")
        claim = doc.resolve(response.request, response)
        if claim is None or claim.get_resource_type() != "Claim":
            raise doc.ctx.error("the response's request is not a Claim in the file",
                                location=location, field="request")  # fmt: skip
        out[id(claim)] = (location, response)
    return out


def _record(
    doc: LaneDocument, claim: Any, response: tuple[str | None, Any] | None, where: str
) -> PriorAuthRecord:
    ctx = doc.ctx
    location = where if where != "resource" else None
    ident, system = first_identifier(claim)
    source_id = ident or claim.id
    if not source_id:
        raise ctx.error(
            "the request has no id or identifier", location=location, field="identifier"
        )
    patient = patient_record(doc, claim.patient, claim, location, "patient")
    services = tuple(_services(doc, claim, location))
    diagnoses = tuple(_diagnoses(doc, claim, location))
    days = [d for item in claim.item or () for d in _item_days(item)]
    person, org = reference_names(doc, _ordering(claim), claim)
    payer = reference_names(doc, claim.insurer, claim)[1]
    values: dict[str, Any] = {
        "program": _program(doc, claim, location),
        "services": services,
        "diagnoses": diagnoses,
        "urgency": _urgency(claim),
        "payer": payer,
        "ordering_provider": person or org,
        "service_from": min(days) if days else None,
        "service_to": max(days) if days else None,
    }
    state = PaState.NEEDS_SUBMISSION
    if response is not None:
        state = _answer(doc, claim, response, values, services)
    try:
        fields = PriorAuthFields(**values)
    except ValueError as exc:
        name, _, reason = str(exc).partition(": ")
        element = _ELEMENTS.get(name) if reason else None
        raise ctx.error(reason or name, location=location, field=element) from None
    return PriorAuthRecord(
        source_system=ctx.source_system or system or doc.source or "fhir",
        source_id=str(source_id),
        patient=patient,
        state=state,
        fields=fields,
        location_in_file=where,
    )


def _services(doc: LaneDocument, claim: Any, location: str | None) -> Iterator[ServiceLine]:
    if not claim.item:
        raise doc.ctx.error("the request asks for no service", location=location, field="item")
    for n, item in enumerate(claim.item):
        element = f"item[{n}].productOrService"
        concept = item.productOrService
        codes = [c for c in (concept.coding or ()) if c.code] if concept else []
        if not codes:
            raise doc.ctx.error("no service code", location=location, field=element)
        units = 1
        if item.quantity is not None and item.quantity.value is not None:
            value = item.quantity.value
            if value != int(value) or value < 1:
                raise doc.ctx.error("units must be a whole number of at least 1",
                                    location=location, field=f"item[{n}].quantity")  # fmt: skip
            units = int(value)
        try:
            yield ServiceLine(codes[0].code, units)
        except ValueError as exc:
            raise doc.ctx.error(str(exc), location=location, field=element) from None


def _diagnoses(doc: LaneDocument, claim: Any, location: str | None) -> Iterator[str]:
    for n, diagnosis in enumerate(claim.diagnosis or ()):
        concept = diagnosis.diagnosisCodeableConcept
        codes = [c.code for c in (concept.coding or ()) if c.code] if concept else []
        if not codes:
            doc.warnings.add("a diagnosis without a code was skipped", location=location,
                             field=f"diagnosis[{n}]")  # fmt: skip
            continue
        yield codes[0]


def _item_days(item: Any) -> list[Any]:
    if item.servicedDate is not None:
        return [item.servicedDate]
    period = item.servicedPeriod
    if period is None:
        return []
    return [d for d in (as_day(period.start), as_day(period.end)) if d is not None]


def _ordering(claim: Any) -> Any:
    """The ordering provider: the care team's first member, else the billing provider."""
    for member in claim.careTeam or ():
        if member.provider is not None:
            return member.provider
    return claim.provider


def _program(doc: LaneDocument, claim: Any, location: str | None) -> PayerProgram:
    for insurance in claim.insurance or ():
        coverage = doc.resolve(insurance.coverage, claim)
        if coverage is None or coverage.get_resource_type() != "Coverage":
            continue
        concept = coverage.type
        for coding in (concept.coding or ()) if concept else ():
            for prefix, program in _SOPT_PREFIXES:
                if coding.code and coding.code.startswith(prefix):
                    return program
        texts = [concept_text(concept)] + [k.name or k.value for k in coverage.class_fhir or ()]
        for text in texts:
            if text:
                try:
                    return read_program(text)
                except ValueError:
                    continue
    doc.warnings.add("no payer program (Coverage.type): the payer's clock of 'Other' applies",
                     location=location, field="insurance")  # fmt: skip
    return PayerProgram.OTHER


def _urgency(claim: Any) -> PaUrgency:
    codes = {c.code for c in (claim.priority.coding or ())} if claim.priority else set()
    return PaUrgency.EXPEDITED if codes & _EXPEDITED_PRIORITIES else PaUrgency.STANDARD


def _answer(
    doc: LaneDocument,
    claim: Any,
    response: tuple[str | None, Any],
    values: dict[str, Any],
    services: tuple[ServiceLine, ...],
) -> PaState:
    """The state the payer's response gives, filling the decision's fields into ``values``."""
    location, answer = response
    values["channel"] = PaChannel.FHIR_PAS
    values["submitted_at"] = as_instant(claim.created, doc.ctx)
    values["payer_reference"] = first_identifier(answer)[0]
    actions = list(_review_actions(answer))
    line_states = [s for s, _, _ in actions if s is not None]
    auth = answer.preAuthRef or next((n for _, n, _ in actions if n), None)
    reasons = [r for s, _, r in actions if r and s in (PaState.DENIED, PaState.PARTIALLY_APPROVED)]
    if line_states:
        state = _combine(line_states)
    elif answer.outcome in _OUTCOMES:
        state = _OUTCOMES[answer.outcome]
    elif answer.outcome == "complete" and auth:
        state = PaState.APPROVED
    else:
        raise doc.ctx.error("the response does not say whether the request was approved "
                            "(no reviewAction and no preAuthRef)", location=location,
                            field="outcome")  # fmt: skip
    if state in (PaState.APPROVED, PaState.PARTIALLY_APPROVED):
        values["auth_number"] = auth
        period = answer.preAuthPeriod
        if period is not None:
            values["valid_from"], values["valid_to"] = as_day(period.start), as_day(period.end)
        if state is PaState.PARTIALLY_APPROVED and len(actions) == len(services):
            values["units_approved"] = sum(
                line.units for line, (s, _, _) in zip(services, actions, strict=True)
                if s in (PaState.APPROVED, PaState.PARTIALLY_APPROVED)
            )  # fmt: skip
    if reasons:
        values["denial_reason"] = reasons[0]
    elif state is PaState.DENIED:
        doc.warnings.add("a denial without a reason code: ask the payer for it",
                         location=location, field="item")  # fmt: skip
    return state


def _combine(states: list[PaState]) -> PaState:
    """One state for the whole request from its lines' decisions."""
    kinds = set(states)
    if len(kinds) == 1:
        return states[0]
    for waiting in (PaState.MORE_INFO_REQUESTED, PaState.PENDED):
        if waiting in kinds:
            return waiting
    if kinds & {PaState.APPROVED, PaState.PARTIALLY_APPROVED}:
        return PaState.PARTIALLY_APPROVED
    return PaState.DENIED


def _review_actions(answer: Any) -> Iterator[tuple[PaState | None, str | None, str | None]]:
    """``(state, certification number, reason code)`` per item's reviewAction extension."""
    for item in answer.item or ():
        extensions = list(item.extension or ())
        for adjudication in item.adjudication or ():
            extensions.extend(adjudication.extension or ())
        for ext in extensions:
            if not str(ext.url).endswith(_REVIEW_ACTION):
                continue
            parts = {str(sub.url): sub for sub in ext.extension or ()}
            code = _coded(parts.get("reviewActionCode"))
            number = parts.get("number")
            yield (
                _REVIEW_CODES.get(code or ""),
                number.valueString if number is not None else None,
                _coded(parts.get("reasonCode")),
            )
            break


def _coded(ext: Any) -> str | None:
    concept = getattr(ext, "valueCodeableConcept", None) if ext is not None else None
    if concept is None:
        return getattr(ext, "valueCode", None) if ext is not None else None
    return next((c.code for c in concept.coding or () if c.code), None)
