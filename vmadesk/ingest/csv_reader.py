"""CSV exports: appointment reports and callback lists.

Row numbers are as a spreadsheet shows them: the header is row 1, the first data row is
row 2. Errors name the row and the column by its position and mapped field ("column 4
(patient name)"), never the cell and never the header (a header may be patient data).
A quote left open to the end of the file is refused (:mod:`vmadesk.ingest.csv_rows`).

Row shape: blank lines are skipped. A row with more non-blank cells than the header has
columns is refused (an unquoted comma shifts every later cell). A row with fewer cells is
refused when it lacks a column the import needs (id, date, start, time, name); lacking only
optional ones, it reads them as empty, because Excel drops the trailing separators of rows
whose last cells are empty, and the file gets a warning (a cell lost mid-row looks alike).

Callback identity: a callback without an id is keyed by the caller's phone (E.164, else its
digits), folded name and the day of the requested window, so editing the reason in the next
export updates the item. Without a window the folded reason stands in for the day: a later
request with another reason is new work, not the earlier (perhaps closed) item. Two requests
with one key in a file are told apart by order (the second gets ``-2``); an exact repeat (same
reason and window) is kept once.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import TypeVar

from vmadesk.ingest import dates
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.crash_guard import unexpected_error
from vmadesk.ingest.csv_mapping import (  # sniff_delimiter, header_digest: kept importable here
    MAPPING_HINT,
    CsvMapping,
    header_digest,
    locate_columns,
    optional_gaps,
    partial_mapping,
    read_status,
    required_cells,
    sniff_delimiter,
)
from vmadesk.ingest.csv_rows import Rows, check_shapes
from vmadesk.ingest.errors import IngestError, WarningLog
from vmadesk.ingest.names import fold, name_key, split_name
from vmadesk.ingest.phones import phone_key, to_e164
from vmadesk.ingest.records import (
    AppointmentRecord,
    AppointmentStatus,
    CallbackRecord,
    CoverageRecord,
    ImportBatch,
    PatientRecord,
)

__all__ = ["header_digest", "read_csv", "sniff_delimiter"]

T = TypeVar("T")


def _key(*parts: str | None) -> str:
    """A stable key from row content, for rows the export gave no id (stays in the store)."""
    joined = "\x1f".join(p or "" for p in parts)
    return hashlib.blake2b(joined.encode(), digest_size=10).hexdigest()


class _Row:
    """One data row seen through a mapping.

    ``fitted`` (shared by a file's rows) holds the fields a cell has parsed for: a field whose
    first value fails likely names the wrong column, so its error carries the mapping hint.
    """

    __slots__ = ("cells", "columns", "ctx", "current", "fitted", "warnings", "where")

    def __init__(
        self,
        cells: list[str],
        row_no: int,
        columns: dict[str, tuple[int, str]],
        ctx: ReadContext,
        warnings: WarningLog,
        fitted: set[str],
    ) -> None:
        self.cells = cells
        self.columns = columns
        self.ctx = ctx
        self.warnings = warnings
        self.fitted = fitted
        self.where = f"row {row_no}"
        #: The field last read: where an unforeseen failure is reported.
        self.current: str | None = None

    def get(self, field: str) -> str | None:
        """The stripped cell for ``field``, or None if the column is absent or blank."""
        self.current = field
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
        """How messages name ``field``'s column (position and field, never the header)."""
        return self.columns[field][1] if field in self.columns else field

    def warn(self, field: str, reason: str) -> None:
        """Note a warning about this row's ``field`` (named by column; never the cell)."""
        self.warnings.add(reason, location=self.where, field=self.header(field))

    def parsed(self, field: str, parse: Callable[[str], T]) -> T | None:
        """Parse the cell (None if blank); a parser's ValueError names this row and column."""
        text = self.get(field)
        if text is None:
            return None
        try:
            value = parse(text)
        except ValueError as exc:
            hint = "" if field in self.fitted else MAPPING_HINT
            raise self.fail(field, f"{exc}{hint}") from None
        self.fitted.add(field)
        return value

    def parsed_required(self, field: str, parse: Callable[[str], T]) -> T:
        """Like :meth:`parsed`, but a blank cell is an error."""
        self.require(field)
        value = self.parsed(field, parse)
        assert value is not None  # require() guaranteed a cell to parse
        return value


def read_csv(text: str, ctx: ReadContext, mapping: CsvMapping | None = None) -> ImportBatch:
    """Read a CSV export into an :class:`ImportBatch`.

    Args:
        text: The decoded file.
        ctx: Read options; ``ctx.practice_tz`` is the zone of times written without one.
        mapping: Column mapping; None to recognise the headers.

    Raises:
        IngestError: Unrecognised headers, a row of the wrong shape (see the module
            docstring), a bad cell, too many rows, ...
        IngestCancelled: The caller cancelled.
    """
    parsed = Rows(text, ctx)
    if mapping is None:
        mapping = partial_mapping(parsed.headers)
        if gaps := mapping.missing():
            # Never echo the file's headers: a file without a header row has PHI there.
            raise ctx.error(
                "missing required column: " + "; ".join(gaps) + MAPPING_HINT, location="row 1"
            )
    elif gaps := mapping.missing():
        raise ctx.error("the column mapping is incomplete: " + "; ".join(gaps))
    columns = locate_columns(mapping, parsed.headers, ctx.file_name)
    source_system = ctx.source_system or f"csv:{header_digest(parsed.headers)}"
    zone = ctx.practice_tz
    if zone is None:
        raise ValueError("practice_tz is required for CSV")

    warnings = WarningLog(ctx.file_name)
    for gap in optional_gaps(mapping):
        warnings.add(gap)
    required = sorted(columns[f] for f in required_cells(mapping.kind) if f in columns)
    check_shapes(parsed, required, ctx, warnings)
    keys = _Keys()
    fitted: set[str] = set()
    appointments: list[AppointmentRecord] = []
    callbacks: list[CallbackRecord] = []
    total = len(parsed.rows)
    for n, (row_no, cells) in enumerate(parsed.rows, start=1):
        row = _Row(cells, row_no, columns, ctx, warnings, fitted)
        try:
            if mapping.kind == "appointments":
                appointment = _appointment(row, source_system, zone)
                keys.claim(row, appointment.source_id, "appointment_id")
                appointments.append(appointment)
            elif (callback := keys.callback(row, _callback(row, source_system, zone))) is not None:
                callbacks.append(callback)
        except IngestError:
            raise
        except Exception as exc:  # a conversion nobody foresaw: still a refusal naming the place
            field = row.header(row.current) if row.current else None
            raise unexpected_error(ctx.file_name, exc, location=row.where, field=field) from None
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


class _Keys:
    """The ids one file has used; callbacks without an id get one from their identity."""

    def __init__(self) -> None:
        self.where: dict[str, str] = {}
        # identity key → (reason, window) of each request with it → its row
        self.requests: dict[str, dict[tuple[object, ...], str]] = {}

    def claim(self, row: _Row, source_id: str, id_field: str) -> None:
        """Note ``source_id`` as this row's; an id a row already holds is an error."""
        if source_id in self.where:
            raise row.fail(id_field, f"the same id is already on {self.where[source_id]}")
        self.where[source_id] = row.where

    def callback(self, row: _Row, record: CallbackRecord) -> CallbackRecord | None:
        """The record with its final id, or None for an exact repeat of an earlier row."""
        if row.get("callback_id") is not None:
            self.claim(row, record.source_id, "callback_id")
            return record
        requests = self.requests.setdefault(record.source_id, {})
        content = (record.reason, record.window_start, record.window_end)
        if content in requests:
            row.warn("reason", f"the same callback request as {requests[content]}; kept once")
            return None
        requests[content] = row.where
        if len(requests) > 1:
            record = dataclasses.replace(record, source_id=f"{record.source_id}-{len(requests)}")
        self.claim(row, record.source_id, "callback_id")
        return record


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


def _moment(
    row: _Row, field: str, zone: tzinfo, day: Callable[[], tuple[date, tzinfo]]
) -> datetime | None:
    """A cell holding a date and time, or only a time on ``day()`` (a date, its zone)."""
    text = row.get(field)
    if text is None:
        return None
    if dates.starts_with_date(text):
        return row.parsed(field, lambda t: dates.parse_datetime(t, zone))
    clock = row.parsed_required(field, dates.parse_time)
    on, its_zone = day()
    return dates.combine(on, clock, its_zone)


def _day(row: _Row, zone: tzinfo) -> tuple[date, tzinfo]:
    return row.parsed_required("date", dates.parse_date), zone


def _start(row: _Row, zone: tzinfo) -> datetime:
    if "start" in row.columns:
        row.require("start")
        if "date" not in row.columns:
            return row.parsed_required("start", lambda t: dates.parse_datetime(t, zone))
        # Beside an "Appt Date", "Start" may hold only the time ("2:30 PM").
        start = _moment(row, "start", zone, lambda: _day(row, zone))
        assert start is not None  # require() guaranteed a cell
        return start
    if "time" not in row.columns:
        # No time column: the date cells must carry the time ("03/08/2026 2:30 PM").
        return row.parsed_required("date", lambda t: dates.parse_datetime(t, zone))
    day = row.parsed_required("date", dates.parse_date)
    return dates.combine(day, row.parsed_required("time", dates.parse_time), zone)


def _later(row: _Row, field: str, anchor: datetime, zone: tzinfo) -> datetime | None:
    """A datetime cell, or a bare time on the anchor's day (an end time, a window's end)."""
    return _moment(row, field, zone, lambda: (anchor.date(), anchor.tzinfo or zone))


def _appointment(row: _Row, source_system: str, zone: tzinfo) -> AppointmentRecord:
    source_id = row.require("appointment_id")
    start = _start(row, zone)
    end = _later(row, "end", start, zone)
    if end is not None and end < start:
        raise row.fail("end", "the end is before the start")
    status, confirmed = row.parsed("status", read_status) or (AppointmentStatus.BOOKED, False)
    family, given = _name(row)
    birth = row.parsed("birth_date", lambda t: dates.parse_date(t, birth=True))
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
        confirmed_by_source=confirmed,
    )


def _window(row: _Row, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    if row.get("window") is not None:
        return row.parsed_required("window", lambda t: dates.parse_range(t, zone))
    start = row.parsed("window_start", lambda t: dates.parse_datetime(t, zone))
    if start is None:
        return None, row.parsed("window_end", lambda t: dates.parse_datetime(t, zone))
    end = _later(row, "window_end", start, zone)
    if end is not None and end <= start:
        raise row.fail("window_end", "the window's end is not after its start")
    return start, end


def _callback(row: _Row, source_system: str, zone: tzinfo) -> CallbackRecord:
    """One callback request; without an id it is keyed by who and which day (module doc)."""
    family, given = _name(row)
    phone_raw, phone_e164 = _phone(row)
    window_start, window_end = _window(row, zone)
    anchor = window_start or window_end
    reason = row.get("reason") or ""
    # Without a window the request has no day: the reason tells a new request from an old,
    # closed one (else the new one would match it and be skipped, and the call never made).
    when = anchor.date().isoformat() if anchor is not None else "reason:" + fold(reason)
    source_id = row.get("callback_id") or "cb-" + _key(
        phone_key(phone_e164, phone_raw), name_key(family, given), when
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
