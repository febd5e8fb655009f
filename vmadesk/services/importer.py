"""Import a practice's export (FHIR R4 or CSV) into owned lanes: read, plan, preview, apply.

The use case has two halves so the GUI can show a preview before anything is written:

- :func:`plan_import` (:mod:`~vmadesk.services.import_plan`) reads the store (never writes)
  and decides, per record of an :class:`~vmadesk.ingest.ImportBatch`, which items to create,
  update, close or reopen;
- :func:`apply_import` (:mod:`~vmadesk.services.import_apply`) writes the whole plan in
  **one** transaction with one ``IMPORT`` audit entry: either every change is kept or none
  is (a cancel or a crash rolls back).

This module holds the entry points (:func:`import_file`, :func:`read_for_practice`,
:func:`resolve_practice`) and re-exports the names callers use, so ``from
vmadesk.services import importer`` stays the one import the CLI, the dialog and the tests
need. Reports and audit details carry counts, codes and item ids only: never a name,
phone, date of birth or member id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from vmadesk.ingest import DEFAULT_MAX_BYTES, CsvMapping, ImportBatch, read_file
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.csv_mappings import (
    CsvHeaders,
    csv_headers,
    remember_mapping,
    remembered_mapping,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.import_apply import (
    HOOK_ACTIONS,
    Cancelled,
    ImportCancelled,
    Progress,
    apply_import,
    write_plan,
)
from vmadesk.services.import_inputs import store_mark
from vmadesk.services.import_plan import (
    ACTIVE_STATUSES,
    CLOSING_STATUSES,
    ChangeKind,
    ImportPlan,
    ItemChange,
    plan_import,
)
from vmadesk.services.import_practice import (
    DEFAULT_PRACTICE_CODE,
    add_default_practice,
    find_practice,
    resolve_practice,
)
from vmadesk.services.import_report import ImportReport, error_dict
from vmadesk.services.lane_import import import_lane_file
from vmadesk.services.practice_setup import PracticeContext, load_context
from vmadesk.store import practices
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.settings_store import vma_handle

__all__ = [
    "ACTIVE_STATUSES",
    "CLOSING_STATUSES",
    "DEFAULT_PRACTICE_CODE",
    "HOOK_ACTIONS",
    "Cancelled",
    "ChangeKind",
    "CsvHeaders",
    "ImportCancelled",
    "ImportPlan",
    "ImportReport",
    "ItemChange",
    "Progress",
    "ReadRequest",
    "apply_import",
    "apply_previewed",
    "csv_headers",
    "error_dict",
    "find_practice",
    "import_file",
    "mapping_key",
    "plan_import",
    "plan_provisionally",
    "read_for_practice",
    "read_request",
    "remember_mapping",
    "remembered_mapping",
    "resolve_practice",
    "store_mark",
    "vma_handle",
]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class _Provisional(Exception):
    """Ends the transaction that planned against a provisional practice (rolled back)."""

    def __init__(self, result: object) -> None:
        super().__init__("provisional practice")
        self.result = result


def plan_provisionally(conn: Connection, plan_with: Callable[[PracticeContext], _T]) -> _T:
    """Plan a preview for a profile without practices, writing nothing.

    The "Default practice" the import will create exists only inside a transaction that is
    rolled back once ``plan_with`` returned; :func:`apply_previewed` creates it again, with
    the items, when the VMA imports. A preview that is refused or closed leaves no trace.
    """
    try:
        with transaction(conn):
            raise _Provisional(plan_with(load_context(conn, add_default_practice(conn))))
    except _Provisional as done:
        return done.result  # type: ignore[return-value]


def apply_previewed(
    conn: Connection,
    plan: ImportPlan,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    on_change: ChangeHook | None = None,
) -> ImportReport:
    """Write a previewed plan, as :func:`apply_import`.

    A plan from :func:`plan_provisionally` creates its "Default practice" in the import's own
    transaction, so a cancel rolls the practice back with the items.

    Raises:
        ActionRefused: A practice was added since the preview (preview the file again).
        ImportCancelled: ``cancelled()`` returned True; nothing was written.
    """
    if any(p.id == plan.practice_id for p in practices.list_practices(conn)):
        return apply_import(conn, plan, progress=progress, cancelled=cancelled, on_change=on_change)
    with transaction(conn):
        if practices.list_practices(conn) or add_default_practice(conn) != plan.practice_id:
            raise ActionRefused("A practice was added since the preview: open the file again.")
        plan = write_plan(conn, plan, progress=progress, cancelled=cancelled, on_change=on_change)
    log.info("import applied: %s", plan.summary())
    return ImportReport.from_plan(plan, dry_run=False)


@dataclass(frozen=True)
class ReadRequest:
    """One file read with a practice's settings: everything :func:`read_file` is given.

    Plain, picklable values (no PHI: a path, a column mapping, settings), so the GUI can
    have the read done in another process (:mod:`vmadesk.services.import_offload`).
    """

    path: Path
    fmt: Literal["auto", "fhir", "csv"]
    region: str
    practice_tz: str
    mapping: CsvMapping | None
    source_system: str | None
    max_bytes: int

    def read(
        self, *, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> ImportBatch:
        """Read the file (see :func:`read_file`)."""
        with gc_paused():  # the CSV reader builds its records unpaused (a FHIR read pauses itself)
            return read_file(
                self.path,
                fmt=self.fmt,
                region=self.region,
                practice_tz=self.practice_tz,
                mapping=self.mapping,
                source_system=self.source_system,
                max_bytes=self.max_bytes,
                progress=progress,
                cancelled=cancelled,
            )


def read_request(
    conn: Connection,
    path: Path,
    *,
    practice: PracticeContext,
    fmt: Literal["auto", "fhir", "csv"] = "auto",
    mapping: CsvMapping | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[ReadRequest, CsvMapping | None]:
    """How to read a file for a practice: its region and zone, the remembered CSV mapping.

    Returns:
        The request and the mapping to remember once the import is kept (the one given,
        or None).

    Raises:
        IngestError: The file cannot be read.
    """
    path = Path(path)
    remember = mapping  # a mapping the caller chose is remembered once the import is kept
    source_system = None
    if fmt != "fhir":
        headers = csv_headers(path, max_bytes=max_bytes)
        if headers is not None:
            # A CSV export's rows are identified within the practice, whatever its columns:
            # the same Appt ID in next week's export (with a column more or less) is the
            # same appointment. The header digest only keys the remembered mapping.
            source_system = f"csv:{practice.code}"
            if mapping is None and headers.detected is None:
                mapping = remembered_mapping(conn, headers.source_system)
    request = ReadRequest(
        path=path,
        fmt=fmt,
        region=practice.region,
        practice_tz=practice.tz,
        mapping=mapping,
        source_system=source_system,
        max_bytes=max_bytes,
    )
    return request, remember


def read_for_practice(
    conn: Connection,
    path: Path,
    *,
    practice: PracticeContext,
    fmt: Literal["auto", "fhir", "csv"] = "auto",
    mapping: CsvMapping | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[ImportBatch, CsvMapping | None]:
    """Read a file with the practice's region and zone, and the remembered CSV mapping.

    Returns:
        The batch and the mapping to remember (the one given, or None).

    Raises:
        IngestError: The file is refused.
        IngestCancelled: The caller cancelled.
    """
    request, remember = read_request(
        conn, path, practice=practice, fmt=fmt, mapping=mapping, max_bytes=max_bytes
    )
    return request.read(progress=progress, cancelled=cancelled), remember


def mapping_key(path: Path) -> str | None:
    """The key a CSV file's column mapping is remembered under (its header layout)."""
    headers = csv_headers(Path(path))
    return None if headers is None else headers.source_system


