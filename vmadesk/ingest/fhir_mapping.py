"""From validated FHIR R4 resources to records: patient, provider, coverage, times.

Decisions worth knowing:

- The patient is the first participant whose actor resolves to a Patient, or whose
  reference names type Patient. A patient reference that the file does not resolve but
  that carries a ``display`` (Oracle Health/Cerner appointments reference ``Patient/…``
  that is never in the file) becomes a display-only patient: the display parsed as
  "Last, First M", no phone, no birth date, ``display_only=True``.
- The phone is a ``system=phone`` telecom (not sms, fax, email), mobile before home before
  any other use, skipping numbers whose period ended before today.
- Coverage is a Coverage resource whose beneficiary is the appointment's patient; active
  before other statuses, then the latest period start.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.dates import with_std_offset
from vmadesk.ingest.fhir_references import ReferenceIndex, reference_id, reference_type
from vmadesk.ingest.names import split_name
from vmadesk.ingest.phones import clean_raw, to_e164
from vmadesk.ingest.records import (
    AppointmentRecord,
    AppointmentStatus,
    CoverageRecord,
    PatientRecord,
)

_PHONE_USE_RANK = {"mobile": 0, "home": 1, "work": 2, None: 3, "temp": 4, "old": 9}
_NAME_USE_RANK = {"official": 0, "usual": 1, None: 2, "temp": 3, "nickname": 4}
_PROVIDER_TYPES = frozenset({"Practitioner", "PractitionerRole"})


def _as_date(value: Any) -> date | None:
    """A FHIR date/dateTime (possibly partial, then a str) as a date, for comparisons."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _concept_text(concept: Any) -> str | None:
    if concept is None:
        return None
    if concept.text:
        return concept.text
    for coding in concept.coding or ():
        if coding.display or coding.code:
            return coding.display or coding.code
    return None


def _human_name(names: Any) -> tuple[str, str] | None:
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
    picked = _human_name(names)
    if picked is None:
        return None
    family, given = picked
    return f"{family}, {given}" if family and given else family or given


def _pick_phone(telecoms: Any, today: date) -> str | None:
    candidates = []
    for order, point in enumerate(telecoms or ()):
        if point.system != "phone" or not point.value or not point.value.strip():
            continue
        ended = _as_date(point.period.end) if point.period else None
        if ended is not None and ended < today:
            continue
        rank = _PHONE_USE_RANK.get(point.use, 5)
        candidates.append((rank, point.rank or 10**6, order, point.value))
    return clean_raw(min(candidates)[3]) if candidates else None


