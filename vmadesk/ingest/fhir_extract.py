"""From validated fhir.resources models to the few plain fields the mapping reads.

A validated model is big (hundreds of pydantic objects per appointment) and slow to
pickle; the mapping (:mod:`vmadesk.ingest.fhir_mapping`) needs a handful of its fields.
Both readers validate, then *extract* each resource into a small named tuple here: the
serial reader in process, the parallel one in worker processes that send the tuples back.
Everything that depends on one resource alone (the name picked, the phone picked and
normalised, dates, coverage plan) is decided here, so the workers do that work too;
anything that needs other resources (references) is left to the mapping.

Every light resource has ``rtype``, ``id`` and ``contained`` (light resources too), which
is all :class:`~vmadesk.ingest.fhir_references.ReferenceIndex` reads.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from vmadesk.ingest.names import split_name
from vmadesk.ingest.phones import clean_raw, to_e164

_PHONE_USE_RANK = {"mobile": 0, "home": 1, "work": 2, None: 3, "temp": 4, "old": 9}
_NAME_USE_RANK = {"official": 0, "usual": 1, None: 2, "temp": 3, "nickname": 4}


class Ref(NamedTuple):
    """A ``Reference``: what :mod:`~vmadesk.ingest.fhir_references` and the mapping read."""

    reference: str | None
    display: str | None
    type: str | None


class LightAppointment(NamedTuple):
    """An Appointment's fields for :class:`~vmadesk.ingest.fhir_mapping.AppointmentMapper`."""

    rtype: str
    id: str | None
    contained: tuple[Any, ...]
    status: str | None
    start: datetime | None
    end: datetime | None
    minutes: int | None
    ident_value: str | None
    ident_system: str | None
    meta_source: str | None
    #: One per participant (None where it has no actor): errors name the participant index.
    actors: tuple[Ref | None, ...]
    appointment_type: str | None


class LightPatient(NamedTuple):
    """A Patient: the name, phone and birth date already picked."""

    rtype: str
    id: str | None
    contained: tuple[Any, ...]
    ident_value: str | None
    human: tuple[str, str] | None
    birth_date: date | None
    phone_raw: str | None
    phone_e164: str | None


class LightCoverage(NamedTuple):
    """A Coverage: beneficiary and payer references, rank fields, member id, plan."""

    rtype: str
    id: str | None
    contained: tuple[Any, ...]
    beneficiary: Ref | None
    status: str | None
    start: date | None
    end: date | None
    payor: Ref | None
    member_id: str | None
    plan: str | None


class LightResource(NamedTuple):
    """Any other resource (Practitioner, PractitionerRole, Location, Organization, ...)."""

    rtype: str
    id: str | None
    contained: tuple[Any, ...]
    #: ``name`` when it is a plain string (Location, Organization), else None.
    name: str | None
    #: ``name`` as "Family, Given" when it is a list of HumanName (Practitioner).
    person: str | None
    #: PractitionerRole.practitioner.
    practitioner: Ref | None


def as_date(value: Any) -> date | None:
    """A FHIR date/dateTime (possibly partial, then a str) as a date, for comparisons."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def concept_text(concept: Any) -> str | None:
    """A CodeableConcept's text, else its first coding's display or code."""
    if concept is None:
        return None
    if concept.text:
        return concept.text
    for coding in concept.coding or ():
        if coding.display or coding.code:
            return coding.display or coding.code
    return None


def human_name(names: Any) -> tuple[str, str] | None:
    """Pick a HumanName (official, then usual, then any current) as (family, given)."""
    usable = [n for n in names or () if n.use not in ("old", "maiden", "anonymous")]
    usable.sort(key=lambda n: _NAME_USE_RANK.get(n.use, 5))
    for name in usable:
        family = (name.family or "").strip()
        given = " ".join(g.strip() for g in name.given or () if g and g.strip())
        if family or given:
            return family, given
        if name.text and name.text.strip():
            return split_name(name.text)
    return None


def _name_text(names: Any) -> str | None:
    picked = human_name(names)
    if picked is None:
        return None
    family, given = picked
    return f"{family}, {given}" if family and given else family or given


def _pick_phone(telecoms: Any, today: date) -> str | None:
    candidates = []
    for order, point in enumerate(telecoms or ()):
        if point.system != "phone" or not point.value or not point.value.strip():
            continue
        ended = as_date(point.period.end) if point.period else None
        if ended is not None and ended < today:
            continue
        rank = _PHONE_USE_RANK.get(point.use, 5)
        candidates.append((rank, point.rank or 10**6, order, point.value))
    return clean_raw(min(candidates)[3]) if candidates else None


def ref(reference: Any) -> Ref | None:
    """A fhir.resources ``Reference`` as a :class:`Ref` (None stays None)."""
    if reference is None:
        return None
    declared = reference.type
    return Ref(reference.reference, reference.display, str(declared) if declared else None)


def extract(resource: Any, region: str, today: date) -> Any:
    """The light form of one validated resource (and of its contained resources).

    Args:
        resource: A validated fhir.resources model.
        region: Default phone region (see :func:`~vmadesk.ingest.phones.to_e164`).
        today: Phones whose period ended before this day are skipped.
    """
    rtype = resource.get_resource_type()
    contained = tuple(extract(r, region, today) for r in getattr(resource, "contained", None) or ())
    rid = resource.id
    if rtype == "Appointment":
        return _appointment(resource, contained)
    if rtype == "Patient":
        phone_raw = _pick_phone(resource.telecom, today)
        return LightPatient(
            rtype,
            rid,
            contained,
            resource.identifier[0].value if resource.identifier else None,
            human_name(resource.name),
            as_date(resource.birthDate),
            phone_raw,
            to_e164(phone_raw, region),
        )
    if rtype == "Coverage":
        return _coverage(resource, contained)
    name = getattr(resource, "name", None)
    practitioner = getattr(resource, "practitioner", None) if rtype == "PractitionerRole" else None
    return LightResource(
        rtype,
        rid,
        contained,
        name if isinstance(name, str) else None,
        _name_text(name) if isinstance(name, list) else None,
        ref(practitioner),
    )


def _appointment(appt: Any, contained: tuple[Any, ...]) -> LightAppointment:
    identifier = appt.identifier[0] if appt.identifier else None
    return LightAppointment(
        "Appointment",
        appt.id,
        contained,
        appt.status,
        appt.start,
        appt.end,
        appt.minutesDuration,
        identifier.value if identifier else None,
        identifier.system if identifier else None,
        appt.meta.source if appt.meta and appt.meta.source else None,
        tuple(ref(p.actor) for p in appt.participant or ()),
        concept_text(appt.appointmentType)
        or (concept_text(appt.serviceType[0]) if appt.serviceType else None),
    )


def _coverage(coverage: Any, contained: tuple[Any, ...]) -> LightCoverage:
    period = coverage.period
    plan: str | None = None
    for klass in coverage.class_fhir or ():
        codes = {c.code for c in (klass.type.coding or ())} if klass.type else set()
        if "plan" in codes or plan is None:
            plan = klass.name or klass.value
    return LightCoverage(
        "Coverage",
        coverage.id,
        contained,
        ref(coverage.beneficiary),
        coverage.status,
        as_date(period.start) if period else None,
        as_date(period.end) if period else None,
        ref(coverage.payor[0]) if coverage.payor else None,
        coverage.subscriberId or (coverage.identifier[0].value if coverage.identifier else None),
        plan,
    )