def import_file(
    target: Any,
    path: Path,
    *,
    practice_id: int | None = None,
    fmt: Literal["auto", "fhir", "csv"] = "auto",
    mapping: CsvMapping | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    vma: str | None = None,
    now: datetime | None = None,
    clock: Clock = system_clock,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_change: ChangeHook | None = None,
) -> ImportReport:
    """Read, plan and (unless ``dry_run``) apply one file.

    Args:
        target: An ``UnlockedProfile`` (its ``conn`` is used) or a connection.
        path: The export.
        practice_id: The practice; None for the only one (a profile without any gets a
            "Default practice", created in the transaction that keeps the items).
        fmt: ``auto``, ``fhir`` or ``csv``.
        mapping: CSV column mapping; None for the built-in one or the remembered one.
        dry_run: Plan only; write nothing.
        progress: Called with (done, total) while reading and while writing.
        cancelled: Polled; True stops and keeps nothing.
        vma: Owner of new items (default: the profile's handle).
        now: The import's clock (default: ``clock()``).
        clock: Where ``now`` comes from.
        max_bytes: Largest file accepted.
        on_change: Item hook (:func:`vmadesk.sync.item_events.make_change_hook`), called in
            the import's transaction for every created, closed or reopened item.

    Raises:
        IngestError: The file is refused; nothing was written.
        IngestCancelled / ImportCancelled: Cancelled; nothing was written.
        ActionRefused: No such practice, or several and none chosen.
    """
    conn: Connection = getattr(target, "conn", target)
    practice = load_context(conn, practice_id) if practice_id is not None else find_practice(conn)
    # A prior-authorization or referral worklist is read and written by its lanes' import.
    lane_report = import_lane_file(
        conn, path, practice, owner=vma or vma_handle(conn), now=now or clock(),
        max_bytes=max_bytes, dry_run=dry_run, on_change=on_change,
        new_practice=add_default_practice,
    )  # fmt: skip
    if lane_report is not None:
        return lane_report
    run = _ImportRun(
        conn,
        path,
        fmt=fmt,
        mapping=mapping,
        vma=vma,
        now=now or clock(),
        max_bytes=max_bytes,
        progress=progress,
        cancelled=cancelled,
    )
    # One pause over read, plan and write: the collector comes back (see gc_pause) once,
    # not after each phase; gc_paused restores it also when the file is refused or cancelled.
    with gc_paused():
        if practice is None:
            return run.into_new_practice(dry_run=dry_run, on_change=on_change)
        plan = run.plan(practice)
        if dry_run:
            return ImportReport.from_plan(plan, dry_run=True)
        return apply_import(conn, plan, progress=progress, cancelled=cancelled, on_change=on_change)


