"""Read and plan an import in a process of its own, for the GUI (see :mod:`.import_child`).

:func:`read_and_plan` is :func:`~vmadesk.services.importer.read_for_practice` followed by
:func:`~vmadesk.services.importer.plan_import`, with the same results and errors, but the
reading and the planning run in the import process: the calling thread (a UI process's
worker thread) waits on a pipe without the GIL, reads the store for the plan, and unpickles
the plan a few milliseconds at a time. The records stay in the import process, which
lives until :meth:`~vmadesk.services.import_plan.ImportPlan.release` (the apply makes the
plan again there if the store moved since the preview); the process also ends when the
plan is garbage-collected or this process exits.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from multiprocessing import active_children, get_context, util
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any, Literal, NoReturn

from vmadesk.domain.vocabulary import Lane
from vmadesk.ingest import DEFAULT_MAX_BYTES, CsvMapping, ImportBatch, IngestCancelled
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.services import import_child
from vmadesk.services.import_apply import Cancelled, Progress
from vmadesk.services.import_inputs import load_inputs
from vmadesk.services.import_plan import ImportPlan, ItemChange
from vmadesk.services.importer import ReadRequest, mapping_key, read_request
from vmadesk.services.practice_setup import PracticeContext
from vmadesk.store.connection import Connection

#: How often the waiting thread looks at ``cancelled`` (seconds).
POLL_SECONDS = 0.05
#: How long a cancelled read may take to stop before it is left to stop alone (seconds).
CANCEL_GRACE_SECONDS = 10.0


class ImportProcessFailed(Exception):
    """The import process failed; :attr:`kind` is its exception's type name (never a value)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"the import process failed ({kind})")
        self.kind = kind


def read_and_plan(
    conn: Connection,
    path: Path,
    *,
    practice: PracticeContext,
    vma: str,
    now: datetime,
    fmt: Literal["auto", "fhir", "csv"] = "auto",
    mapping: CsvMapping | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    planning: Callable[[], None] | None = None,
    process: ImportProcess | None = None,
) -> ImportPlan:
    """Read and plan a file in an import process; the plan, as ``plan_import`` makes it.

    Args:
        conn: This thread's connection (the store is read here, not there).
        path: The export.
        practice: The practice the work goes to.
        vma: Owner of new items.
        now: The import's clock.
        fmt: ``auto``, ``fhir`` or ``csv``.
        mapping: CSV column mapping; None for the built-in or the remembered one.
        max_bytes: Largest file accepted.
        progress: Called with (done, total) while reading.
        cancelled: Polled while reading; True stops and keeps nothing.
        planning: Called once the file is read, as the planning starts.
        process: An import process started ahead (see :class:`ImportProcess`), used
            here whatever happens; else one is started.

    Returns:
        The plan; call its ``release()`` once it is applied or dropped.

    Raises:
        IngestError: The file is refused.
        IngestCancelled: Cancelled while reading.
        ImportProcessFailed: Anything else went wrong there.
    """
    process = process or ImportProcess()
    try:
        request, remember = read_request(
            conn, path, practice=practice, fmt=fmt, mapping=mapping, max_bytes=max_bytes
        )
        key = mapping_key(path) if remember is not None else None
        batch = process.read(request, progress=progress, cancelled=cancelled)
        if cancelled is not None and cancelled():
            raise IngestCancelled(batch.file_name)
        if planning is not None:
            planning()
        planner = _Planner(process, batch, practice.id, vma, now, remember, key)
        return planner(conn)
    except BaseException:
        process.close()
        raise


