"""Large FHIR Bundles: validate and extract the entries in worker processes, same result.

:func:`read_fhir` is where a FHIR file is read: large ones here, the rest by the serial
reader (:func:`~vmadesk.ingest.fhir_reader.read_fhir_serial`).

fhir.resources validation is CPU-bound Python that holds the GIL, so a thread does not help
(and stalls the UI). The read is split in two:

1. **validate + extract**, per entry and independent of every other entry: worker
   processes (:mod:`vmadesk.ingest.fhir_workers`, one per core, two to four) each take
   contiguous slices of the entries, validate each entry with its R4B model and send back
   the light named tuples of :mod:`vmadesk.ingest.fhir_extract`, or the first error of
   their slice (``IngestError`` pickles with its file, location, field and reason).
2. **resolve + map** in this process over the light resources of the whole file, with
   the serial reader's own code (:func:`~vmadesk.ingest.fhir_reader.map_bundle`), so
   references of every shape resolve exactly as they do serially.

How the workers start depends on this process:

- **fork**, when this process runs a single thread (the CLI, and the GUI's import process,
  :mod:`vmadesk.services.import_child`): the workers are forked as the read starts, so
  they start in milliseconds with every module imported, and each parses the text it
  inherited (~0.1 s, both at once) and takes its parts of the entries; this process
  neither parses the document nor sends anything but part numbers.
- **spawn** otherwise (forking a process that runs other threads, Qt's say, is unsafe):
  the pool is started as the read starts (:func:`start_pool`, from ``read_bytes``), and
  its processes import fhir.resources (~0.4 s) while this process decodes and parses the
  text. Workers are sent slices of the JSON *text* (a string pickles at memcpy speed; the
  parsed dicts cost more to pickle and unpickle than the worker takes to parse the text
  again), and this process keeps only each entry's span of text, not the entries: freeing
  ~1M parsed objects at once would stall a UI thread for ~60 ms.

Errors: the serial reader reports the first problem in a fixed order (the Bundle's own
elements and every entry's shell, then each entry's resource in entry order, then the
mapping). Each worker reports the first problem of its slice: a bad entry shell anywhere,
or a bad Bundle, makes this process read serially (which names the first such problem);
otherwise the earliest slice with a bad resource holds the serial reader's first error.
Anything unexpected (a broken pool, a crash in a worker, a document the workers do not
take) falls back to the serial reader too.
"""

from __future__ import annotations

import codecs
import math
import os
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import get_context
from pickle import PicklingError
from typing import Any, Literal

from fhir.resources.R4B.bundle import Bundle

from vmadesk.ingest import fhir_reader, fhir_workers
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.errors import IngestCancelled
from vmadesk.ingest.fhir_json import load_json, load_json_spans
from vmadesk.ingest.fhir_workers import warm
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.ingest.records import ImportBatch

__all__ = [
    "can_fork",
    "gc_paused",
    "read_fhir",
    "read_fhir_parallel",
    "start_pool",
    "warm",
    "worth_a_pool",
]

#: Files smaller than this are read in process (a pool costs ~0.3 s to start).
PARALLEL_MIN_BYTES = 512 * 1024
#: Bundles with fewer entries are read in process even when the file is large.
PARALLEL_MIN_ENTRIES = 2_000
#: Worker processes: the cores, from two (the target machine has 2) to four.
WORKERS = max(2, min(os.cpu_count() or 2, 4))
#: Entries per slice, bounds (spawned workers); a slice is the unit of progress and
#: cancellation. ~0.1 s of work at most, so the last slice does not leave one worker idle
#: for long.
CHUNK_MIN, CHUNK_MAX = 200, 1_000
#: Text per part (forked workers, which count the entries only once they parse): ~0.1 s.
PART_BYTES = 400_000
#: Larger texts are not parsed whole by each forked worker (~5 bytes of objects per byte of
#: text, per worker): this process finds the entries' spans and the workers parse theirs.
FORK_PARSE_MAX_BYTES = 32 * 1024 * 1024
#: How workers start: ``auto`` forks when that is safe (see :func:`can_fork`), else spawns.
START_METHOD: Literal["auto", "fork", "spawn"] = "auto"


