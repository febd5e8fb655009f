"""An import as the console runs it: read and plan on a worker, then write on a worker.

The import dialog shows and asks; this module decides: which reader a file takes (a prior-
authorization or referral worklist, or an appointment export read in the import process), which
practice it goes to (a profile without any gets its "Default practice" only when the import is
written), what the open items the export no longer lists are, and how the write runs (one
transaction, hub messages queued in it once the profile is enrolled). Each job opens its own
connection (:meth:`~vmadesk.services.console.Console.for_worker`) and closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vmadesk.services import import_offload, importer, lane_import
from vmadesk.services.console import Console
from vmadesk.services.import_missing import missing_items
from vmadesk.services.import_types import CsvMapping
from vmadesk.services.lane_import import LanePlan
from vmadesk.services.practice_setup import PracticeContext, load_context
from vmadesk.services.views import ItemRow

#: Reports progress: ``(done, total, what)``; a total of 0 means "no total known".
Report = Callable[[int, int, str], None]
#: Polled while working: True stops the job and keeps nothing.
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class PlannedImport:
    """A file read and planned, not written (PHI in the plan: memory only).

    Attributes:
        plan: The appointment plan, or a PA or referral worklist's.
        zone: The practice's IANA zone (appointment plans; None for a worklist).
        missing: The first open items the export no longer lists (appointment plans).
    """

    plan: importer.ImportPlan | LanePlan
    zone: str | None = None
    missing: list[ItemRow] = field(default_factory=list)


def plan_import(
    console: Console,
    path: Path,
    *,
    practice_id: int | None,
    mapping: CsvMapping | None,
    vma: str,
    now: datetime,
    process: import_offload.ImportProcess | None,
    report: Report,
    cancelled: Cancelled,
    missing_rows: int,
) -> PlannedImport:
    """Read and plan ``path`` (on a worker thread); nothing is written.

    Raises:
        IngestError: The file is refused. IngestCancelled: cancelled.
        ActionRefused: No such practice, or several and none chosen.
    """
    worker = console.for_worker()
    conn = worker.conn
    try:

        def plan_for(practice: PracticeContext) -> tuple[PracticeContext, importer.ImportPlan]:
            return practice, import_offload.read_and_plan(
                conn,
                path,
                practice=practice,
                vma=vma,
                now=now,
                mapping=mapping,
                progress=lambda done, total: report(done, total, "Reading"),
                cancelled=cancelled,
                planning=lambda: report(0, 0, "Comparing with your work"),
                process=process,
            )

        # A prior-authorization or referral worklist: its lanes' reader, counts per lane.
        lanes = lane_import.plan_lane_import(conn, path, practice_id=practice_id, vma=vma, now=now)
        if lanes is not None:
            if process is not None:
                process.close()  # the appointment reader is not needed
            return PlannedImport(lanes)
        found = (
            load_context(conn, practice_id)
            if practice_id is not None
            else importer.find_practice(conn)
        )
        # A profile without practices: the preview writes nothing (the import creates the
        # "Default practice" with its items).
        practice, plan = (
            importer.plan_provisionally(conn, plan_for) if found is None else plan_for(found)
        )
        return PlannedImport(plan, practice.tz, missing_items(conn, plan.missing_ids, missing_rows))
    finally:
        worker.close()


def apply_import(
    console: Console,
    plan: importer.ImportPlan | LanePlan,
    *,
    report: Report,
    cancelled: Cancelled,
) -> importer.ImportReport:
    """Write a planned import in one transaction (on a worker thread).

    A worklist is read again and written all or nothing; an appointment plan is written as
    previewed. Claims and item events join the transaction once the profile is enrolled.

    Raises:
        ImportCancelled: cancelled; nothing was written.
    """
    worker = console.for_worker()
    if isinstance(plan, LanePlan):
        try:
            return importer.import_file(
                worker.conn, plan.path, practice_id=plan.practice_id, on_change=worker.change_hook
            )
        finally:
            worker.close()
    try:
        return importer.apply_previewed(
            worker.conn,
            plan,
            progress=lambda done, total: report(done, total, "Importing"),
            cancelled=cancelled,
            on_change=worker.change_hook,
        )
    finally:
        plan.release()  # written or rolled back, the plan is spent
        worker.close()
