"""CSV column mappings for imports: the header row of a file, and mappings remembered per source.

A *source* is a CSV layout, named by a digest of its header row (``csv:<digest>``). A mapping a
VMA chose for a layout the built-in mapping does not recognise is kept in the encrypted
settings, so the next export of that layout imports without asking again. Mappings and headers
hold column names only, never PHI.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from vmadesk.ingest import DEFAULT_MAX_BYTES, CsvMapping
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.csv_mapping import detect_mapping
from vmadesk.ingest.csv_reader import header_digest, sniff_delimiter
from vmadesk.ingest.detect import decode_text, sniff_format
from vmadesk.ingest.files import read_regular
from vmadesk.store import settings_store
from vmadesk.store.connection import Connection

_MAPPING_KEY = "csv_mapping:"
#: How much of a file :func:`csv_headers` reads: the header row is near the top.
_HEAD_BYTES = 64 * 1024


def remembered_mapping(conn: Connection, source_system: str) -> CsvMapping | None:
    """The mapping last used for this CSV source (column names only), if any."""
    value = settings_store.get(conn, _MAPPING_KEY + source_system)
    if value is None:
        return None
    try:
        return CsvMapping.from_json(value)
    except ValueError:
        return None  # written by an older release: ask again rather than fail the import


def remember_mapping(conn: Connection, source_system: str, mapping: CsvMapping) -> None:
    """Keep a CSV mapping for this source in the encrypted settings (call in a transaction)."""
    settings_store.put(conn, _MAPPING_KEY + source_system, mapping.to_json())


@dataclass(frozen=True)
class CsvHeaders:
    """A CSV file's header row and what the built-in mapping makes of it."""

    headers: tuple[str, ...]
    source_system: str
    detected: CsvMapping | None


def csv_headers(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CsvHeaders | None:
    """The header row of a CSV file (None when the file is not CSV text).

    Headers are column names, not PHI; they are shown in the mapping dialog only.

    Args:
        path: The export.
        max_bytes: Larger files get None (the reader refuses them with a clear message).

    Returns:
        The headers, or None when the file is too large, not CSV, or has no header row.

    Raises:
        IngestError: The file cannot be read or is not text.
    """
    path = Path(path)
    ctx = ReadContext(file_name=path.name)
    # A regular file only: a FIFO or a device would block or never end (see read_regular).
    head, size = read_regular(path, _HEAD_BYTES)
    if size > max_bytes:
        return None
    # Cut at the last line end so a multi-byte character is not split.
    cut = max(head.rfind(b"\n"), 0) if len(head) == _HEAD_BYTES else len(head)
    text = decode_text(head[:cut] or head, ctx)
    if sniff_format(text) != "csv":
        return None
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        first = next((r for r in rows if any(c.strip() for c in r)), None)
    except csv.Error:
        return None
    if first is None:
        return None
    headers = tuple(c.strip() for c in first)
    return CsvHeaders(headers, f"csv:{header_digest(headers)}", detect_mapping(headers))