def worth_a_pool(text: str) -> bool:
    """Whether a FHIR text is large enough for the parallel read."""
    return len(text) >= PARALLEL_MIN_BYTES


def can_fork() -> bool:
    """Whether worker processes may be forked from this one: Linux, and a single thread.

    Only a process without other threads forks safely (a thread holding a lock at the fork
    leaves it held forever in the child); the count comes from the kernel, so threads that
    Python does not know of (Qt's) count too. Elsewhere (macOS's system frameworks are not
    fork-safe either) the workers are spawned.
    """
    if START_METHOD != "auto":
        return START_METHOD == "fork"
    if not sys.platform.startswith("linux"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def start_pool(data: bytes) -> ProcessPoolExecutor | None:
    """Start spawned workers and their imports; None if ``data`` will not need them.

    Also None where the workers will be forked (see :func:`can_fork`): they start in
    milliseconds then.

    Args:
        data: The file's bytes, to tell a large JSON object (maybe FHIR) from the rest.

    Returns:
        The pool (the caller shuts it down), or None.
    """
    head = data[:64].removeprefix(codecs.BOM_UTF8).lstrip()
    if len(data) < PARALLEL_MIN_BYTES or not head.startswith(b"{") or can_fork():
        return None
    return _spawn_pool()


def _spawn_pool() -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn"))
    for _ in range(WORKERS):
        pool.submit(warm)
    return pool


def _fork_pool(text: str) -> ProcessPoolExecutor:
    """A pool whose workers fork (at its first task) with ``text`` in their memory."""
    warm()  # once here, not once per worker
    fhir_workers.FORKED["text"] = text
    return ProcessPoolExecutor(
        WORKERS,
        mp_context=get_context("fork"),
        initializer=fhir_workers.end_with,
        initargs=(os.getpid(),),
    )


class _Fallback(Exception):
    """The parallel read cannot answer; read serially."""


def read_fhir(
    text: str, ctx: ReadContext, *, pool: ProcessPoolExecutor | None = None
) -> ImportBatch:
    """Read a FHIR R4 JSON document into an :class:`ImportBatch`: in worker processes when large.

    Args:
        text: The decoded file.
        ctx: Read options.
        pool: Worker processes already started for this read (:func:`start_pool`); the
            caller shuts it down.

    Raises:
        IngestError: Not JSON, not a Bundle or Appointment, a resource invalid in R4, an
            appointment without a patient, ...
        IngestCancelled: The caller cancelled.
    """
    if worth_a_pool(text):
        return read_fhir_parallel(text, ctx, pool=pool)
    return fhir_reader.read_fhir_serial(text, ctx)


def read_fhir_parallel(
    text: str, ctx: ReadContext, *, pool: ProcessPoolExecutor | None = None
) -> ImportBatch:
    """:func:`~vmadesk.ingest.fhir_reader.read_fhir_serial` with the entries read in workers.

    Args:
        text: The decoded file.
        ctx: Read options.
        pool: A pool from :func:`start_pool`, else one is started here (forked when
            :func:`can_fork`). Shut down either way when this returns or raises.

    Raises:
        IngestError: As the serial reader, with the same file, location, field and reason.
        IngestCancelled: ``ctx.cancelled()`` returned True; the pool is shut down.
    """
    try:
        with gc_paused():
            forked = pool is None and can_fork()
            if forked:
                pool = _fork_pool(text)
            try:
                if forked and len(text) <= FORK_PARSE_MAX_BYTES:
                    return _read_forked(pool, text, ctx)
                return _read_sliced(pool, text, ctx, forked=forked)
            except _Fallback:
                return fhir_reader.read_fhir_data(load_json(text, ctx), ctx)
    finally:
        fhir_workers.FORKED.clear()
        if pool is not None:
            # Waiting (~0.1 s): without it a worker still starting up can outlive the read.
            pool.shutdown(wait=True, cancel_futures=True)


def _read_forked(pool: ProcessPoolExecutor, text: str, ctx: ReadContext) -> ImportBatch:
    parts = max(WORKERS * 4, min(64, math.ceil(len(text) / PART_BYTES)))
    worker_ctx = replace(ctx, progress=None, cancelled=None)
    today = fhir_reader.today()
    results = _run(
        lambda n: pool.submit(
            fhir_workers.read_part, worker_ctx, today, n, parts, PARALLEL_MIN_ENTRIES
        ),
        ctx,
        parts,
    )
    return _finish(results, results[0][4], ctx)


def _read_sliced(
    pool: ProcessPoolExecutor | None, text: str, ctx: ReadContext, *, forked: bool
) -> ImportBatch:
    # The entries stay text here (see load_json_spans): the workers parse slices of it,
    # sent to spawned ones, read by forked ones from the text they inherited.
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
        raise _Fallback
    own = pool is None  # a read without a pool from start_pool (a direct call)
    workers = _spawn_pool() if pool is None else pool
    total = len(spans)
    size = max(CHUNK_MIN, min(CHUNK_MAX, math.ceil(total / (WORKERS * 8))))
    slices = [(a, min(a + size, total)) for a in range(0, total, size)]
    worker_ctx = replace(ctx, progress=None, cancelled=None)
    today = fhir_reader.today()

    def submit(n: int) -> Future[Any]:
        a, b = slices[n]
        # The text between the first entry's start and the last one's end holds exactly
        # those entries and their commas: with brackets, a JSON array of them.
        start, end = spans[a][0], spans[b - 1][1]
        if forked:
            return workers.submit(fhir_workers.read_span, worker_ctx, today, start, end, a, total)
        part = "[" + text[start:end] + "]"
        return workers.submit(fhir_workers.read_slice, worker_ctx, today, part, a, total)

    try:
        results = _run(submit, ctx, len(slices))
    finally:
        if own:
            workers.shutdown(wait=True, cancel_futures=True)
    return _finish(results, {k: v for k, v in data.items() if k != "entry"}, ctx)


def _finish(results: list[tuple[Any, ...]], head: Any, ctx: ReadContext) -> ImportBatch:
    """The batch from the workers' answers (in entry order), or the serial reader's error."""
    if any(r[0] in ("shell", "fallback") for r in results):
        raise _Fallback  # the serial reader names the first problem (shells come first)
    try:
        bundle = Bundle.model_validate(head)
    except Exception:
        raise _Fallback from None  # as for shells
    for result in results:  # in entry order: the first error is the serial one
        if result[0] == "resource":
            raise result[1]
    resources = [item for result in results for item in result[1]]
    bundle_source = bundle.meta.source if bundle.meta and bundle.meta.source else None
    return fhir_reader.map_bundle(bundle, resources, ctx, bundle_source)


def _run(
    submit: Callable[[int], Future[Any]], ctx: ReadContext, tasks: int
) -> list[tuple[Any, ...]]:
    """Run ``tasks`` tasks; report progress and honour cancellation between them.

    Returns:
        The workers' answers in task order (see :mod:`.fhir_workers`).
    """
    order: dict[Future[Any], int] = {}
    try:
        for n in range(tasks):
            order[submit(n)] = n
    except (BrokenProcessPool, RuntimeError, OSError):
        raise _Fallback from None
    answers: dict[int, tuple[Any, ...]] = {}
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
            if result[0] in ("crash", "fallback"):
                raise _Fallback
            answers[order[future]] = result
            done_entries += result[2]
            if ctx.progress is not None:
                ctx.progress(done_entries, result[3])
    return [answers[n] for n in range(tasks)]
