"""Readers for what practices export (CSV reports, FHIR R4 JSON) → plain records.

A read is all or nothing: the whole file is parsed and validated before anything is
returned, and any problem raises one :class:`IngestError` that names the file, the place
and the field but never a value from the file. Only a regular file is opened (a FIFO or a
device is refused at once, :mod:`.files`); every record passes the same last checks
(:mod:`.screening`); and a failure nobody foresaw is still such a refusal, with a crash
report for the developers (:mod:`.crash_guard`), never a traceback.

Only stdlib, fhir.resources, phonenumbers, pydantic and ``vmadesk.domain`` are imported
here (and ``vmadesk.app_logging``, when a crash report is written); no Qt, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vmadesk.ingest import fhir_parallel
from vmadesk.ingest.context import MAX_FIELD_CHARS, MAX_ROWS, ReadContext
from vmadesk.ingest.crash_guard import unexpected_error
from vmadesk.ingest.csv_mapping import CsvMapping, detect_mapping, load_mapping
from vmadesk.ingest.csv_reader import read_csv
from vmadesk.ingest.detect import decode_text, refuse_structured, sniff_format
from vmadesk.ingest.errors import IngestCancelled, IngestError, IngestWarning
from vmadesk.ingest.files import display_name, read_regular, too_large
from vmadesk.ingest.records import (
    AppointmentRecord,
    AppointmentStatus,
    CallbackRecord,
    CoverageRecord,
    ImportBatch,
    PatientRecord,
)
from vmadesk.ingest.screening import screen

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_ROWS",
    "AppointmentRecord",
    "AppointmentStatus",
    "CallbackRecord",
    "CoverageRecord",
    "CsvMapping",
    "ImportBatch",
    "IngestCancelled",
    "IngestError",
    "IngestWarning",
    "PatientRecord",
    "detect_mapping",
    "load_mapping",
    "read_bytes",
    "read_file",
]

Format = Literal["auto", "fhir", "csv"]
XML_REASON = "an XML file; vmadesk reads FHIR exports as JSON, or CSV reports"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def _zone(practice_tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(practice_tz)
    except (ZoneInfoNotFoundError, ValueError):
        # The caller's configuration, not the file, is wrong: not an IngestError.
        raise ValueError(f"unknown time zone {practice_tz!r}") from None


def read_file(
    path: Path,
    *,
    fmt: Format = "auto",
    region: str = "US",
    practice_tz: str = "America/New_York",
    mapping: CsvMapping | None = None,
    source_system: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportBatch:
    """Read a practice export from disk.

    Args:
        path: The file. Errors name it by its basename.
        fmt: ``"fhir"``, ``"csv"``, or ``"auto"`` (JSON object → FHIR, else CSV).
        region: Region for phone numbers written without a country code.
        practice_tz: IANA zone of CSV times written without an offset.
        mapping: CSV column mapping; None to recognise the headers.
        source_system: The caller's name for the exporting system.
        max_bytes: Largest file accepted.
        progress: Called with (done, total) rows or entries now and then.
        cancelled: Polled now and then; returning True raises :class:`IngestCancelled`.

    Returns:
        Everything the file held.

    Raises:
        IngestError: The file cannot be read or is not a valid export; nothing was kept.
        IngestCancelled: ``cancelled()`` returned True.
        ValueError: ``practice_tz`` is not a known time zone.
    """
    path = Path(path)
    name = display_name(path)
    data, _ = read_regular(path, max_bytes + 1, name=name, max_bytes=max_bytes)
    if len(data) > max_bytes:  # it grew while being read
        raise too_large(name, max_bytes)
    return read_bytes(
        data,
        name,
        fmt=fmt,
        region=region,
        practice_tz=practice_tz,
        mapping=mapping,
        source_system=source_system,
        max_bytes=max_bytes,
        progress=progress,
        cancelled=cancelled,
    )


def read_bytes(
    data: bytes,
    file_name: str,
    *,
    fmt: Format = "auto",
    region: str = "US",
    practice_tz: str = "America/New_York",
    mapping: CsvMapping | None = None,
    source_system: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportBatch:
    """Read a practice export already in memory; same semantics as :func:`read_file`.

    Args:
        data: The file's bytes.
        file_name: The name errors show (pass a basename; it is shown as given).
        fmt: See :func:`read_file`.
        region: See :func:`read_file`.
        practice_tz: See :func:`read_file`.
        mapping: See :func:`read_file`.
        source_system: See :func:`read_file`.
        max_bytes: See :func:`read_file`.
        progress: See :func:`read_file`.
        cancelled: See :func:`read_file`.

    Raises:
        IngestError: Not a valid export; nothing was kept.
        IngestCancelled: ``cancelled()`` returned True.
        ValueError: ``practice_tz`` is not a known time zone.
    """
    if fmt not in ("auto", "fhir", "csv"):
        raise ValueError(f"unknown format {fmt!r}")
    ctx = ReadContext(
        file_name=file_name,
        region=region,
        practice_tz=_zone(practice_tz),
        source_system=source_system,
        progress=progress,
        cancelled=cancelled,
    )
    if len(data) > max_bytes:
        raise too_large(file_name, max_bytes)
    if cancelled is not None and cancelled():
        raise IngestCancelled(file_name)
    # A large FHIR document is read by worker processes. Spawned ones start now, so that
    # they import fhir.resources (~0.4 s) while this thread decodes and parses the text;
    # forked ones (see fhir_parallel.can_fork) start ready, once the text is decoded.
    pool = fhir_parallel.start_pool(data) if fmt != "csv" else None
    try:
        text = decode_text(data, ctx)
        kind = sniff_format(text) if fmt == "auto" else fmt
        if kind == "csv":
            refuse_structured(text, ctx)  # a JSON or XML file is no CSV missing its columns
            batch = read_csv(text, ctx, mapping)
        elif kind == "fhir":
            batch = fhir_parallel.read_fhir(text, ctx, pool=pool)
        else:
            raise ctx.error(XML_REASON, location="line 1")
        return screen(batch, ctx)
    except (IngestError, IngestCancelled):
        raise
    except Exception as exc:
        # Whatever a reader did not foresee is still a refusal naming the file (the
        # readers name the entry or row themselves where they can), never a traceback.
        raise unexpected_error(file_name, exc) from None
    finally:
        if pool is not None:
            # Waiting: a worker still importing must not outlive a refused or cancelled read.
            pool.shutdown(wait=True, cancel_futures=True)
