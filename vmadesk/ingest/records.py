"""Plain records the readers produce: what a practice's export says, validated.

These are frozen dataclasses with no behaviour, so services can store them and tests can
compare them. Datetimes are always timezone-aware and keep the offset or zone they were
given in (a FHIR ``-05:00`` stays ``-05:00``; a CSV time without a zone carries the
practice's ``ZoneInfo``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from vmadesk.ingest.errors import IngestWarning


class AppointmentStatus(StrEnum):
    """Appointment status, after the FHIR R4 ``Appointment.status`` codes."""

    BOOKED = "booked"
    PENDING = "pending"
    PROPOSED = "proposed"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered_in_error"
    CHECKED_IN = "checked_in"
    WAITLIST = "waitlist"

    @classmethod
    def from_fhir(cls, code: str) -> AppointmentStatus:
        """Map a FHIR status code (``entered-in-error``, ``checked-in``, ...) to a member.

        Raises:
            ValueError: The code is not an R4 appointment status (the message holds no value).
        """
        try:
            return cls(code.replace("-", "_"))
        except ValueError:
            raise ValueError("not an R4 appointment status") from None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """The patient an appointment is for.

    ``display_only`` is True when the file only named the patient (a reference whose
    resource was not in the file, e.g. Cerner's ``Patient/…`` with a ``display``): then
    the name comes from that display and there is no phone or birth date.
    """

    source_id: str
    family: str
    given: str
    birth_date: date | None
    phone_e164: str | None
    phone_raw: str | None
    display_only: bool = False


@dataclass(frozen=True, slots=True)
class CoverageRecord:
    """The insurance coverage to check for an appointment."""

    source_id: str | None
    payer: str | None
    member_id: str | None
    plan: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    """One appointment from a practice's export."""

    source_system: str
    source_id: str
    status: AppointmentStatus
    start: datetime
    end: datetime | None
    patient: PatientRecord
    provider: str | None
    appointment_type: str | None
    location: str | None
    coverage: CoverageRecord | None
    location_in_file: str
    #: The export says the patient has already confirmed (a CSV "Confirmed" status): no
    #: confirmation call is needed. FHIR's ``booked`` does not say this, so it stays False.
    confirmed_by_source: bool = False


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """One callback request: who to call, why, and when they asked to be called."""

    source_system: str
    source_id: str
    name_family: str
    name_given: str
    phone_e164: str | None
    phone_raw: str | None
    reason: str
    window_start: datetime | None
    window_end: datetime | None
    location_in_file: str


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """Everything one file held, read in full.

    ``full_export`` is True when the file claims to list a whole set (a CSV report, a
    FHIR searchset without a next page, a collection), False when it carries only some
    changes (a single resource, a transaction or batch, a paged searchset).

    ``warnings`` name what was kept with a gap (a missing optional column, a phone that is
    not a number, a patient known only by name), each by file, location and field: no PHI.
    """

    source_system: str
    kind: Literal["appointments", "callbacks"]
    appointments: tuple[AppointmentRecord, ...]
    callbacks: tuple[CallbackRecord, ...]
    file_name: str
    full_export: bool
    warnings: tuple[IngestWarning, ...] = ()

    @property
    def source_systems(self) -> tuple[str, ...]:
        """Every source system the records name (a FHIR bundle may mix several), sorted.

        Kept apart from the records (:attr:`systems_seen`) when they are dropped, e.g. by the
        GUI's import process, which keeps the records and sends the rest.
        """
        seen = {r.source_system for r in self.appointments} | {
            r.source_system for r in self.callbacks
        }
        return tuple(sorted(seen | set(self.systems_seen) | {self.source_system}))

    #: Source systems of records no longer held (see :attr:`source_systems`).
    systems_seen: tuple[str, ...] = ()
