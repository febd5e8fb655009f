"""The GUI's import process: read and plan a file without touching the UI process's GIL.

Reading a 10,000-appointment export and planning it is seconds of Python. In the UI
process, even on a worker thread, that Python holds the GIL the UI thread needs to paint
and to answer the VMA: a busy machine deschedules the holder for tens of milliseconds, and
the UI stalls that long. So a GUI import reads and plans here, in a process of its own
(:mod:`vmadesk.services.import_offload` starts it and talks to it); the UI process only
receives the plan, a few milliseconds of unpickling at a time, and writes it.

Everything crosses one pipe, in memory: PHI never goes through a file, an argument or a
log. The records stay here (the plan is all the UI process needs), so the process lives
until the import is done: if the store changes between the preview and the writing, the
plan is made again here. Messages, each a tuple:

=============================================  ==============================================
UI process → import process                    import process → UI process
=============================================  ==============================================
``("read", ReadRequest)``                      ``("progress", done, total)`` …, then
                                               ``("read", batch without its records)``,
                                               ``("error", IngestError)``, ``("cancelled",)``
                                               or ``("failed", exception type name)``
``("cancel",)`` (while reading)
``("plan", PlanJob)``, ``("rows", rows)`` …    ``("changes", changes)`` …, then
                                               ``("planned", skipped, reasons, missing ids)``
                                               or ``("failed", exception type name)``
``("stop",)``, or the pipe closes              (the process ends)
=============================================  ==============================================

A failure crosses as its exception's type name only: its message may hold a value from the
file. This process's standard error goes nowhere, for the same reason.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from vmadesk.ingest import CsvMapping, ImportBatch, IngestCancelled, IngestError, fhir_parallel
from vmadesk.services.import_inputs import PlanInputs
from vmadesk.services.import_plan import ImportPlan, plan_with

#: Changes per message: each is unpickled in one go by the UI process (~3 ms for 250).
CHANGES_PER_MESSAGE = 250
#: Item rows per message, the other way.
ROWS_PER_MESSAGE = 500


@dataclass(frozen=True)
class PlanJob:
    """What a plan needs besides the batch and the item rows (which follow in messages).

    Attributes:
        inputs: The store's snapshot, with ``rows`` empty.
        rows: How many ``("rows", …)`` messages follow.
        vma: Owner of new items.
        now: The import's clock.
        mapping: The CSV mapping to remember, if any.
        mapping_key: The layout it is remembered for.
    """

    inputs: PlanInputs
    rows: int
    vma: str
    now: datetime
    mapping: CsvMapping | None
    mapping_key: str | None


def change_tuples(plan: ImportPlan) -> list[tuple[Any, ...]]:
    """A plan's changes as plain tuples (a third of the dataclasses' pickling cost)."""
    return [
        (c.kind, c.lane.value, c.item_id, c.values, c.location_in_file, c.note)
        for c in plan.changes
    ]


def serve(conn: Connection) -> None:
    """Run the import process: one read, then plans until stopped (see the module doc).

    Args:
        conn: This end of the pipe to the UI process.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # a traceback may quote a value from the file
    os.close(devnull)
    try:
        if not conn.poll():  # started ahead (while the VMA picks a file): warm up meanwhile
            fhir_parallel.warm()
        batch = _read(conn)
        while batch is not None:
            message = conn.recv()
            if message[0] != "plan":
                break
            _plan(conn, batch, message[1])
    except (EOFError, OSError):
        pass  # the UI process closed the pipe (or is gone): nothing to answer
    except BaseException as exc:  # anything else: its type, never its message
        _send_quietly(conn, ("failed", type(exc).__name__))
    finally:
        conn.close()


def _send_quietly(conn: Connection, message: tuple[Any, ...]) -> None:
    with contextlib.suppress(OSError, ValueError):
        conn.send(message)


def _read(conn: Connection) -> ImportBatch | None:
    """Answer the read request; the batch, or None once the read failed or was cancelled."""
    _, request = conn.recv()
    stop: list[bool] = []

    def cancelled() -> bool:
        # The only message the UI process sends during a read is a cancel (or it closes).
        if not stop and conn.poll():
            stop.append(True)
        return bool(stop)

    try:
        batch = request.read(
            progress=lambda done, total: conn.send(("progress", done, total)),
            cancelled=cancelled,
        )
    except IngestCancelled:
        _send_quietly(conn, ("cancelled",))
        return None
    except IngestError as exc:  # PHI-free by construction; it pickles with its parts
        conn.send(("error", exc))
        return None
    except (EOFError, OSError):
        raise
    except Exception as exc:
        conn.send(("failed", type(exc).__name__))
        return None
    shell = replace(batch, appointments=(), callbacks=(), systems_seen=batch.source_systems)
    conn.send(("read", shell))
    return batch


def _plan(conn: Connection, batch: ImportBatch, job: PlanJob) -> None:
    rows: list[tuple[Any, ...]] = []
    for _ in range(job.rows):
        rows.extend(conn.recv()[1])
    try:
        plan = plan_with(
            replace(job.inputs, rows=rows),
            batch,
            vma=job.vma,
            now=job.now,
            mapping=job.mapping,
            mapping_key=job.mapping_key,
        )
    except Exception as exc:
        conn.send(("failed", type(exc).__name__))
        return
    changes = change_tuples(plan)
    for start in range(0, len(changes), CHANGES_PER_MESSAGE):
        conn.send(("changes", changes[start : start + CHANGES_PER_MESSAGE]))
    conn.send(("planned", plan.skipped, plan.skipped_reasons, plan.missing_ids))