class AppointmentMapper:
    """Builds :class:`AppointmentRecord` s from the resources of one file."""

    def __init__(
        self,
        ctx: ReadContext,
        index: ReferenceIndex,
        *,
        coverages: list[Any] | tuple[Any, ...],
        bundle_source: str | None,
    ) -> None:
        self._ctx = ctx
        self._index = index
        self._bundle_source = bundle_source
        self._today = datetime.now(UTC).date()
        # Coverage by beneficiary, looked up per appointment: by the resolved Patient
        # object and by the Patient id the reference names (for unresolved patients).
        self._cov_by_obj: dict[int, list[Any]] = {}
        self._cov_by_pid: dict[str, list[Any]] = {}
        for coverage in coverages:
            self._index_coverage(coverage, coverage)

    def _index_coverage(self, coverage: Any, container: Any) -> None:
        ben = self._index.resolve(coverage.beneficiary, container)
        if ben is not None and ben.get_resource_type() == "Patient":
            self._cov_by_obj.setdefault(id(ben), []).append(coverage)
            return
        if reference_type(coverage.beneficiary) == "Patient":
            pid = reference_id(coverage.beneficiary)
            if pid:
                self._cov_by_pid.setdefault(pid, []).append(coverage)

    def build(self, appt: Any, *, where: str, location: str | None) -> AppointmentRecord:
        """Build the record for one validated Appointment.

        Args:
            appt: The fhir.resources Appointment.
            where: ``location_in_file`` for the record (``"entry 3"``, ``"resource"``).
            location: Location for errors (None for a top-level resource).

        Raises:
            IngestError: Unknown status, no start, no id, no patient.
        """
        ctx = self._ctx
        try:
            status = AppointmentStatus.from_fhir(appt.status or "")
        except ValueError as exc:
            raise ctx.error(str(exc), location=location, field="status") from None
        if appt.start is None:
            raise ctx.error("the appointment has no start time", location=location, field="start")
        start = with_std_offset(appt.start)
        if appt.end is not None:
            end: datetime | None = with_std_offset(appt.end)
        elif appt.minutesDuration:
            end = start + timedelta(minutes=appt.minutesDuration)
        else:
            end = None

        identifier = appt.identifier[0] if appt.identifier else None
        source_id = appt.id or (identifier.value if identifier else None)
        if not source_id:
            raise ctx.error(
                "the appointment has no id or identifier", location=location, field="id"
            )
        meta_source = appt.meta.source if appt.meta and appt.meta.source else None
        source_system = (
            (identifier.system if identifier and identifier.system else None)
            or self._bundle_source
            or meta_source
            or ctx.source_system
            or "fhir"
        )

        patient, patient_obj, patient_ref = self._patient(appt, location)
        provider, place = self._provider_and_location(appt)
        appointment_type = _concept_text(appt.appointmentType) or (
            _concept_text(appt.serviceType[0]) if appt.serviceType else None
        )
        return AppointmentRecord(
            source_system=str(source_system),
            source_id=str(source_id),
            status=status,
            start=start,
            end=end,
            patient=patient,
            provider=provider,
            appointment_type=appointment_type,
            location=place,
            coverage=self._coverage(appt, patient_obj, patient_ref),
            location_in_file=where,
        )

    def _patient(self, appt: Any, location: str | None) -> tuple[PatientRecord, Any, Any]:
        """Find the patient participant: (record, resolved resource or None, Reference)."""
        ctx = self._ctx
        for j, participant in enumerate(appt.participant or ()):
            actor = participant.actor
            if actor is None:
                continue
            resolved = self._index.resolve(actor, appt)
            rtype = resolved.get_resource_type() if resolved is not None else None
            if rtype is None:
                rtype = reference_type(actor)
            if rtype != "Patient":
                continue
            field = f"participant[{j}].actor"
            if resolved is not None:
                name = _human_name(resolved.name)
                if name is None and actor.display:
                    name = split_name(actor.display)
                if name is None:
                    raise ctx.error("the patient has no name", location=location, field=field)
                phone_raw = _pick_phone(resolved.telecom, self._today)
                source_id = (
                    resolved.id
                    or (resolved.identifier[0].value if resolved.identifier else None)
                    or reference_id(actor)
                    or ""
                )
                record = PatientRecord(
                    source_id=str(source_id),
                    family=name[0],
                    given=name[1],
                    birth_date=_as_date(resolved.birthDate),
                    phone_e164=to_e164(phone_raw, ctx.region),
                    phone_raw=phone_raw,
                )
                return record, resolved, actor
            if actor.display and actor.display.strip():
                family, given = split_name(actor.display)
                record = PatientRecord(
                    source_id=reference_id(actor) or actor.reference or "",
                    family=family,
                    given=given,
                    birth_date=None,
                    phone_e164=None,
                    phone_raw=None,
                    display_only=True,
                )
                return record, None, actor
            raise ctx.error(
                "the patient reference does not resolve within the file and has no display",
                location=location,
                field=field,
            )
        raise ctx.error("no participant is a patient", location=location, field="participant")

    def _provider_and_location(self, appt: Any) -> tuple[str | None, str | None]:
        provider: str | None = None
        place: str | None = None
        for participant in appt.participant or ():
            actor = participant.actor
            if actor is None:
                continue
            resolved = self._index.resolve(actor, appt)
            rtype = resolved.get_resource_type() if resolved is not None else None
            rtype = rtype or reference_type(actor)
            if provider is None and rtype in _PROVIDER_TYPES:
                provider = actor.display or self._provider_name(resolved, appt)
            elif place is None and rtype == "Location":
                place = actor.display or (resolved.name if resolved is not None else None)
        return provider, place

    def _provider_name(self, resolved: Any, appt: Any) -> str | None:
        if resolved is None:
            return None
        if resolved.get_resource_type() == "PractitionerRole":
            if resolved.practitioner is None:
                return None
            if resolved.practitioner.display:
                return resolved.practitioner.display
            resolved = self._index.resolve(resolved.practitioner, appt)
            if resolved is None or resolved.get_resource_type() != "Practitioner":
                return None
        return _name_text(resolved.name)

    def _coverage(self, appt: Any, patient_obj: Any, patient_ref: Any) -> CoverageRecord | None:
        candidates: list[Any] = []
        if patient_obj is not None:
            candidates += self._cov_by_obj.get(id(patient_obj), [])
            if patient_obj.id:
                candidates += self._cov_by_pid.get(patient_obj.id, [])
        elif (pid := reference_id(patient_ref)) is not None:
            candidates += self._cov_by_pid.get(pid, [])
        for inner in appt.contained or ():
            if inner.get_resource_type() == "Coverage":
                ben = self._index.resolve(inner.beneficiary, appt)
                if ben is not None and ben is patient_obj:
                    candidates.append(inner)
        if not candidates:
            return None
        best = max(candidates, key=self._coverage_rank)
        return self._coverage_record(best, appt)

    @staticmethod
    def _coverage_rank(coverage: Any) -> tuple[bool, date, date]:
        period = coverage.period
        start = _as_date(period.start) if period else None
        end = _as_date(period.end) if period else None
        return (coverage.status == "active", start or date.min, end or date.max)

    def _coverage_record(self, coverage: Any, appt: Any) -> CoverageRecord:
        payer: str | None = None
        if coverage.payor:
            first = coverage.payor[0]
            payer = first.display
            if not payer:
                org = self._index.resolve(first, appt)
                payer = getattr(org, "name", None) if org is not None else None
        member_id = coverage.subscriberId or (
            coverage.identifier[0].value if coverage.identifier else None
        )
        plan: str | None = None
        for klass in coverage.class_fhir or ():
            codes = {c.code for c in (klass.type.coding or ())} if klass.type else set()
            if "plan" in codes or plan is None:
                plan = klass.name or klass.value
        return CoverageRecord(
            source_id=coverage.id,
            payer=payer,
            member_id=member_id,
            plan=plan,
            status=coverage.status,
        )
