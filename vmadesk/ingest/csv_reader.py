"""CSV exports: appointment reports and callback lists.

Row numbers are as a spreadsheet shows them: the header is row 1, the first data row is
row 2. Errors name the row and the column header, never the cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import TypeVar

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_mapping import CsvMapping, normalise_header, partial_mapping
from vmadesk.ingest.dates import combine, parse_date, parse_datetime, parse_time
from vmadesk.ingest.errors import IngestError, WarningLog
from vmadesk.ingest.names import split_name
from vmadesk.ingest.phones import to_e164
from vmadesk.ingest.records import (
    AppointmentRecord,
    AppointmentStatus,
    CallbackRecord,
    CoverageRecord,
    ImportBatch,
    PatientRecord,
)

T = TypeVar("T")
_DELIMITERS = (",", ";", "\t")
_STATUSES = {
    "scheduled": AppointmentStatus.BOOKED,
    "confirmed": AppointmentStatus.BOOKED,
    "booked": AppointmentStatus.BOOKED,
    "pending": AppointmentStatus.PENDING,
    "proposed": AppointmentStatus.PROPOSED,
    "arrived": AppointmentStatus.ARRIVED,
    "checkedin": AppointmentStatus.CHECKED_IN,
    "completed": AppointmentStatus.FULFILLED,
    "fulfilled": AppointmentStatus.FULFILLED,
    "checkedout": AppointmentStatus.FULFILLED,
    "cancelled": AppointmentStatus.CANCELLED,
    "canceled": AppointmentStatus.CANCELLED,
    "noshow": AppointmentStatus.NOSHOW,
    "waitlist": AppointmentStatus.WAITLIST,
    "enteredinerror": AppointmentStatus.ENTERED_IN_ERROR,
}
_STATUS_HINT = "Scheduled, Confirmed, Booked, Checked In, Completed, Cancelled, No Show"
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
_WINDOW_SPLIT = re.compile(r"\s+(?:-|–|—|to)\s+", re.IGNORECASE)


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


def _key(*parts: str | None) -> str:
    """A stable key from row content, for rows the export gave no id (stays in the store)."""
    joined = "\x1f".join(p or "" for p in parts)
    return hashlib.blake2b(joined.encode(), digest_size=10).hexdigest()


class _Rows:
    """The parsed rows of one file with the column lookups of one mapping."""

    def __init__(self, text: str, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.rows: list[tuple[int, list[str]]] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        self.headers: list[str] = []
        row_no = 0
        try:
            for cells in reader:
                row_no += 1
                self._check(cells, row_no)
                if not self.headers:
                    if any(c.strip() for c in cells):
                        self.headers = [c.strip() for c in cells]
                    continue
                if any(c.strip() for c in cells):
                    self.rows.append((row_no, cells))
        except csv.Error:
            # The csv module's message may quote the line; say what it means instead.
            raise ctx.error(
                "malformed CSV (an unbalanced quote or a cell too long)",
                location=f"row {row_no + 1}",
            ) from None
        if not self.headers:
            raise ctx.error("the file is empty")

    def _check(self, cells: list[str], row_no: int) -> None:
        if row_no > self.ctx.max_rows + 1:
            raise self.ctx.error(f"the file has more than {self.ctx.max_rows:,} rows")
        for col, cell in enumerate(cells):
            if len(cell) > self.ctx.max_field_chars:
                field = self.headers[col] if col < len(self.headers) else None
                raise self.ctx.error(
                    f"a cell is longer than {self.ctx.max_field_chars:,} characters",
                    location=f"row {row_no}",
                    field=field,
                )


class _Row:
    """One data row seen through a mapping."""

    __slots__ = ("cells", "columns", "ctx", "warnings", "where")

    def __init__(
        self,
        cells: list[str],
        row_no: int,
        columns: dict[str, tuple[int, str]],
        ctx: ReadContext,
        warnings: WarningLog,
    ) -> None:
        self.cells = cells
        self.columns = columns
        self.ctx = ctx
        self.warnings = warnings
        self.where = f"row {row_no}"

    def get(self, field: str) -> str | None:
        """The stripped cell for ``field``, or None if the column is absent or blank."""
        spec = self.columns.get(field)
        if spec is None or spec[0] >= len(self.cells):
            return None
        return self.cells[spec[0]].strip() or None

    def require(self, field: str) -> str:
        value = self.get(field)
        if value is None:
            raise self.fail(field, "the cell is empty")
        return value

    def fail(self, field: str, reason: str) -> IngestError:
        return self.ctx.error(reason, location=self.where, field=self.header(field))

    def header(self, field: str) -> str:
        """The file's header for ``field`` (a header is not PHI), else the field's name."""
        return self.columns[field][1] if field in self.columns else field

    def warn(self, field: str, reason: str) -> None:
        """Note a warning about this row's ``field`` (named by header; never the cell)."""
        self.warnings.add(reason, location=self.where, field=self.header(field))

    def parsed(self, field: str, parse: Callable[[str], T]) -> T | None:
        """Parse the cell (None if blank); a parser's ValueError names this row and column."""
        text = self.get(field)
        if text is None:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            raise self.fail(field, str(exc)) from None

    def parsed_required(self, field: str, parse: Callable[[str], T]) -> T:
        """Like :meth:`parsed`, but a blank cell is an error."""
        self.require(field)
        value = self.parsed(field, parse)
        assert value is not None  # require() guaranteed a cell to parse
        return value


