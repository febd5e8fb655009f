"""Which CSV column holds which field: the built-in header names, and saved mappings.

A mapping holds column names only, never a cell, so it may be saved in settings and shown
in errors. Headers match case-, space- and punctuation-insensitively (``"Appt. Date"`` is
``"appt date"`` is ``"APPTDATE"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vmadesk.ingest.errors import IngestError

Kind = Literal["appointments", "callbacks"]
_Column = Field(default=None, min_length=1, max_length=200)

# Field → the headers we recognise, most specific first. The first spelling of each is
# what error messages suggest.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "appointment_id": (
        "Appt ID",
        "Appointment ID",
        "Visit ID",
        "Encounter ID",
        "Appt No",
        "Appt Number",
        "Appointment Number",
    ),
    "start": ("Start", "Appt Start", "Appointment Start", "Date Time", "Start Date Time"),
    "date": ("Appt Date", "Appointment Date", "Visit Date", "Service Date", "Date"),
    "time": ("Appt Time", "Appointment Time", "Visit Time", "Start Time", "Time"),
    "end": ("End", "Appt End", "Appointment End", "End Time", "End Date Time"),
    "patient_name": ("Patient Name", "Patient", "Name", "Full Name", "Patient Full Name"),
    "first_name": ("First Name", "Patient First Name", "First", "Given Name", "FName"),
    "last_name": ("Last Name", "Patient Last Name", "Last", "Family Name", "Surname", "LName"),
    "patient_id": ("MRN", "Patient ID", "Account Number", "Account #", "Chart Number", "Chart #"),
    "birth_date": ("DOB", "Date of Birth", "Birth Date", "Patient DOB", "Birthdate"),
    "phone_mobile": ("Cell", "Mobile", "Cell Phone", "Mobile Phone", "Cell Number"),
    "phone_home": ("Home", "Home Phone", "Home Number"),
    "phone": (
        "Phone",
        "Phone Number",
        "Telephone",
        "Patient Phone",
        "Primary Phone",
        "Callback Number",
        "Call Back Number",
        "Contact Number",
    ),
    "provider": ("Provider", "Doctor", "Resource", "Provider Name", "Physician"),
    "appointment_type": ("Appt Type", "Visit Type", "Type", "Appointment Type"),
    "location": ("Location", "Facility", "Department", "Office", "Clinic"),
    "insurance": ("Insurance", "Payer", "Primary Insurance", "Insurance Name", "Payor", "Carrier"),
    "member_id": (
        "Member ID",
        "Subscriber ID",
        "Policy #",
        "Policy Number",
        "Policy No",
        "Policy",
        "Member Number",
        "Insurance ID",
    ),
    "plan": ("Plan", "Insurance Plan", "Plan Name"),
    "status": ("Status", "Appt Status", "Appointment Status"),
    "callback_id": ("Callback ID", "Request ID", "Message ID", "Ticket ID"),
    "reason": ("Reason", "Callback Reason", "Reason for Call", "Message", "Request"),
    "window": ("Requested Window", "Window", "Callback Window", "Best Time to Call"),
    "window_start": ("Window Start", "Call After", "Requested Start", "Callback After"),
    "window_end": ("Window End", "Call Before", "Requested End", "Callback Before"),
}

# Fields that only make sense for one kind; detection picks the kind from them.
_APPOINTMENT_ONLY = ("appointment_id", "start", "date", "time", "end", "provider", "status")
_CALLBACK_ONLY = ("callback_id", "reason", "window", "window_start", "window_end")


def normalise_header(header: str) -> str:
    """Fold a header for matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


_NORMALISED = {
    field: tuple(normalise_header(h) for h in names) for field, names in SYNONYMS.items()
}