class ImportProcess:
    """The UI side of one import process: start it, read, plan (again), close.

    Starting takes ~0.5 s (the process imports the readers and fhir.resources): a caller
    that knows an import is coming (a file chooser is open) starts one ahead and hands it
    to :func:`read_and_plan`. One process serves one read.
    """

    def __init__(self) -> None:
        context = get_context("spawn")  # a fork of a process running Qt threads is unsafe
        self._pipe, theirs = context.Pipe(duplex=True)
        # Not a daemon: the import process forks its own workers for a large FHIR file.
        self._process = context.Process(
            target=import_child.serve, args=(theirs,), name="vmadesk-import", daemon=False
        )
        active_children()  # reaps the processes of earlier imports that have ended
        self._process.start()
        theirs.close()
        self._lock = threading.Lock()
        # Closing our end ends the process (it reads end-of-file): when this object goes,
        # and at exit before multiprocessing waits for its children (exit priority >= 0).
        self._closer = util.Finalize(self, _close, args=(self._pipe,), exitpriority=10)

    def read(
        self,
        request: ReadRequest,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportBatch:
        """Have the file read; the batch without its records (they stay there)."""
        with self._lock:
            self._send(("read", request))
            stop_by: float | None = None  # once cancelled: when to stop waiting for it
            while True:
                while not self._pipe.poll(POLL_SECONDS):
                    if stop_by is None and cancelled is not None and cancelled():
                        self._send(("cancel",))
                        stop_by = time.monotonic() + CANCEL_GRACE_SECONDS
                    elif stop_by is not None and time.monotonic() > stop_by:
                        # No answer: let it go (it stops when it sees the pipe closed; a
                        # kill would orphan the workers it forked). Nothing of it is kept.
                        self.close()
                        raise IngestCancelled(request.path.name)
                message = self._receive()
                if message[0] == "progress":
                    if progress is not None:
                        progress(message[1], message[2])
                elif message[0] == "read":
                    return message[1]
                elif message[0] == "cancelled":
                    raise IngestCancelled(request.path.name)
                else:
                    self._fail(message)

    def plan(self, job: import_child.PlanJob) -> tuple[Any, ...]:
        """Have the batch planned for the store as ``job`` holds it (its rows go along).

        Returns:
            ``(changes, skipped, skipped reasons, missing ids)``.
        """
        rows = job.inputs.rows
        per = import_child.ROWS_PER_MESSAGE
        with self._lock:
            messages = math.ceil(len(rows) / per)
            self._send(("plan", replace(job, inputs=replace(job.inputs, rows=[]), rows=messages)))
            for start in range(0, len(rows), per):
                self._send(("rows", rows[start : start + per]))
            changes: list[ItemChange] = []
            # Thousands of dicts arrive: no full collections (UI stalls) while they do.
            with gc_paused():
                while True:
                    message = self._receive()
                    if message[0] == "changes":
                        changes += [
                            ItemChange(kind, Lane(lane), item_id, values, where, note)
                            for kind, lane, item_id, values, where, note in message[1]
                        ]
                    elif message[0] == "planned":
                        return changes, message[1], message[2], message[3]
                    else:
                        self._fail(message)

    def close(self) -> None:
        """End the process (it exits as it reads end-of-file); idempotent, never waits."""
        self._closer()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the process has ended (after :meth:`close`); whether it has."""
        self._process.join(timeout)
        return not self._process.is_alive()

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            self._pipe.send(message)
        except (OSError, ValueError):  # the process is gone, or we closed the pipe
            raise ImportProcessFailed("ImportProcessEnded") from None

    def _receive(self) -> tuple[Any, ...]:
        try:
            return self._pipe.recv()
        except (EOFError, OSError):
            raise ImportProcessFailed("ImportProcessEnded") from None

    @staticmethod
    def _fail(message: tuple[Any, ...]) -> NoReturn:
        if message[0] == "error":
            raise message[1]  # an IngestError: PHI-free, with its file, place and field
        raise ImportProcessFailed(str(message[1]) if message[0] == "failed" else "Protocol")


def _close(pipe: Pipe) -> None:
    with contextlib.suppress(OSError, ValueError):
        pipe.send(("stop",))
    pipe.close()


class _Planner:
    """Plans (and plans again, for ``apply_import``) one batch read in an import process."""

    def __init__(
        self,
        process: ImportProcess,
        batch: ImportBatch,
        practice_id: int,
        vma: str,
        now: datetime,
        mapping: CsvMapping | None,
        mapping_key: str | None,
    ) -> None:
        self.process, self.batch, self.practice_id = process, batch, practice_id
        self.vma, self.now, self.mapping, self.mapping_key = vma, now, mapping, mapping_key

    def __call__(self, conn: Connection) -> ImportPlan:
        """The plan for the store as ``conn`` sees it."""
        batch = self.batch
        inputs = load_inputs(
            conn,
            practice_id=self.practice_id,
            source_systems=batch.source_systems,
            kind=batch.kind,
            now=self.now,
        )
        job = import_child.PlanJob(
            inputs=inputs,
            rows=0,
            vma=self.vma,
            now=self.now,
            mapping=self.mapping,
            mapping_key=self.mapping_key,
        )
        changes, skipped, reasons, missing = self.process.plan(job)
        return ImportPlan(
            practice_id=self.practice_id,
            vma=self.vma,
            now=self.now,
            batch=batch,
            changes=changes,
            skipped=skipped,
            skipped_reasons=dict(reasons),
            missing_ids=tuple(missing),
            store_mark=inputs.mark,
            mapping=self.mapping,
            mapping_key=self.mapping_key,
            replan=self,
        )

    def close(self) -> None:
        """End the import process."""
        self.process.close()