def _resolve_columns(
    mapping: CsvMapping, headers: list[str], ctx: ReadContext
) -> dict[str, tuple[int, str]]:
    by_norm: dict[str, int] = {}
    for col, header in enumerate(headers):
        by_norm.setdefault(normalise_header(header), col)
    columns: dict[str, tuple[int, str]] = {}
    for field, header in mapping.columns().items():
        col = by_norm.get(normalise_header(header))
        if col is None:
            # The header comes from the mapping, not from the file: safe to show.
            raise ctx.error(f"the mapping's column '{header}' is not in the file", field=field)
        columns[field] = (col, headers[col])
    return columns


def read_csv(text: str, ctx: ReadContext, mapping: CsvMapping | None = None) -> ImportBatch:
    """Read a CSV export into an :class:`ImportBatch`.

    Args:
        text: The decoded file.
        ctx: Read options; ``ctx.practice_tz`` is the zone of times written without one.
        mapping: Column mapping; None to recognise the headers.

    Raises:
        IngestError: Unrecognised headers, a bad cell, too many rows, ...
        IngestCancelled: The caller cancelled.
    """
    parsed = _Rows(text, ctx)
    if mapping is None:
        mapping = partial_mapping(parsed.headers)
        if gaps := mapping.missing():
            # Never echo the file's headers: a file without a header row has PHI there.
            raise ctx.error("missing required column: " + "; ".join(gaps), location="row 1")
    elif gaps := mapping.missing():
        raise ctx.error("the column mapping is incomplete: " + "; ".join(gaps))
    columns = _resolve_columns(mapping, parsed.headers, ctx)
    source_system = ctx.source_system or f"csv:{header_digest(parsed.headers)}"
    zone = ctx.practice_tz
    if zone is None:
        raise ValueError("practice_tz is required for CSV")

    warnings = WarningLog(ctx.file_name)
    if mapping.kind == "appointments":
        _missing_columns(columns, warnings)
    appointments: list[AppointmentRecord] = []
    callbacks: list[CallbackRecord] = []
    seen: dict[str, str] = {}
    total = len(parsed.rows)
    for n, (row_no, cells) in enumerate(parsed.rows, start=1):
        row = _Row(cells, row_no, columns, ctx, warnings)
        if mapping.kind == "appointments":
            record: AppointmentRecord | CallbackRecord = _appointment(row, source_system, zone)
            id_field = "appointment_id"
        else:
            record = _callback(row, source_system, zone)
            id_field = "callback_id"
        if record.source_id in seen:
            raise row.fail(id_field, f"the same id is already on {seen[record.source_id]}")
        seen[record.source_id] = row.where
        if isinstance(record, AppointmentRecord):
            appointments.append(record)
        else:
            callbacks.append(record)
        ctx.tick(n, total)
    ctx.tick(total, total)
    return ImportBatch(
        source_system=source_system,
        kind=mapping.kind,
        appointments=tuple(appointments),
        callbacks=tuple(callbacks),
        file_name=ctx.file_name,
        full_export=True,
        warnings=warnings.result(),
    )


def _missing_columns(columns: dict[str, tuple[int, str]], warnings: WarningLog) -> None:
    """One warning per optional column group the file lacks (names headers, not cells)."""
    for fields, what, headers, effect in _OPTIONAL_COLUMNS:
        if not any(f in columns for f in fields):
            warnings.add(f"no {what} column ({headers}): {effect}")


