"""What CSV exports call things: header names, saved mappings, separators, status words.

A mapping holds column names only, never a cell, so it may be saved in settings and shown
in errors. Headers match case-, space- and punctuation-insensitively (``"Appt. Date"`` is
``"appt date"`` is ``"APPTDATE"``). Status cells are read by :func:`read_status`.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.records import AppointmentStatus

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

#: What to do when the headers or a column's values are not what we expect.
MAPPING_HINT = " — map the columns with --mapping FILE (CLI) or Map columns… (import dialog)"
# The fields a row cannot lack: a short row without them is refused, not read as blank.
_REQUIRED_CELLS: dict[Kind, tuple[str, ...]] = {
    "appointments": ("appointment_id", "start", "date", "time", "patient_name", "last_name"),
    "callbacks": ("patient_name", "last_name"),
}
# Optional appointment columns whose absence leaves every item with a gap: the fields
# any of which fills it, the headers to suggest, and what the gap means.
_OPTIONAL_COLUMNS = (
    (("phone_mobile", "phone_home", "phone"), "phone", "Cell/Home/Phone",
     "items have no number to call"),
    (("birth_date",), "date of birth", "DOB/Date of Birth",
     "items have no date of birth for eligibility checks"),
    (("insurance", "member_id"), "insurance", "Insurance/Member ID",
     "items have no payer or member id for eligibility checks"),
)  # fmt: skip

_DELIMITERS = (",", ";", "\t")
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
    ``start`` or ``date`` (with ``time``, or dates that carry a time; beside ``date``,
    ``start`` and ``end`` may hold only a time), and either ``patient_name`` or
    ``last_name``; callbacks need a name, ``phone`` (or ``phone_mobile``/``phone_home``) and
    ``reason``. A callback ``window`` cell may hold a range (see ``dates.parse_range``).
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
        # Only a field the product knows: an unknown key may be a header copied from the file.
        known = [str(p) for p in first["loc"] if p in CsvMapping.model_fields]
        field = known[0] if known and first["type"] != "extra_forbidden" else None
        raise IngestError(Path(path).name, "not a valid column mapping", field=field) from None


def sniff_delimiter(text: str) -> str:
    """Pick comma, semicolon or tab: whichever splits the header line into most cells."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_cells = ",", 1
    for delimiter in _DELIMITERS:
        try:
            cells = len(next(csv.reader([first], delimiter=delimiter), []))
        except csv.Error:
            continue
        if cells > best_cells:
            best, best_cells = delimiter, cells
    return best