class _DryRunDone(Exception):
    """Ends a dry run's transaction (rolled back) with its report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


@dataclass
class _ImportRun:
    """One :func:`import_file` call's read and plan."""

    conn: Connection
    path: Path
    fmt: Literal["auto", "fhir", "csv"]
    mapping: CsvMapping | None
    vma: str | None
    now: datetime
    max_bytes: int
    progress: Progress | None
    cancelled: Cancelled | None

    def plan(self, practice: PracticeContext) -> ImportPlan:
        batch, used = read_for_practice(
            self.conn,
            self.path,
            practice=practice,
            fmt=self.fmt,
            mapping=self.mapping,
            max_bytes=self.max_bytes,
            progress=self.progress,
            cancelled=self.cancelled,
        )
        return plan_import(
            self.conn,
            batch,
            practice_id=practice.id,
            vma=self.vma or vma_handle(self.conn),
            now=self.now,
            mapping=used,
            mapping_key=mapping_key(self.path) if used is not None else None,
        )

    def into_new_practice(self, *, dry_run: bool, on_change: ChangeHook | None) -> ImportReport:
        """Import into a "Default practice" created in the same transaction as the items.

        A refused file, a cancel or a dry run rolls the practice back with everything
        else: the profile is left exactly as it was.
        """
        try:
            with transaction(self.conn):
                plan = self.plan(load_context(self.conn, add_default_practice(self.conn)))
                if dry_run:
                    raise _DryRunDone(ImportReport.from_plan(plan, dry_run=True))
                plan = write_plan(
                    self.conn,
                    plan,
                    progress=self.progress,
                    cancelled=self.cancelled,
                    on_change=on_change,
                )
        except _DryRunDone as done:
            return done.report
        log.info("import applied: %s", plan.summary())
        return ImportReport.from_plan(plan, dry_run=False)