def _name(row: _Row) -> tuple[str, str]:
    if "patient_name" in row.columns:
        family, given = split_name(row.require("patient_name"))
        if not family:
            raise row.fail("patient_name", "no family name")
        return family, given
    return row.require("last_name"), row.get("first_name") or ""


def _phone(row: _Row) -> tuple[str | None, str | None]:
    """The first non-blank phone cell (raw) and its E.164 form; warns when it is no number."""
    for field in ("phone_mobile", "phone_home", "phone"):
        raw = row.get(field)
        if raw is None:
            continue
        e164 = to_e164(raw, row.ctx.region)
        if e164 is None:
            row.warn(field, "not a phone number; the item has no number to call")
        return raw, e164
    return None, None


def _start(row: _Row, zone: tzinfo) -> datetime:
    if "start" in row.columns:
        return row.parsed_required("start", lambda t: parse_datetime(t, zone))
    if "time" not in row.columns:
        # No time column: the date cells must carry the time ("03/08/2026 2:30 PM").
        return row.parsed_required("date", lambda t: parse_datetime(t, zone))
    day = row.parsed_required("date", parse_date)
    return combine(day, row.parsed_required("time", parse_time), zone)


def _later(row: _Row, field: str, anchor: datetime, zone: tzinfo) -> datetime | None:
    """A datetime cell, or a bare time on the anchor's day (an end time, a window's end)."""
    text = row.get(field)
    if text is None:
        return None
    try:
        return parse_datetime(text, zone)
    except ValueError:
        pass
    clock = row.parsed_required(field, parse_time)
    return combine(anchor.date(), clock, anchor.tzinfo or zone)


def _appointment(row: _Row, source_system: str, zone: tzinfo) -> AppointmentRecord:
    source_id = row.require("appointment_id")
    start = _start(row, zone)
    end = _later(row, "end", start, zone)
    status_text = row.get("status")
    status = AppointmentStatus.BOOKED
    if status_text is not None:
        found = _STATUSES.get(normalise_header(status_text))
        if found is None:
            raise row.fail(
                "status", f"not a recognised appointment status (expected {_STATUS_HINT})"
            )
        status = found
    family, given = _name(row)
    birth = row.parsed("birth_date", lambda t: parse_date(t, birth=True))
    phone_raw, phone_e164 = _phone(row)
    patient = PatientRecord(
        source_id=row.get("patient_id") or "csv-" + _key(family, given, str(birth)),
        family=family,
        given=given,
        birth_date=birth,
        phone_e164=phone_e164,
        phone_raw=phone_raw,
    )
    payer, member, plan = row.get("insurance"), row.get("member_id"), row.get("plan")
    coverage = (
        CoverageRecord(source_id=None, payer=payer, member_id=member, plan=plan, status=None)
        if payer or member or plan
        else None
    )
    return AppointmentRecord(
        source_system=source_system,
        source_id=source_id,
        status=status,
        start=start,
        end=end,
        patient=patient,
        provider=row.get("provider"),
        appointment_type=row.get("appointment_type"),
        location=row.get("location"),
        coverage=coverage,
        location_in_file=row.where,
    )


def _window(row: _Row, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    if "window" in row.columns and (text := row.get("window")) is not None:
        parts = _WINDOW_SPLIT.split(text, maxsplit=1)
        try:
            start = parse_datetime(parts[0], zone)
            if len(parts) == 1:
                return start, None
            try:
                end = parse_datetime(parts[1], zone)
            except ValueError:
                end = combine(start.date(), parse_time(parts[1]), start.tzinfo or zone)
        except ValueError as exc:
            raise row.fail("window", str(exc)) from None
        return start, end
    start = row.parsed("window_start", lambda t: parse_datetime(t, zone))
    if start is not None:
        return start, _later(row, "window_end", start, zone)
    return None, row.parsed("window_end", lambda t: parse_datetime(t, zone))


def _callback(row: _Row, source_system: str, zone: tzinfo) -> CallbackRecord:
    family, given = _name(row)
    phone_raw, phone_e164 = _phone(row)
    reason = row.get("reason") or ""
    window_start, window_end = _window(row, zone)
    source_id = row.get("callback_id") or "cb-" + _key(
        family, given, phone_raw, reason, str(window_start), str(window_end)
    )
    return CallbackRecord(
        source_system=source_system,
        source_id=source_id,
        name_family=family,
        name_given=given,
        phone_e164=phone_e164,
        phone_raw=phone_raw,
        reason=reason,
        window_start=window_start,
        window_end=window_end,
        location_in_file=row.where,
    )