class CsvMapping(BaseModel):
    """Field → column header, for one kind of CSV export.

    Unset fields are absent from the file. Appointments need ``appointment_id``, either
    ``start`` or ``date`` (with ``time``, or dates that carry a time), and either
    ``patient_name`` or ``last_name``; callbacks need a name, ``phone`` (or
    ``phone_mobile``/``phone_home``) and ``reason``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Kind = "appointments"
    appointment_id: str | None = _Column
    start: str | None = _Column
    date: str | None = _Column
    time: str | None = _Column
    end: str | None = _Column
    patient_name: str | None = _Column
    first_name: str | None = _Column
    last_name: str | None = _Column
    patient_id: str | None = _Column
    birth_date: str | None = _Column
    phone_mobile: str | None = _Column
    phone_home: str | None = _Column
    phone: str | None = _Column
    provider: str | None = _Column
    appointment_type: str | None = _Column
    location: str | None = _Column
    insurance: str | None = _Column
    member_id: str | None = _Column
    plan: str | None = _Column
    status: str | None = _Column
    callback_id: str | None = _Column
    reason: str | None = _Column
    window: str | None = _Column
    window_start: str | None = _Column
    window_end: str | None = _Column

    def columns(self) -> dict[str, str]:
        """The set fields, field → header."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"kind"}).items()
            if value is not None
        }

    def missing(self) -> list[str]:
        """What this mapping lacks for its kind, each as "what (expected one of: …)"."""
        gaps: list[tuple[str, tuple[str, ...]]] = []
        if self.kind == "appointments":
            if not self.appointment_id:
                gaps.append(("appointment id", ("appointment_id",)))
            if not (self.start or self.date):
                gaps.append(("appointment date", ("date", "start")))
        if not (self.patient_name or self.last_name):
            gaps.append(("patient name", ("patient_name", "last_name")))
        if self.kind == "callbacks":
            if not (self.phone or self.phone_mobile or self.phone_home):
                gaps.append(("phone", ("phone", "phone_mobile", "phone_home")))
            if not self.reason:
                gaps.append(("reason", ("reason",)))
        return [
            f"{what} (expected a column named one of: "
            f"{', '.join(h for f in fields for h in SYNONYMS[f][:4])})"
            for what, fields in gaps
        ]

    def to_json(self) -> str:
        """Serialise for settings (column names only; no PHI)."""
        return self.model_dump_json(exclude_none=True, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> CsvMapping:
        """Parse what :meth:`to_json` wrote.

        Raises:
            pydantic.ValidationError: Not a mapping.
        """
        return cls.model_validate_json(text)


def load_mapping(path: Path) -> CsvMapping:
    """Load a mapping saved with :meth:`CsvMapping.to_json`.

    Raises:
        IngestError: The file cannot be read or is not a mapping (names the file only).
    """
    try:
        return CsvMapping.from_json(Path(path).read_bytes())
    except OSError as exc:
        raise IngestError(Path(path).name, f"cannot read the mapping ({exc.strerror})") from None
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise IngestError(Path(path).name, "not a valid column mapping", field=field) from None


def match_headers(headers: Sequence[str]) -> dict[str, str]:
    """Every field whose synonyms appear among ``headers``: field → header as written."""
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(normalise_header(header), header)
    found: dict[str, str] = {}
    used: set[str] = set()
    for field, names in _NORMALISED.items():
        for name in names:
            if name in by_norm and name not in used:
                found[field] = by_norm[name]
                used.add(name)
                break
    return found


def guess_kind(fields: Iterable[str]) -> Kind:
    """Callbacks when the headers speak of reasons or windows and not of appointments."""
    present = set(fields)
    if present.intersection(_CALLBACK_ONLY) and not present.intersection(_APPOINTMENT_ONLY):
        return "callbacks"
    return "appointments"


def detect_mapping(headers: Sequence[str]) -> CsvMapping | None:
    """Build a mapping from recognised headers, for the reader and for the GUI to prefill.

    Args:
        headers: The CSV's header row.

    Returns:
        A complete mapping, or None when a required column is not recognised.
    """
    found = match_headers(headers)
    mapping = CsvMapping(kind=guess_kind(found), **_for_kind(found, guess_kind(found)))
    return None if mapping.missing() else mapping


def partial_mapping(headers: Sequence[str]) -> CsvMapping:
    """Like :func:`detect_mapping` but returns what it found even when incomplete."""
    found = match_headers(headers)
    return CsvMapping(kind=guess_kind(found), **_for_kind(found, guess_kind(found)))


def _for_kind(found: dict[str, str], kind: Kind) -> dict[str, str]:
    unwanted = _APPOINTMENT_ONLY if kind == "callbacks" else _CALLBACK_ONLY
    return {f: h for f, h in found.items() if f not in unwanted}
