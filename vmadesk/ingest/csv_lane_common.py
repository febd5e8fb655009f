"""What the prior-authorization and referral CSV readers share: headers, rows, patients.

Header recognition works as for appointment reports (:mod:`vmadesk.ingest.csv_mapping`):
case-, space- and punctuation-insensitive synonyms, first match wins; a caller may instead
give the columns (field → header) from a saved mapping. Rows are parsed by
:class:`~vmadesk.ingest.csv_rows.Rows` (same limits and shape checks). Messages name a row
and a column by position and field, never a cell or a header.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from vmadesk.ingest import dates
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_mapping import (
    MAPPING_HINT,
    SYNONYMS,
    column_label,
    header_digest,
    normalise_header,
)
from vmadesk.ingest.csv_rows import Rows, check_shapes
from vmadesk.ingest.errors import IngestError, WarningLog
from vmadesk.ingest.names import split_name
from vmadesk.ingest.phones import to_e164
from vmadesk.ingest.records import PatientRecord

T = TypeVar("T")

#: The patient's columns, as the appointment report names them.
PATIENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    name: SYNONYMS[name]
    for name in ("patient_name", "first_name", "last_name", "patient_id", "birth_date", "phone")
}


def match_columns(
    headers: Sequence[str], synonyms: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    """Every field whose synonyms appear among ``headers``: field → header as written."""
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(normalise_header(header), header)
    found: dict[str, str] = {}
    used: set[str] = set()
    for name, spellings in synonyms.items():
        for spelling in spellings:
            norm = normalise_header(spelling)
            if norm in by_norm and norm not in used:
                found[name] = by_norm[norm]
                used.add(norm)
                break
    return found


@dataclass
class LaneSheet:
    """A parsed CSV with its columns located; the rows are read with :class:`LaneRow`."""

    rows: Rows
    columns: dict[str, tuple[int, str]]
    source_system: str
    warnings: WarningLog


def open_sheet(
    text: str,
    ctx: ReadContext,
    synonyms: Mapping[str, tuple[str, ...]],
    required: Sequence[tuple[str, tuple[str, ...]]],
    columns: Mapping[str, str] | None = None,
) -> LaneSheet:
    """Parse ``text`` and find its columns.

    Args:
        text: The decoded file.
        ctx: Read options.
        synonyms: Field → recognised headers (first spelling is suggested in messages).
        required: ``(what, fields)``: one of ``fields`` must be present.
        columns: Field → header from a saved mapping; None to recognise the headers.

    Raises:
        IngestError: A required column missing (named by the suggested headers, never the
            file's), a mapped column not in the file, a row of the wrong shape.
        ValueError: ``ctx.practice_tz`` is not set (a caller's mistake, not the file's).
    """
    if ctx.practice_tz is None:
        raise ValueError("practice_tz is required for CSV")
    rows = Rows(text, ctx)
    found = dict(columns) if columns is not None else match_columns(rows.headers, synonyms)
    gaps = [
        f"{what} (expected a column named one of: "
        f"{', '.join(h for f in fields for h in synonyms[f][:3])})"
        for what, fields in required
        if not any(f in found for f in fields)
    ]
    if gaps:
        raise ctx.error("missing required column: " + "; ".join(gaps) + MAPPING_HINT,
                        location="row 1")  # fmt: skip
    by_norm: dict[str, list[int]] = {}
    for col, header in enumerate(rows.headers):
        by_norm.setdefault(normalise_header(header), []).append(col)
    located: dict[str, tuple[int, str]] = {}
    for name, header in found.items():
        cols = by_norm.get(normalise_header(header), [])
        if len(cols) != 1:
            reason = (f"the mapping's column for the {name.replace('_', ' ')} is not in the file"
                      if not cols else f"columns {cols[0] + 1} and {cols[1] + 1} have the same "
                      f"header; rename one")  # fmt: skip
            raise ctx.error(reason, location="row 1")
        located[name] = (cols[0], column_label(cols[0], name))
    warnings = WarningLog(ctx.file_name)
    needed = sorted(located[f] for _, fields in required for f in fields if f in located)
    check_shapes(rows, needed, ctx, warnings)
    source = ctx.source_system or f"csv:{header_digest(rows.headers)}"
    return LaneSheet(rows, located, source, warnings)


class LaneRow:
    """One data row seen through the located columns."""

    __slots__ = ("cells", "columns", "ctx", "sheet", "where")

    def __init__(self, cells: list[str], row_no: int, sheet: LaneSheet, ctx: ReadContext) -> None:
        self.cells = cells
        self.sheet = sheet
        self.columns = sheet.columns
        self.ctx = ctx
        self.where = f"row {row_no}"

    def get(self, name: str) -> str | None:
        """The stripped cell of ``name``, None if the column is absent or the cell blank."""
        spec = self.columns.get(name)
        if spec is None or spec[0] >= len(self.cells):
            return None
        return self.cells[spec[0]].strip() or None

    def fail(self, name: str, reason: str) -> IngestError:
        """A refusal naming this row and ``name``'s column."""
        label = self.columns[name][1] if name in self.columns else name.replace("_", " ")
        return self.ctx.error(reason, location=self.where, field=label)

    def warn(self, name: str, reason: str) -> None:
        """A warning naming this row and ``name``'s column."""
        label = self.columns[name][1] if name in self.columns else None
        self.sheet.warnings.add(reason, location=self.where, field=label)

    def require(self, name: str, what: str) -> str:
        """The cell of ``name``; an empty one is refused as missing ``what``."""
        value = self.get(name)
        if value is None:
            raise self.fail(name, f"the cell is empty (the {what} is needed)")
        return value

    def parsed(self, name: str, parse: Callable[[str], T]) -> T | None:
        """``parse(cell)``, None for a blank cell; a ValueError names this row and column."""
        text = self.get(name)
        if text is None:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            raise self.fail(name, str(exc)) from None

    def day(self, name: str) -> date | None:
        """A date cell."""
        return self.parsed(name, dates.parse_date)

    def instant(self, name: str) -> datetime | None:
        """A date-and-time cell (a bare date is midnight) in the practice's zone."""
        zone = self.ctx.practice_tz
        if zone is None:
            raise ValueError("practice_tz is required for CSV")

        def parse(text: str) -> datetime:
            try:
                return dates.parse_datetime(text, zone)
            except ValueError:
                return dates.combine(dates.parse_date(text), datetime.min.time(), zone)

        return self.parsed(name, parse)

    def whole(self, name: str) -> int | None:
        """A count cell: a whole number, not negative."""

        def parse(text: str) -> int:
            if not text.replace(",", "").isdigit():
                raise ValueError("not a whole number")
            return int(text.replace(",", ""))

        return self.parsed(name, parse)

    def patient(self) -> PatientRecord:
        """The row's patient (name required; id, birth date and phone when present)."""
        family, given = self._name()
        birth = self.parsed("birth_date", lambda t: dates.parse_date(t, birth=True))
        phone = self.get("phone")
        source_id = self.get("patient_id") or row_key(family, given, birth and birth.isoformat())
        e164 = to_e164(phone, self.ctx.region) if phone else None
        return PatientRecord(source_id, family, given, birth, e164, phone)

    def _name(self) -> tuple[str, str]:
        if (full := self.get("patient_name")) is not None:
            return split_name(full)
        family = self.get("last_name")
        if family is None:
            raise self.fail("last_name" if "last_name" in self.columns else "patient_name",
                            "the cell is empty (the patient's name is needed)")  # fmt: skip
        return family, self.get("first_name") or ""


def row_key(*parts: str | None) -> str:
    """A stable key from row content, for rows the export gave no id (kept in the store)."""
    joined = "\x1f".join(p or "" for p in parts)
    return hashlib.blake2b(joined.encode(), digest_size=10).hexdigest()
