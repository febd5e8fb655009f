"""From extracted FHIR R4 resources to records: patient, provider, coverage, times.

The resources come validated and reduced to their plain fields by
:mod:`vmadesk.ingest.fhir_extract` (which also picks names and phones); here references
are resolved across the file and the records built.

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

from datetime import date, datetime, timedelta
from typing import Any

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.dates import with_std_offset
from vmadesk.ingest.errors import WarningLog
from vmadesk.ingest.fhir_extract import LightAppointment, LightCoverage
from vmadesk.ingest.fhir_references import ReferenceIndex, reference_id, reference_type
from vmadesk.ingest.names import split_name
from vmadesk.ingest.records import (
    AppointmentRecord,
    AppointmentStatus,
    CoverageRecord,
    PatientRecord,
)

_PROVIDER_TYPES = frozenset({"Practitioner", "PractitionerRole"})


class AppointmentMapper:
    """Builds :class:`AppointmentRecord` s from the light resources of one file."""

    def __init__(
        self,
        ctx: ReadContext,
        index: ReferenceIndex,
        *,
        coverages: list[LightCoverage] | tuple[LightCoverage, ...],
        bundle_source: str | None,
        warnings: WarningLog | None = None,
    ) -> None:
        self._ctx = ctx
        self.warnings = warnings if warnings is not None else WarningLog(ctx.file_name)
        self._index = index
        self._bundle_source = bundle_source
        # Coverage by beneficiary, looked up per appointment: by the resolved Patient
        # object and by the Patient id the reference names (for unresolved patients).
        self._cov_by_obj: dict[int, list[LightCoverage]] = {}
        self._cov_by_pid: dict[str, list[LightCoverage]] = {}
        for coverage in coverages:
            self._index_coverage(coverage, coverage)

    def _index_coverage(self, coverage: LightCoverage, container: Any) -> None:
        ben = self._index.resolve(coverage.beneficiary, container)
        if ben is not None and ben.rtype == "Patient":
            self._cov_by_obj.setdefault(id(ben), []).append(coverage)
            return
        if reference_type(coverage.beneficiary) == "Patient":
            pid = reference_id(coverage.beneficiary)
            if pid:
                self._cov_by_pid.setdefault(pid, []).append(coverage)

    def build(
        self, appt: LightAppointment, *, where: str, location: str | None
    ) -> AppointmentRecord:
        """Build the record for one Appointment.

        Args:
            appt: The appointment, extracted (:func:`~vmadesk.ingest.fhir_extract.extract`).
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
        start = self._instant(appt.start, location, "start")
        if appt.end is not None:
            end: datetime | None = self._instant(appt.end, location, "end")
        elif appt.minutes:
            end = start + timedelta(minutes=appt.minutes)
        else:
            end = None

        source_id = appt.id or appt.ident_value
        if not source_id:
            raise ctx.error(
                "the appointment has no id or identifier", location=location, field="id"
            )
        source_system = (
            appt.ident_system
            or self._bundle_source
            or appt.meta_source
            or ctx.source_system
            or "fhir"
        )

        # Each participant resolved once: both the patient and the provider look at all.
        resolved = [self._index.resolve(a, appt) if a is not None else None for a in appt.actors]
        patient, patient_obj, patient_ref = self._patient(appt, resolved, location)
        provider, place = self._provider_and_location(appt, resolved)
        return AppointmentRecord(
            source_system=str(source_system),
            source_id=str(source_id),
            status=status,
            start=start,
            end=end,
            patient=patient,
            provider=provider,
            appointment_type=appt.appointment_type,
            location=place,
            coverage=self._coverage(appt, patient_obj, patient_ref),
            location_in_file=where,
        )

    @property
    def file_name(self) -> str:
        """The file's name, as errors show it."""
        return self._ctx.file_name

    def _instant(self, value: Any, location: str | None, field: str) -> datetime:
        """An instant as a datetime; the models keep a leap second (``23:59:60``) as text."""
        if not isinstance(value, datetime):
            raise self._ctx.error(
                "not a time of day vmadesk can use (a leap second, 23:59:60?)",
                location=location,
                field=field,
            )
        return with_std_offset(value)

    def _patient(
        self, appt: LightAppointment, actors: list[Any], location: str | None
    ) -> tuple[PatientRecord, Any, Any]:
        """Find the patient participant: (record, resolved resource or None, Reference)."""
        ctx = self._ctx
        for j, (actor, resolved) in enumerate(zip(appt.actors, actors, strict=True)):
            if actor is None:
                continue
            rtype = resolved.rtype if resolved is not None else None
            if rtype is None:
                rtype = reference_type(actor)
            if rtype != "Patient":
                continue
            field = f"participant[{j}].actor"
            if resolved is not None:
                name = resolved.human
                if name is None and actor.display:
                    name = split_name(actor.display)
                if name is None:
                    raise ctx.error("the patient has no name", location=location, field=field)
                source_id = resolved.id or resolved.ident_value or reference_id(actor) or ""
                record = PatientRecord(
                    source_id=str(source_id),
                    family=name[0],
                    given=name[1],
                    birth_date=resolved.birth_date,
                    phone_e164=resolved.phone_e164,
                    phone_raw=resolved.phone_raw,
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
                self.warnings.add(
                    "patient not in the file; name from the reference's display, "
                    "no phone or date of birth",
                    location=location,
                    field="participant",
                )
                return record, None, actor
            raise ctx.error(
                "the patient reference does not resolve within the file and has no display",
                location=location,
                field=field,
            )
        raise ctx.error("no participant is a patient", location=location, field="participant")

    def _provider_and_location(
        self, appt: LightAppointment, actors: list[Any]
    ) -> tuple[str | None, str | None]:
        provider: str | None = None
        place: str | None = None
        for actor, resolved in zip(appt.actors, actors, strict=True):
            if actor is None:
                continue
            rtype = resolved.rtype if resolved is not None else None
            rtype = rtype or reference_type(actor)
            if provider is None and rtype in _PROVIDER_TYPES:
                provider = actor.display or self._provider_name(resolved, appt)
            elif place is None and rtype == "Location":
                place = actor.display or (resolved.name if resolved is not None else None)
        return provider, place

    def _provider_name(self, resolved: Any, appt: LightAppointment) -> str | None:
        if resolved is None:
            return None
        if resolved.rtype == "PractitionerRole":
            if resolved.practitioner is None:
                return None
            if resolved.practitioner.display:
                return resolved.practitioner.display
            resolved = self._index.resolve(resolved.practitioner, appt)
            if resolved is None or resolved.rtype != "Practitioner":
                return None
        return resolved.person

    def _coverage(
        self, appt: LightAppointment, patient_obj: Any, patient_ref: Any
    ) -> CoverageRecord | None:
        candidates: list[LightCoverage] = []
        if patient_obj is not None:
            candidates += self._cov_by_obj.get(id(patient_obj), [])
            if patient_obj.id:
                candidates += self._cov_by_pid.get(patient_obj.id, [])
        elif (pid := reference_id(patient_ref)) is not None:
            candidates += self._cov_by_pid.get(pid, [])
        for inner in appt.contained:
            if inner.rtype == "Coverage":
                ben = self._index.resolve(inner.beneficiary, appt)
                if ben is not None and ben is patient_obj:
                    candidates.append(inner)
        if not candidates:
            return None
        best = max(candidates, key=self._coverage_rank)
        return self._coverage_record(best, appt)

    @staticmethod
    def _coverage_rank(coverage: LightCoverage) -> tuple[bool, date, date]:
        return (coverage.status == "active", coverage.start or date.min, coverage.end or date.max)

    def _coverage_record(self, coverage: LightCoverage, appt: LightAppointment) -> CoverageRecord:
        payer: str | None = None
        if coverage.payor is not None:
            payer = coverage.payor.display
            if not payer:
                # Resolved against the appointment, as before; only a string name is a payer.
                org = self._index.resolve(coverage.payor, appt)
                payer = getattr(org, "name", None) if org is not None else None
        return CoverageRecord(
            source_id=coverage.id,
            payer=payer,
            member_id=coverage.member_id,
            plan=coverage.plan,
            status=coverage.status,
        )
