"""The last look at a file's records before anyone sees them: sizes, characters, dates.

Both readers' records pass through :func:`screen`, so the rules hold whatever the format:

- a name longer than :data:`MAX_NAME_CHARS`, an id longer than :data:`MAX_ID_CHARS` or any
  other text longer than :data:`MAX_TEXT_CHARS` is refused (a 5 MiB "family name" is no
  name, and cutting it would store a different one);
- control characters (NUL, escape, C1 codes…) are removed, with a warning: they cannot be
  typed, shown or searched for, and a name that holds one never matches the next export;
- an appointment or callback time outside the years :data:`FIRST_YEAR`–:data:`LAST_YEAR`
  is refused (years 0001 and 9999 overflow the date arithmetic of the rules);
- a date of birth in the future, or before :data:`FIRST_YEAR`, is left out with a warning.

Messages name the row or entry and the field, never the value.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.dates import FIRST_YEAR, LAST_YEAR
from vmadesk.ingest.errors import MAX_WARNINGS, IngestWarning
from vmadesk.ingest.records import AppointmentRecord, CallbackRecord, ImportBatch

MAX_NAME_CHARS = 200
MAX_ID_CHARS = 200
MAX_TEXT_CHARS = 10_000
# C0 and C1 controls and DEL; free text keeps its line breaks and tabs.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
_CLEANED = "control characters (invisible codes) were removed"
_TIME_RANGE = f"a date outside the years {FIRST_YEAR}–{LAST_YEAR}"

# (attribute, field in words, kind): kind picks the length limit and which controls go.
_APPOINTMENT_TEXT = (
    ("source_system", "source system", "id"),
    ("source_id", "appointment id", "id"),
    ("provider", "provider", "text"),
    ("appointment_type", "appointment type", "text"),
    ("location", "location", "text"),
)
_PATIENT_TEXT = (
    ("source_id", "patient id", "id"),
    ("family", "patient family name", "name"),
    ("given", "patient given name", "name"),
    ("phone_raw", "phone", "id"),
)
_COVERAGE_TEXT = (
    ("source_id", "coverage id", "id"),
    ("payer", "insurance", "text"),
    ("member_id", "member id", "id"),
    ("plan", "plan", "text"),
    ("status", "coverage status", "id"),
)
_CALLBACK_TEXT = (
    ("source_system", "source system", "id"),
    ("source_id", "callback id", "id"),
    ("name_family", "patient family name", "name"),
    ("name_given", "patient given name", "name"),
    ("phone_raw", "phone", "id"),
    ("reason", "reason", "free"),
)
_LIMITS = {"id": MAX_ID_CHARS, "name": MAX_NAME_CHARS, "text": MAX_TEXT_CHARS}
_Spec = tuple[str, str, str, int]


def _specs(fields: tuple[tuple[str, str, str], ...]) -> tuple[_Spec, ...]:
    """Each field with its length limit, worked out once."""
    return tuple((a, w, k, _LIMITS.get(k, MAX_TEXT_CHARS)) for a, w, k in fields)


_APPOINTMENT_SPECS, _PATIENT_SPECS, _COVERAGE_SPECS, _CALLBACK_SPECS = map(
    _specs, (_APPOINTMENT_TEXT, _PATIENT_TEXT, _COVERAGE_TEXT, _CALLBACK_TEXT)
)


class _Screen:
    """Screens one batch's records; collects its warnings."""

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.warnings: list[IngestWarning] = []
        today = datetime.now(UTC).date()
        # A day's grace: "today" in the practice's zone may be tomorrow in UTC.
        self.latest_birth = today + timedelta(days=1)

    def warn(self, reason: str, where: str | None, field: str) -> None:
        self.warnings.append(IngestWarning(self.ctx.file_name, reason, where, field))

    def text(self, record: Any, specs: tuple[_Spec, ...], where: str | None) -> Any:
        """The record with its text fields checked and cleaned (itself when all were fine)."""
        changes: dict[str, str] = {}
        for attr, words, kind, limit in specs:
            value = getattr(record, attr)
            if not value or (len(value) <= limit and value.isprintable()):
                continue  # the common case, decided in C
            if len(value) > limit:
                raise self.ctx.error(
                    f"longer than {limit:,} characters", location=where, field=words
                )
            pattern = _TEXT_CONTROLS if kind == "free" else _CONTROLS
            if pattern.search(value) is None:
                continue  # printable after all (a no-break space, say)
            changes[attr] = " ".join(pattern.sub(" ", value).split(" ")).strip()
            self.warn(_CLEANED, where, words)
        return dataclasses.replace(record, **changes) if changes else record

    def moment(self, value: datetime | None, where: str | None, field: str) -> None:
        if value is None or FIRST_YEAR < value.year < LAST_YEAR:
            return  # an offset (under a day) cannot move it out of the range
        try:
            year = value.astimezone(UTC).year
        except (OverflowError, ValueError):
            year = 0
        if not FIRST_YEAR <= value.year <= LAST_YEAR or not FIRST_YEAR <= year <= LAST_YEAR:
            raise self.ctx.error(_TIME_RANGE, location=where, field=field)

    def birth(self, value: date | None, where: str | None) -> date | None:
        if value is None:
            return None
        if value > self.latest_birth:
            self.warn("a date of birth in the future; left out", where, "date of birth")
            return None
        if value.year < FIRST_YEAR:
            self.warn(f"a date of birth before {FIRST_YEAR}; left out", where, "date of birth")
            return None
        return value

    def appointment(self, record: AppointmentRecord) -> AppointmentRecord:
        where = _where(record.location_in_file)
        self.moment(record.start, where, "start")
        self.moment(record.end, where, "end")
        out = self.text(record, _APPOINTMENT_SPECS, where)
        patient = self.text(record.patient, _PATIENT_SPECS, where)
        birth = self.birth(patient.birth_date, where)
        if birth is not patient.birth_date:
            patient = dataclasses.replace(patient, birth_date=birth)
        coverage = record.coverage
        if coverage is not None:
            coverage = self.text(coverage, _COVERAGE_SPECS, where)
        if patient is not record.patient or coverage is not record.coverage:
            out = dataclasses.replace(out, patient=patient, coverage=coverage)
        return out

    def callback(self, record: CallbackRecord) -> CallbackRecord:
        where = _where(record.location_in_file)
        self.moment(record.window_start, where, "requested window")
        self.moment(record.window_end, where, "requested window")
        return self.text(record, _CALLBACK_SPECS, where)


