"""Large FHIR Bundles: validate and extract the entries in worker processes, same result.

fhir.resources validation is CPU-bound Python that holds the GIL, so a thread does not help
(and stalls the UI). The read is split in two:

1. **validate + extract**, per entry and independent of every other entry: a small pool of
   ``spawn`` processes (never ``fork``: the GUI process has Qt threads) each takes
   contiguous slices of the entries, sent as slices of the JSON *text* (a string pickles
   at memcpy speed; the parsed dicts cost more to pickle and unpickle than the worker takes
   to parse the text again). A worker validates each entry with its R4B model and sends
   back the light named tuples of :mod:`vmadesk.ingest.fhir_extract`, or the first error
   of its slice (``IngestError`` pickles with its file, location, field and reason).
2. **resolve + map** in this process over the light resources of the whole file, with
   the serial reader's own code (:func:`~vmadesk.ingest.fhir_reader.map_bundle`), so
   references of every shape resolve exactly as they do serially.

The pool is started as the read starts (:func:`start_pool`, from ``read_bytes``): its
processes import fhir.resources while this process decodes and parses the text. The parse
keeps only each entry's span of text, not the entries themselves: they are not needed here,
and freeing ~1M parsed objects at once would stall a UI thread for ~60 ms.

Errors: the serial reader reports the first problem in a fixed order (the Bundle's own
elements and every entry's shell, then each entry's resource in entry order, then the
mapping). Each worker reports the first problem of its slice: a bad entry shell anywhere
makes this process validate the whole Bundle shell, as the serial reader does; otherwise the
earliest slice with a bad resource holds the serial reader's first error. Anything
unexpected (a broken pool, a crash in a worker) falls back to the serial reader.
"""

from __future__ import annotations

import codecs
import json
import math
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import date
from multiprocessing import get_context
from pickle import PicklingError
from typing import Any

from fhir.resources.R4B.bundle import Bundle, BundleEntry
from pydantic import TypeAdapter

from vmadesk.ingest import fhir_reader
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.errors import IngestCancelled, IngestError
from vmadesk.ingest.fhir_extract import extract
from vmadesk.ingest.fhir_json import load_json, load_json_spans
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.ingest.records import ImportBatch

__all__ = ["gc_paused", "read_fhir_parallel", "read_slice", "worth_a_pool"]

#: Files smaller than this are read in process (a pool costs ~0.3 s to start).
PARALLEL_MIN_BYTES = 512 * 1024
#: Bundles with fewer entries are read in process even when the file is large.
PARALLEL_MIN_ENTRIES = 2_000
#: Worker processes (the target machine has 2 cores).
WORKERS = 2
#: Entries per slice, bounds; a slice is the unit of progress and cancellation. ~0.1 s of
#: work at most, so the last slice does not leave one worker idle for long.
CHUNK_MIN, CHUNK_MAX = 200, 1_000
_WARM_TYPES = ("Appointment", "Patient", "Coverage", "Practitioner", "Location", "Organization")


def worth_a_pool(text: str) -> bool:
    """Whether a FHIR text is large enough for the parallel read."""
    return len(text) >= PARALLEL_MIN_BYTES


def start_pool(data: bytes) -> ProcessPoolExecutor | None:
    """Start the worker processes and their imports; None if ``data`` will not need them.

    Args:
        data: The file's bytes, to tell a large JSON object (maybe FHIR) from the rest.

    Returns:
        The pool (the caller shuts it down), or None.
    """
    head = data[:64].removeprefix(codecs.BOM_UTF8).lstrip()
    if len(data) < PARALLEL_MIN_BYTES or not head.startswith(b"{"):
        return None
    return _new_pool()


def _new_pool() -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn"))
    for _ in range(WORKERS):
        pool.submit(_warm)
    return pool


# -- the worker ---------------------------------------------------------------------------------


