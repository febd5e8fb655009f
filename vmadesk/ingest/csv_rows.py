"""The rows of a CSV export: parsed strictly, and checked for cells in the wrong columns.

Row shape: blank lines are skipped. A row with more non-blank cells than the header has
columns is refused (an unquoted comma shifts every later cell). A row with fewer cells is
refused when it lacks a column the import needs; lacking only optional ones, it reads them
as empty, with a warning (see :mod:`vmadesk.ingest.csv_reader`). A quote left open to the
end of the file is refused: the csv module would otherwise keep every later line inside
that cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_mapping import column_label, sniff_delimiter
from vmadesk.ingest.errors import WarningLog

_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class Rows:
    """The parsed rows of one file with the column lookups of one mapping."""

    def __init__(self, text: str, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.rows: list[tuple[int, list[str]]] = []
        self.delimiter = sniff_delimiter(text)
        # strict: an unterminated quote (or text after a closing one) is an error, not a
        # cell that swallows the rest of the file.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, strict=True)
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
                "malformed CSV (a quote that is not closed, text after a closing quote, "
                "or a cell too long)",
                location=f"row {row_no + 1}",
            ) from None
        if not self.headers:
            raise ctx.error("the file is empty")
        #: Columns up to the last named one: "A,B,C," has three.
        self.width = used_cells(self.headers)

    def _check(self, cells: list[str], row_no: int) -> None:
        if row_no > self.ctx.max_rows + 1:
            raise self.ctx.error(f"the file has more than {self.ctx.max_rows:,} rows")
        for col, cell in enumerate(cells):
            if len(cell) > self.ctx.max_field_chars:
                raise self.ctx.error(
                    f"a cell is longer than {self.ctx.max_field_chars:,} characters",
                    location=f"row {row_no}",
                    field=column_label(col),
                )


def used_cells(cells: Sequence[str]) -> int:
    """How many cells there are up to the last non-blank one."""
    return next((n for n in range(len(cells), 0, -1) if cells[n - 1].strip()), 0)


def plural(n: int, word: str) -> str:
    """``"1 row"``, ``"2 rows"``."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def check_shapes(
    parsed: Rows, required: list[tuple[int, str]], ctx: ReadContext, warnings: WarningLog
) -> None:
    """Refuse rows whose cells would land in the wrong columns (rule: module docstring)."""
    width, columns = parsed.width, plural(parsed.width, "column")
    short: list[int] = []
    for row_no, cells in parsed.rows:
        if (used := used_cells(cells)) > width:
            separator = _SEPARATOR_NAMES.get(parsed.delimiter, "separator")
            raise ctx.error(
                f"{plural(used, 'cell')}, but the header has {columns} "
                f"(a {separator} inside an unquoted value?)",
                location=f"row {row_no}",
            )
        if len(cells) < width and (lost := [n for col, n in required if col >= len(cells)]):
            raise ctx.error(
                f"{plural(len(cells), 'cell')}, but the header has {columns} and this one "
                "is missing (a lost separator, or a line break inside an unquoted value?)",
                location=f"row {row_no}",
                field=lost[0],
            )
        if len(cells) < width:
            short.append(row_no)
    if short:
        warnings.add(
            f"{plural(len(short), 'row')} from here on had fewer cells than the header's "
            f"{columns}; their last cells were read as empty (check for a lost separator)",
            location=f"row {short[0]}",
        )
