"""Large FHIR Bundles: validate and map the entries in worker processes, same result.

fhir.resources validation is CPU-bound Python that holds the GIL, so a thread does not help
(and stalls the UI). Here the main process only parses the JSON (entry by entry, so the GIL
is released between entries), splits the entries into *groups* that can only reference each
other, and sends chunks of groups to a small pool of ``spawn`` processes (never ``fork``:
the GUI process has Qt threads). Each worker runs the serial reader's steps on its chunk and
sends back only :class:`~vmadesk.ingest.records.AppointmentRecord` s, or the first error it
met (``IngestError`` pickles with its file, location, field and reason).

Grouping is conservative: two entries share a group whenever a reference of one *could*
resolve to the other under any rule of :class:`~vmadesk.ingest.fhir_references.ReferenceIndex`
(``fullUrl``, service base + relative URL, type/id), or when a coverage could be matched to an
appointment by patient id. Resources of other types (Practitioner, Location, Organization…)
are not merged on: they are copied into every chunk that mentions them. Within a chunk the
entries keep their bundle order, so "first wins" lookups find what the serial reader finds.

Errors: the serial reader reports the first problem in a fixed order (the Bundle's own
elements, then each entry's resource in entry order, then "no appointments", then each
appointment's mapping or a duplicate, in order). The workers report the first problem of
their chunk per phase and the main process picks the global first the same way. Anything
unexpected (a broken pool, a crash in a worker) falls back to the serial reader.
"""

from __future__ import annotations

import math
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import get_context
from pickle import PicklingError
from typing import Any

from fhir.resources.R4B.bundle import Bundle, BundleEntry

from vmadesk.ingest import fhir_reader
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.errors import IngestCancelled, IngestError
from vmadesk.ingest.fhir_groups import load_json, plan_chunks
from vmadesk.ingest.fhir_mapping import AppointmentMapper
from vmadesk.ingest.fhir_references import ReferenceIndex
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.ingest.records import AppointmentRecord, ImportBatch

#: Files smaller than this are read in process (a pool costs ~0.3 s to start).
PARALLEL_MIN_BYTES = 512 * 1024
#: Bundles with fewer entries are read in process even when the file is large.
PARALLEL_MIN_ENTRIES = 2_000
#: Worker processes (the target machine has 2 cores).
WORKERS = 2
#: Entries per chunk, bounds; a chunk is the unit of progress and cancellation.
CHUNK_MIN, CHUNK_MAX = 200, 2_000
_WARM_TYPES = ("Appointment", "Patient", "Coverage", "Practitioner", "Location", "Organization")


def worth_a_pool(text: str) -> bool:
    """Whether a FHIR text is large enough for the parallel read."""
    return len(text) >= PARALLEL_MIN_BYTES


# -- the worker ---------------------------------------------------------------------------------


def _warm() -> None:
    """Import the models a read needs while the main process parses the JSON."""
    from fhir.resources.R4B import get_fhir_model_class

    for name in _WARM_TYPES:
        get_fhir_model_class(name)


def read_chunk(
    ctx: ReadContext, bundle_source: str | None, items: list[tuple[int, dict[str, Any]]]
) -> tuple[Any, ...]:
    """In a worker: the serial reader's steps on some entries; records or the first error.

    Returns one of ``("shell", i)``, ``("resource", i, error)``, ``("map", i, error,
    records)``, ``("ok", records)`` or ``("crash",)``; ``records`` are ``(index, record)``.
    """
    try:
        with gc_paused():
            return _read_chunk(ctx, bundle_source, items)
    except Exception:  # its message may hold PHI: the caller reads serially instead
        return ("crash",)


def _read_chunk(
    ctx: ReadContext, bundle_source: str | None, items: list[tuple[int, dict[str, Any]]]
) -> tuple[Any, ...]:
    for i, entry in items:
        try:
            BundleEntry.model_validate({k: v for k, v in entry.items() if k != "resource"})
        except Exception:
            return ("shell", i)
    index = ReferenceIndex()
    appointments: list[tuple[int, Any]] = []
    coverages: list[Any] = []
    for i, entry in items:
        raw = entry.get("resource")
        if raw is None:
            continue
        try:
            resource = fhir_reader._validate(raw, ctx, f"entry {i}")
        except IngestError as exc:
            return ("resource", i, exc)
        full_url = entry.get("fullUrl")
        index.add(resource, str(full_url) if full_url else None)
        rtype = resource.get_resource_type()
        if rtype == "Appointment":
            appointments.append((i, resource))
        elif rtype == "Coverage":
            coverages.append(resource)
    mapper = AppointmentMapper(ctx, index, coverages=coverages, bundle_source=bundle_source)
    records: list[tuple[int, AppointmentRecord]] = []
    for i, appointment in appointments:
        where = f"entry {i}"
        try:
            records.append((i, mapper.build(appointment, where=where, location=where)))
        except IngestError as exc:
            return ("map", i, exc, records)
    return ("ok", records)


# -- the main process ---------------------------------------------------------------------------


class _Fallback(Exception):
    """The parallel read cannot answer; read serially."""