def _warm() -> None:
    """Import the models a read needs while the main process parses the JSON."""
    from fhir.resources.R4B import get_fhir_model_class

    for name in _WARM_TYPES:
        get_fhir_model_class(name)
    BundleEntry.model_validate({"fullUrl": "urn:uuid:warm"})


def read_slice(ctx: ReadContext, today: date, text: str, first: int) -> tuple[Any, ...]:
    """In a worker: validate and extract a slice of entries; light resources or an error.

    Args:
        ctx: Read options (without callbacks: they do not pickle).
        today: The main process's day, for the phones' periods.
        text: The entries as a JSON array (a slice of the file's text).
        first: The index of the slice's first entry in the Bundle.

    Returns:
        One of ``("shell", i)``, ``("resource", i, error)``, ``("ok", resources)`` or
        ``("crash",)``; ``resources`` are ``(entry index, fullUrl, light resource)``.
    """
    try:
        with gc_paused():
            return _read_slice(ctx, today, json.loads(text), first)
    except Exception:  # its message may hold PHI: the caller reads serially instead
        return ("crash",)


class _ShellCheck:
    """Whether an entry without its resource is a valid ``BundleEntry``, at ~1/5 the cost.

    ``BundleEntry.model_validate`` costs ~25 µs, mostly per-model overhead, and entries
    differ mostly in ``fullUrl``. BundleEntry's elements are validated independently of one
    another (no required elements, no choice types; the model validators check each element
    on its own), so an entry is valid exactly when its ``fullUrl`` is a valid Uri and the
    rest is a valid BundleEntry: the rest is validated once per distinct value, the
    ``fullUrl`` with the element's own type. Only an answer, never an error: a bad shell
    makes the main process validate the Bundle and name the serial reader's first error.
    """

    def __init__(self) -> None:
        self._uri = TypeAdapter(BundleEntry.model_fields["fullUrl"].annotation)
        self._rest: dict[str, bool] = {}

    def ok(self, entry: dict[str, Any]) -> bool:
        """Whether ``entry`` (its ``resource`` aside) validates as a BundleEntry."""
        if "_fullUrl" in entry:  # the value's extension sibling: validate them together
            return self._model_ok({k: v for k, v in entry.items() if k != "resource"})
        rest = {k: v for k, v in entry.items() if k not in ("resource", "fullUrl")}
        key = json.dumps(rest, sort_keys=True)  # JSON data: "1", "1.0" and "true" differ
        known = self._rest.get(key)
        if known is None:
            known = self._rest[key] = self._model_ok(rest)
        if not known:
            return False
        try:
            self._uri.validate_python(entry.get("fullUrl"))
        except Exception:
            return False
        return True

    @staticmethod
    def _model_ok(shell: dict[str, Any]) -> bool:
        try:
            BundleEntry.model_validate(shell)
        except Exception:
            return False
        return True


def _read_slice(
    ctx: ReadContext, today: date, entries: list[dict[str, Any]], first: int
) -> tuple[Any, ...]:
    shells = _ShellCheck()
    for i, entry in enumerate(entries, first):
        if not shells.ok(entry):
            return ("shell", i)
    out: list[tuple[int, str | None, Any]] = []
    for i, entry in enumerate(entries, first):
        raw = entry.get("resource")
        if raw is None:
            continue
        try:
            resource = fhir_reader._validate(raw, ctx, f"entry {i}")
        except IngestError as exc:
            return ("resource", i, exc)
        full_url = entry.get("fullUrl")
        out.append((i, str(full_url) if full_url else None, extract(resource, ctx.region, today)))
    return ("ok", out)


# -- the main process ---------------------------------------------------------------------------


class _Fallback(Exception):
    """The parallel read cannot answer; read serially."""