def header_digest(headers: Sequence[str]) -> str:
    """A fixed short digest of the header names (names only; a header is not PHI)."""
    joined = "\n".join(sorted(normalise_header(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def required_cells(kind: Kind) -> tuple[str, ...]:
    """The fields whose cell a row of ``kind`` cannot lack (when the mapping has them)."""
    return _REQUIRED_CELLS[kind]


def optional_gaps(mapping: CsvMapping) -> list[str]:
    """One warning text per optional column group an appointment mapping lacks."""
    if mapping.kind != "appointments":
        return []
    present = mapping.columns()
    return [
        f"no {what} column ({headers}): {effect}"
        for fields, what, headers, effect in _OPTIONAL_COLUMNS
        if not any(f in present for f in fields)
    ]


#: How messages name a field's column, beside its position (never the file's header).
_FIELD_WORDS = {
    "appointment_id": "appointment id",
    "birth_date": "date of birth",
    "phone_mobile": "mobile phone",
    "phone_home": "home phone",
    "appointment_type": "appointment type",
    "member_id": "member id",
    "callback_id": "callback id",
    "window": "requested window",
}


def field_words(field: str) -> str:
    """A mapped field in words: ``"birth_date"`` → ``"date of birth"``."""
    return _FIELD_WORDS.get(field, field.replace("_", " "))


def column_label(col: int, field: str | None = None) -> str:
    """How messages name a column: ``"column 4 (patient name)"``, 1-based as a spreadsheet."""
    return f"column {col + 1} ({field_words(field)})" if field else f"column {col + 1}"


def locate_columns(
    mapping: CsvMapping, headers: Sequence[str], file_name: str
) -> dict[str, tuple[int, str]]:
    """Where each mapped field is: field → (column index, how messages name the column).

    A header may be patient data (a report exported without its header row has a patient
    in row 1), so the column is named by its position and the field, never by its header.

    Raises:
        IngestError: A column the mapping names is not among ``headers``, or is there twice.
    """
    by_norm: dict[str, list[int]] = {}
    for col, header in enumerate(headers):
        by_norm.setdefault(normalise_header(header), []).append(col)
    columns: dict[str, tuple[int, str]] = {}
    for field, header in mapping.columns().items():
        cols = by_norm.get(normalise_header(header))
        if cols is None:
            reason = f"the mapping's column for the {field_words(field)} is not in the file"
            raise IngestError(file_name, reason, location="row 1")
        if len(cols) > 1:
            # Which of the two holds the data is a guess: refuse rather than pick one.
            raise IngestError(
                file_name,
                f"columns {cols[0] + 1} and {cols[1] + 1} have the same header; "
                f"rename one (both could be the {field_words(field)})",
                location="row 1",
            )
        columns[field] = (cols[0], column_label(cols[0], field))
    return columns


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


# Status cells are folded to lower-case words of letters ("Canceled - Provider" →
# "canceled provider"); the first rule that matches decides. Negative outcomes come first
# because their phrases contain the words of positive ones ("did not arrive", "left
# without being seen").
_S = AppointmentStatus
_OUTCOME_RULES = (
    (r"\bentered ?in ?error\b|\berror\b|\bdelet|\bvoid", _S.ENTERED_IN_ERROR),
    (
        r"\bno ?show|\bdid ?n ?o? ?t ?(?:arrive|show|attend|come)|\bdna\b"
        r"|\bleft ?without ?being ?seen\b|\blwbs\b|\bmissed\b",
        _S.NOSHOW,
    ),
    (r"cancel|\bresched|\bbump", _S.CANCELLED),
)
_PROGRESS_RULES = (
    (r"\bchecked ?out\b|\bcheck ?out\b|\bcomplete|\bfulfil|\bseen\b|\bdone\b", _S.FULFILLED),
    (r"\barrived?\b", _S.ARRIVED),
    (r"\bchecked ?in\b|\bcheck ?in\b|\bin ?room\b|\broomed\b|\bin ?exam\b", _S.CHECKED_IN),
)
_BOOKING_RULES = (
    (r"\bwait ?list", _S.WAITLIST),
    (r"\bpending\b", _S.PENDING),
    (r"\bproposed\b|\btentative\b", _S.PROPOSED),
    (r"\bsched|\bbooked\b|\bbook\b", _S.BOOKED),
)
# Words that turn "seen" or "arrived" into its opposite: such a status is refused.
_NEGATIONS = frozenset(("not", "no", "non", "never", "didnt", "didn", "unable", "cannot", "cant"))
# Words after which "confirmed" is no confirmation the patient gave ("left message to
# confirm", "confirmation pending", "un-confirmed").
_NOT_CONFIRMED = _NEGATIONS | frozenset((
    "un", "to", "need", "needs", "needed", "pending", "awaiting", "waiting", "sent", "request",
    "requested", "left", "lm", "message", "msg", "attempt", "attempted", "attempting", "required",
))  # fmt: skip
_CONFIRMED = frozenset(("confirmed", "ptconfirmed", "patientconfirmed"))
STATUS_HINT = (
    "Scheduled, Booked, Confirmed, Unconfirmed, Pending, Wait List, Arrived, Checked In, "
    "In Room, Seen, Completed, Checked Out, Cancelled, Rescheduled, Bumped, No Show, "
    "Did Not Arrive, DNA, Left Without Being Seen, Entered in Error, Deleted, Void"
)


def _compiled(
    rules: tuple[tuple[str, AppointmentStatus], ...],
) -> tuple[tuple[re.Pattern[str], AppointmentStatus], ...]:
    return tuple((re.compile(pattern), status) for pattern, status in rules)


_OUTCOMES, _PROGRESS, _BOOKING = map(_compiled, (_OUTCOME_RULES, _PROGRESS_RULES, _BOOKING_RULES))


def _first(
    rules: tuple[tuple[re.Pattern[str], AppointmentStatus], ...], words: str
) -> AppointmentStatus | None:
    return next((status for pattern, status in rules if pattern.search(words)), None)


# Exports repeat a handful of status words; the cache (process memory only) skips the regexes.
@lru_cache(maxsize=1024)
def read_status(text: str) -> tuple[AppointmentStatus, bool]:
    """Read an appointment status cell as practice-management systems write it.

    Cancelled, rescheduled and bumped slots are ``CANCELLED``; no-shows (``DNA``, ``did
    not arrive``, ``left without being seen``) ``NOSHOW``; deleted, void or erroneous
    rows ``ENTERED_IN_ERROR``; checked-out, completed or seen visits ``FULFILLED``;
    ``In Room`` and ``Checked In`` ``CHECKED_IN``. A confirmation (``Confirmed``,
    ``Pt confirmed``, ``Confirmed by patient``) is ``BOOKED`` and confirmed; one that is
    negated or still to come (``Unconfirmed``, ``Not confirmed``, ``Left message to
    confirm``) is ``BOOKED`` only.

    Args:
        text: The cell, non-blank.

    Returns:
        The status, and whether the export says the patient has confirmed.

    Raises:
        ValueError: Not a status we know, or a negated one (``Not seen``); the message lists
            the accepted words and never the cell.
    """
    tokens = re.findall(r"[a-z]+", text.casefold())
    words = " ".join(tokens)
    negated = not _NEGATIONS.isdisjoint(tokens)
    if (found := _first(_OUTCOMES, words)) is not None:
        return found, False
    if (found := _first(_PROGRESS, words)) is not None and not negated:
        return found, False
    if found is None and "confirm" in words:
        confirmed = not _CONFIRMED.isdisjoint(tokens) and _NOT_CONFIRMED.isdisjoint(tokens)
        return _S.BOOKED, confirmed
    if found is None and not negated and (found := _first(_BOOKING, words)) is not None:
        return found, False
    raise ValueError(f"not a recognised appointment status (expected one of: {STATUS_HINT})")