def _where(location_in_file: str) -> str | None:
    # A file holding one Appointment calls it "resource": its messages name no place.
    return None if location_in_file == "resource" else location_in_file


def screen(batch: ImportBatch, ctx: ReadContext) -> ImportBatch:
    """The batch with the rules of this module applied.

    Raises:
        IngestError: A text over its length limit, a time outside the supported years.
    """
    check = _Screen(ctx)
    appointments = tuple(check.appointment(r) for r in batch.appointments)
    callbacks = tuple(check.callback(r) for r in batch.callbacks)
    before = batch.appointments + batch.callbacks
    unchanged = all(a is b for a, b in zip(appointments + callbacks, before, strict=True))
    if unchanged and not check.warnings:
        return batch
    return dataclasses.replace(
        batch,
        appointments=appointments,
        callbacks=callbacks,
        warnings=_merged(batch.warnings, check.warnings, ctx.file_name),
    )


def _merged(
    kept: tuple[IngestWarning, ...], new: list[IngestWarning], file_name: str
) -> tuple[IngestWarning, ...]:
    """Both lists of warnings, at most :data:`MAX_WARNINGS` and a closing count."""
    everything = [*kept, *new]
    if len(everything) <= MAX_WARNINGS:
        return tuple(everything)
    more = len(everything) - MAX_WARNINGS
    return (*everything[:MAX_WARNINGS], IngestWarning(file_name, f"… and {more:,} more warnings"))