def read_fhir_parallel(
    text: str, ctx: ReadContext, *, pool: ProcessPoolExecutor | None = None
) -> ImportBatch:
    """:func:`~vmadesk.ingest.fhir_reader.read_fhir` with the entries read in worker processes.

    Args:
        text: The decoded file.
        ctx: Read options.
        pool: A pool from :func:`start_pool`, else one is started here. Shut down either
            way when this returns or raises.

    Raises:
        IngestError: As the serial reader, with the same file, location, field and reason.
        IngestCancelled: ``ctx.cancelled()`` returned True; the pool is shut down.
    """
    if pool is None:
        pool = _new_pool()
    try:
        with gc_paused():
            # The entries stay text (see load_json_spans); a serial read parses them again.
            data, spans = load_json_spans(text, ctx, keep_entries=False)
            if spans is None:  # json.loads parsed it: nothing to gain from the pool
                return fhir_reader.read_fhir_data(data, ctx)
            entries = data.get("entry") if isinstance(data, dict) else None
            if (
                not isinstance(data, dict)
                or data.get("resourceType") != "Bundle"
                or not isinstance(entries, list)
                or len(spans) != len(entries)
                or not PARALLEL_MIN_ENTRIES <= len(entries) <= ctx.max_rows
                or not all(entries)  # True where the entry is a JSON object
            ):
                return fhir_reader.read_fhir_data(load_json(text, ctx), ctx)
            try:
                batch = _read_bundle(pool, text, spans, data, ctx)
            except _Fallback:
                return fhir_reader.read_fhir_data(load_json(text, ctx), ctx)
            return batch
    finally:
        # Waiting (~0.1 s): without it a worker still starting up can outlive the read.
        pool.shutdown(wait=True, cancel_futures=True)


def _read_bundle(
    pool: ProcessPoolExecutor,
    text: str,
    spans: list[tuple[int, int]],
    data: dict[str, Any],
    ctx: ReadContext,
) -> ImportBatch:
    try:
        bundle = Bundle.model_validate({k: v for k, v in data.items() if k != "entry"})
    except Exception:
        raise _Fallback from None  # the serial reader names the first problem
    total = len(spans)
    size = max(CHUNK_MIN, min(CHUNK_MAX, math.ceil(total / (WORKERS * 8))))
    slices = [(a, min(a + size, total)) for a in range(0, total, size)]
    results = _run(pool, ctx, text, spans, slices)

    if any(r[0] == "shell" for r in results):
        # The serial reader's first error: the Bundle validated with every entry's shell.
        fhir_reader._validate_shell(load_json(text, ctx), ctx)
        raise _Fallback
    for result in results:  # in slice order: the first error is the serial one
        if result[0] == "resource":
            raise result[2]
    resources = [item for result in results for item in result[1]]
    bundle_source = bundle.meta.source if bundle.meta and bundle.meta.source else None
    return fhir_reader.map_bundle(bundle, resources, ctx, bundle_source)


def _run(
    pool: ProcessPoolExecutor,
    ctx: ReadContext,
    text: str,
    spans: list[tuple[int, int]],
    slices: list[tuple[int, int]],
) -> list[tuple[Any, ...]]:
    """Run the slices; report progress and honour cancellation between them.

    Returns:
        The workers' answers in slice order.
    """
    total = len(spans)
    worker_ctx = replace(ctx, progress=None, cancelled=None)
    today = fhir_reader.today()
    order: dict[Future[Any], int] = {}
    try:
        for n, (a, b) in enumerate(slices):
            # The text between the first entry's start and the last one's end holds exactly
            # those entries and their commas: with brackets, a JSON array of them.
            part = "[" + text[spans[a][0] : spans[b - 1][1]] + "]"
            order[pool.submit(read_slice, worker_ctx, today, part, a)] = n
    except (BrokenProcessPool, RuntimeError, OSError):
        raise _Fallback from None
    results: list[tuple[Any, ...] | None] = [None] * len(slices)
    pending: set[Future[Any]] = set(order)
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
            n = order[future]
            results[n] = result
            done_entries += slices[n][1] - slices[n][0]
            if ctx.progress is not None:
                ctx.progress(done_entries, total)
    return [r for r in results if r is not None]