def read_fhir_parallel(text: str, ctx: ReadContext) -> ImportBatch:
    """:func:`~vmadesk.ingest.fhir_reader.read_fhir` with the entries read in worker processes.

    Raises:
        IngestError: As the serial reader, with the same file, location, field and reason.
        IngestCancelled: ``ctx.cancelled()`` returned True; the pool is shut down.
    """
    pool = ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn"))
    finished = False
    try:
        with gc_paused():
            for _ in range(WORKERS):
                pool.submit(_warm)
            data = load_json(text, ctx)
            entries = data.get("entry") if isinstance(data, dict) else None
            if (
                not isinstance(data, dict)
                or data.get("resourceType") != "Bundle"
                or not isinstance(entries, list)
                or not PARALLEL_MIN_ENTRIES <= len(entries) <= ctx.max_rows
                or not all(isinstance(e, dict) for e in entries)
            ):
                return fhir_reader.read_fhir_data(data, ctx)
            try:
                batch = _read_bundle(pool, data, entries, ctx)
            except _Fallback:
                return fhir_reader.read_fhir_data(data, ctx)
            finished = True
            return batch
    finally:
        pool.shutdown(wait=finished, cancel_futures=True)


def _read_bundle(
    pool: ProcessPoolExecutor, data: dict[str, Any], entries: list[dict[str, Any]], ctx: ReadContext
) -> ImportBatch:
    try:
        bundle = Bundle.model_validate({k: v for k, v in data.items() if k != "entry"})
    except Exception:
        raise _Fallback from None  # the serial reader names the first problem
    total = len(entries)
    size = max(CHUNK_MIN, min(CHUNK_MAX, math.ceil(total / (WORKERS * 8))))
    chunks = plan_chunks(entries, size)
    if chunks is None:
        raise _Fallback
    bundle_source = bundle.meta.source if bundle.meta and bundle.meta.source else None
    worker_ctx = replace(ctx, progress=None, cancelled=None)
    results = _run(pool, ctx, worker_ctx, bundle_source, entries, chunks)

    if any(r[0] == "shell" for r in results):
        fhir_reader._validate_shell(data, ctx)  # raises the serial reader's first error
        raise _Fallback
    firsts = [(r[1], r[2]) for r in results if r[0] == "resource"]
    if firsts:
        raise min(firsts, key=lambda x: x[0])[1]
    types = [e["resource"].get("resourceType") for e in entries if e.get("resource") is not None]
    if "Appointment" not in types and any(t != "OperationOutcome" for t in types):
        raise ctx.error("the bundle holds no Appointment resources")
    map_errors = [(r[1], r[2]) for r in results if r[0] == "map"]
    stop, map_error = min(map_errors, key=lambda x: x[0]) if map_errors else (total, None)
    records = sorted((p for r in results for p in r[-1] if p[0] < stop), key=lambda p: p[0])
    seen: dict[tuple[str, str], int] = {}
    for i, record in records:
        key = (record.source_system, record.source_id)
        if key in seen:
            raise ctx.error(
                f"the same appointment is already in entry {seen[key]}",
                location=f"entry {i}",
                field="id",
            )
        seen[key] = i
    if map_error is not None:
        raise map_error
    systems = {r.source_system for _, r in records}
    source_system = ctx.source_system or (
        bundle_source or (systems.pop() if len(systems) == 1 else "fhir")
    )
    has_next = any(link.relation == "next" for link in bundle.link or ())
    return ImportBatch(
        source_system=str(source_system),
        kind="appointments",
        appointments=tuple(r for _, r in records),
        callbacks=(),
        file_name=ctx.file_name,
        full_export=bundle.type in fhir_reader._FULL_BUNDLE_TYPES and not has_next,
    )


def _run(
    pool: ProcessPoolExecutor,
    ctx: ReadContext,
    worker_ctx: ReadContext,
    bundle_source: str | None,
    entries: list[dict[str, Any]],
    chunks: list[list[int]],
) -> list[tuple[Any, ...]]:
    """Run the chunks; report progress and honour cancellation between them."""
    total = len(entries)
    members: dict[Future[Any], int] = {}
    counted: set[int] = set()
    try:
        for chunk in chunks:
            items = [(i, entries[i]) for i in chunk]
            future = pool.submit(read_chunk, worker_ctx, bundle_source, items)
            members[future] = len(set(chunk) - counted)
            counted.update(chunk)
    except (BrokenProcessPool, RuntimeError, OSError):
        raise _Fallback from None
    results: list[tuple[Any, ...]] = []
    pending: set[Future[Any]] = set(members)
    done_entries = 0
    while pending:
        finished, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
        if ctx.cancelled is not None and ctx.cancelled():
            for future in pending:
                future.cancel()
            raise IngestCancelled(ctx.file_name)
        for future in finished:
            try:
                result = future.result()
            except (BrokenProcessPool, PicklingError, OSError, RecursionError):
                raise _Fallback from None
            if result[0] == "crash":
                raise _Fallback
            results.append(result)
            done_entries += members[future]
            if ctx.progress is not None:
                ctx.progress(done_entries, total)
    return results
