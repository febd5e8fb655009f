"""Import a practice's export (FHIR R4 or CSV) into owned lanes: plan, preview, apply.

The use case has two halves so the GUI can show a preview before anything is written:

- :func:`plan_import` reads the store (never writes) and decides, per record of an
  :class:`~vmadesk.ingest.ImportBatch`, which items to create, update, close or reopen;
- :func:`apply_import` writes the whole plan in **one** transaction with one ``IMPORT``
  audit entry: either every change is kept or none is (a cancel or a crash rolls back).

Items are keyed by ``(source_system, source_id, lane)`` (UNIQUE in the schema), so a
re-import updates in place and never duplicates. Reports and audit details carry counts,
codes and item ids only: never a name, phone, date of birth or member id.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.sla import compute_due
from vmadesk.domain.status_rules import check_transition
from vmadesk.domain.vocabulary import CloseReason, ItemStatus, Lane
from vmadesk.ingest import (
    DEFAULT_MAX_BYTES,
    AppointmentRecord,
    AppointmentStatus,
    CallbackRecord,
    CsvMapping,
    ImportBatch,
    IngestError,
    read_file,
)
from vmadesk.ingest.csv_mapping import detect_mapping
from vmadesk.ingest.csv_reader import header_digest, sniff_delimiter
from vmadesk.ingest.detect import decode_text, sniff_format
from vmadesk.ingest.fhir_parallel import gc_paused
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.services.item_factory import (
    AppointmentWork,
    CallbackRequest,
    Patient,
    appointment_columns,
    callback_columns,
    timing_columns,
)
from vmadesk.services.practice_setup import PracticeContext, add_practice, load_context
from vmadesk.store import audit, practices
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import ITEM_COLUMNS, WRITABLE, ItemRow
from vmadesk.store.timestamps import from_db, to_db

log = logging.getLogger(__name__)

#: Appointments starting within this span from now get a confirmation item. Two weeks is
#: the usual reminder horizon of practice-management systems (and what VMAs are asked to
#: confirm): further out, patients' plans still change and a confirmation would be redone.
CONFIRMATION_WINDOW = timedelta(days=14)
#: A completed eligibility check for the same patient, payer and member id this recent
#: counts as verified: payers' monthly eligibility files make older answers stale.
ELIGIBILITY_FRESH = timedelta(days=30)

#: Appointment statuses that still need work before the visit.
ACTIVE_STATUSES = frozenset(
    {
        AppointmentStatus.BOOKED,
        AppointmentStatus.PENDING,
        AppointmentStatus.PROPOSED,
        AppointmentStatus.ARRIVED,
        AppointmentStatus.CHECKED_IN,
    }
)
#: Appointment statuses that close their open items, with the reason recorded.
CLOSING_STATUSES: dict[AppointmentStatus, CloseReason] = {
    AppointmentStatus.CANCELLED: CloseReason.APPOINTMENT_CANCELLED,
    AppointmentStatus.NOSHOW: CloseReason.APPOINTMENT_NOSHOW,
    AppointmentStatus.ENTERED_IN_ERROR: CloseReason.ENTERED_IN_ERROR,
}
_IMPORT_CLOSE_REASONS = frozenset(r.value for r in CLOSING_STATUSES.values())

#: Columns compared to decide whether an open item changed (patient contact, appointment).
_COMPARED_APPOINTMENT = (
    "patient_family",
    "patient_given",
    "patient_dob",
    "patient_ref",
    "phone",
    "phone_raw",
    "appointment_start",
    "appointment_end",
    "appointment_type",
    "provider",
    "location",
    "payer",
    "member_id",
    "plan",
    "search_text",
)
_COMPARED_CALLBACK = (
    "patient_family",
    "patient_given",
    "patient_dob",
    "patient_ref",
    "phone",
    "phone_raw",
    "reason",
    "window_start",
    "window_end",
    "search_text",
)
_MOVED_NOTE = {
    Lane.CONFIRMATION: "appointment moved; confirm again",
    Lane.ELIGIBILITY: "appointment moved; verify coverage again",
}
_REBOOKED_NOTE = "appointment booked again; work it again"
_COVERAGE_NOTE = "coverage changed; verify again"
_MAPPING_KEY = "csv_mapping:"
#: How many rows one executemany writes between progress reports and cancel checks.
_CHUNK = 500
#: Default practice created when a profile has none (CLI convenience).
DEFAULT_PRACTICE_CODE = "default"
DEFAULT_PRACTICE_NAME = "Default practice"
DEFAULT_PRACTICE_TZ = "America/New_York"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
ChangeKind = Literal["create", "update", "close", "reopen"]


class ImportCancelled(Exception):
    """The caller cancelled while the plan was being written; nothing was kept."""


@dataclass(frozen=True)
class ItemChange:
    """One planned change to one item (``values`` hold PHI: memory and screen only)."""

    kind: ChangeKind
    lane: Lane
    item_id: int | None
    values: dict[str, Any]
    location_in_file: str
    note: str | None = None

    @property
    def patient(self) -> str:
        """The patient as the preview shows it."""
        family = self.values.get("patient_family", "")
        given = self.values.get("patient_given", "")
        return f"{family}, {given}" if family and given else family or given

    @property
    def when(self) -> str | None:
        """Appointment start (stored form), if the change carries one."""
        return self.values.get("appointment_start")


@dataclass
class ImportPlan:
    """What an import would do: the changes, and PHI-free counts."""

    practice_id: int
    vma: str
    now: datetime
    batch: ImportBatch
    changes: list[ItemChange]
    skipped: int
    missing_ids: tuple[int, ...]
    store_mark: tuple[Any, ...]
    mapping: CsvMapping | None = None
    fmt: str = "auto"

    def count(self, kind: ChangeKind, lane: Lane | None = None) -> int:
        """How many changes of a kind (in a lane)."""
        return sum(1 for c in self.changes if c.kind == kind and (lane is None or c.lane is lane))

    @property
    def created(self) -> int:
        """Items to create."""
        return self.count("create")

    @property
    def updated(self) -> int:
        """Items to update in place (reopened items count as updated)."""
        return self.count("update") + self.count("reopen")

    @property
    def closed(self) -> int:
        """Open items to close (cancelled / no-show / entered in error)."""
        return self.count("close")

    @property
    def missing(self) -> int:
        """Open items whose appointment a full export no longer lists."""
        return len(self.missing_ids)

    def by_lane(self) -> dict[str, dict[str, int]]:
        """Counts per lane: created, updated, closed, reopened."""
        out: dict[str, dict[str, int]] = {}
        for lane in Lane:
            out[lane.value] = {
                "created": self.count("create", lane),
                "updated": self.count("update", lane),
                "reopened": self.count("reopen", lane),
                "closed": self.count("close", lane),
            }
        return out

    def summary(self) -> dict[str, Any]:
        """PHI-free counts (what a report, a log line or the audit chain may hold)."""
        return {
            "created": self.created,
            "updated": self.updated,
            "closed": self.closed,
            "skipped": self.skipped,
            "missing": self.missing,
        }

    @property
    def has_changes(self) -> bool:
        """Whether applying would write any item."""
        return bool(self.changes)


@dataclass
class ImportReport:
    """The outcome of an import (counts, item ids and error locations: no PHI)."""

    created: int = 0
    updated: int = 0
    closed: int = 0
    skipped: int = 0
    missing: int = 0
    missing_ids: tuple[int, ...] = ()
    errors: list[dict[str, str | None]] = field(default_factory=list)
    dry_run: bool = False
    by_lane: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: ImportPlan, *, dry_run: bool) -> ImportReport:
        """The report of a plan (applied or not)."""
        return cls(
            created=plan.created,
            updated=plan.updated,
            closed=plan.closed,
            skipped=plan.skipped,
            missing=plan.missing,
            missing_ids=plan.missing_ids,
            dry_run=dry_run,
            by_lane=plan.by_lane(),
        )

    @classmethod
    def from_error(cls, exc: IngestError) -> ImportReport:
        """The report of a refused file: nothing imported, one located error."""
        return cls(errors=[error_dict(exc)])

    def to_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints."""
        return {
            "created": self.created,
            "updated": self.updated,
            "closed": self.closed,
            "skipped": self.skipped,
            "missing": self.missing,
            "missing_item_ids": list(self.missing_ids),
            "dry_run": self.dry_run,
            "errors": list(self.errors),
        }

    @property
    def changed(self) -> bool:
        """Whether anything was (or, for a dry run, would be) written."""
        return bool(self.created or self.updated or self.closed)


def error_dict(exc: IngestError) -> dict[str, str | None]:
    """An :class:`IngestError` as JSON-ready fields (file, location, field, reason)."""
    return {"file": exc.file, "location": exc.location, "field": exc.field, "reason": exc.reason}


# -- practice ------------------------------------------------------------------------------


def resolve_practice(conn: Connection, code: str | None = None) -> PracticeContext:
    """The practice an import goes to.

    Args:
        conn: Connection.
        code: The practice's code; None for the only practice (a profile without any
            gets a "Default practice" in America/New_York).

    Raises:
        ActionRefused: Unknown code, or several practices and no code (lists the codes).
    """
    if code is not None:
        row = practices.find_practice(conn, code)
        if row is None:
            known = ", ".join(p.code for p in practices.list_practices(conn)) or "none"
            raise ActionRefused(f"No practice with code '{code}' (known: {known}).")
        return load_context(conn, row.id)
    rows = practices.list_practices(conn)
    if len(rows) == 1:
        return load_context(conn, rows[0].id)
    if rows:
        codes = ", ".join(sorted(p.code for p in rows))
        raise ActionRefused(f"Several practices; choose one with --practice ({codes}).")
    with transaction(conn):
        practice_id = add_practice(
            conn,
            code=DEFAULT_PRACTICE_CODE,
            name=DEFAULT_PRACTICE_NAME,
            hours=BusinessHours.default(DEFAULT_PRACTICE_TZ),
        )
    return load_context(conn, practice_id)


def vma_handle(conn: Connection) -> str:
    """The profile's VMA handle (owner of imported items)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'vma_handle'").fetchone()
    return str(row[0]) if row else "vma"


# -- remembered CSV mappings ------------------------------------------------------------------


def remembered_mapping(conn: Connection, source_system: str) -> CsvMapping | None:
    """The mapping last used for this CSV source (column names only), if any."""
    row = conn.execute(
        "SELECT value FROM settings WHERE key = ?", (_MAPPING_KEY + source_system,)
    ).fetchone()
    if row is None:
        return None
    try:
        return CsvMapping.from_json(row[0])
    except ValueError:
        return None


def remember_mapping(conn: Connection, source_system: str, mapping: CsvMapping) -> None:
    """Keep a CSV mapping for this source in the encrypted settings (call in a transaction)."""
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
        " SET value = excluded.value",
        (_MAPPING_KEY + source_system, mapping.to_json()),
    )


@dataclass(frozen=True)
class CsvHeaders:
    """A CSV file's header row and what the built-in mapping makes of it."""

    headers: tuple[str, ...]
    source_system: str
    detected: CsvMapping | None


def csv_headers(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CsvHeaders | None:
    """The header row of a CSV file (None when the file is not CSV text).

    Headers are column names, not PHI; they are shown in the mapping dialog only.

    Raises:
        IngestError: The file cannot be read or is not text.
    """
    path = Path(path)
    from vmadesk.ingest.context import ReadContext

    ctx = ReadContext(file_name=path.name)
    try:
        if path.stat().st_size > max_bytes:
            return None
        # The header row is near the top; 64 KiB is plenty and keeps this cheap.
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError as exc:
        raise IngestError(
            path.name, f"cannot read the file ({exc.strerror or 'I/O error'})"
        ) from None
    # Cut at the last line end so a multi-byte character is not split.
    cut = max(head.rfind(b"\n"), 0) if len(head) == 64 * 1024 else len(head)
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


# -- planning ------------------------------------------------------------------------------


def store_mark(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint of the items table: changes when any item is written."""
    return tuple(conn.execute("SELECT count(*), max(id), max(updated_at) FROM items").fetchone())


def _existing(conn: Connection, source_system: str) -> dict[tuple[str, str], ItemRow]:
    rows = conn.execute(
        f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE source_system = ?", (source_system,)
    ).fetchall()
    return {(r[4], r[2]): ItemRow(*r) for r in rows}


def _coverage_key(patient_ref: str | None, family: str, payer: Any, member_id: Any) -> tuple:
    return (patient_ref or f"name:{family}", payer or "", member_id or "")


def _recently_verified(conn: Connection, practice_id: int, now: datetime) -> set[tuple]:
    """Coverage keys with a completed eligibility check within :data:`ELIGIBILITY_FRESH`."""
    rows = conn.execute(
        "SELECT patient_ref, patient_family, payer, member_id FROM items"
        " WHERE lane = 'eligibility' AND status = 'completed' AND practice_id = ?"
        " AND closed_at >= ?",
        (practice_id, to_db(now - ELIGIBILITY_FRESH)),
    ).fetchall()
    return {_coverage_key(*r) for r in rows}


def _work(record: AppointmentRecord) -> AppointmentWork:
    p, cov = record.patient, record.coverage
    return AppointmentWork(
        source_system=record.source_system,
        source_id=record.source_id,
        patient=Patient(
            family=p.family,
            given=p.given,
            birth_date=p.birth_date,
            phone=p.phone_e164,
            phone_raw=p.phone_raw,
            ref=p.source_id or None,
        ),
        start=record.start,
        end=record.end,
        appointment_type=record.appointment_type,
        provider=record.provider,
        location=record.location,
        payer=cov.payer if cov else None,
        member_id=cov.member_id if cov else None,
        plan=cov.plan if cov else None,
    )


def _held(item: ItemRow) -> timedelta:
    return timedelta(seconds=item.held_seconds)


def _diff(item: ItemRow, new: dict[str, Any], compared: Iterable[str]) -> dict[str, Any]:
    return {c: new[c] for c in compared if getattr(item, c) != new[c]}


def _close_values(item: ItemRow, reason: CloseReason, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": ItemStatus.CANCELLED.value,
        "status_reason": reason.value,
        "next_attempt_at": None,
        "updated_at": to_db(now),
        "closed_at": to_db(now),
    }
    if item.status == ItemStatus.ON_HOLD.value:
        # Closing ends the hold: keep the time it lasted, as WorkService does.
        started = from_db(item.hold_started) if item.hold_started else now
        held = _held(item) + max(now - started, timedelta(0))
        values.update(held_seconds=int(held.total_seconds()), hold_started=None, hold_until=None)
    return values


def _reopen_values(item: ItemRow, now: datetime) -> dict[str, Any]:
    check_transition(ItemStatus(item.status), ItemStatus.REQUESTED, reopen=True)
    return {
        "status": ItemStatus.REQUESTED.value,
        "status_reason": None,
        "closed_at": None,
        "outcome": None,
        "outcome_json": None,
        "next_attempt_at": None,
        "attempt_count": 0,
        "hold_until": None,
        "hold_reason": None,
        "hold_started": None,
        "updated_at": to_db(now),
    }


class _Planner:
    def __init__(
        self, conn: Connection, batch: ImportBatch, ctx: PracticeContext, vma: str, now: datetime
    ) -> None:
        self.batch, self.ctx, self.vma, self.now = batch, ctx, vma, now
        self.existing = _existing(conn, batch.source_system)
        self.verified = (
            _recently_verified(conn, ctx.id, now) if batch.kind == "appointments" else set()
        )
        self.changes: list[ItemChange] = []
        self.skipped = 0
        self.horizon = now + CONFIRMATION_WINDOW

    def _timing(self, lane: Lane, start: datetime, item: ItemRow) -> dict[str, Any]:
        due = compute_due(self.ctx.policies[lane], self.ctx.hours, appointment_start=start)
        return timing_columns(self.ctx, lane, due, _held(item))

    def appointment(self, record: AppointmentRecord) -> None:
        before = len(self.changes)
        work = _work(record)
        for lane in (Lane.CONFIRMATION, Lane.ELIGIBILITY):
            item = self.existing.get((record.source_id, lane.value))
            self._appointment_lane(record, work, lane, item)
        if len(self.changes) == before:
            self.skipped += 1

    def _add(self, kind: ChangeKind, lane: Lane, item: ItemRow | None, values: dict[str, Any],
             where: str, note: str | None = None) -> None:  # fmt: skip
        item_id = item.id if item is not None else None
        self.changes.append(ItemChange(kind, lane, item_id, values, where, note))

    def _appointment_lane(
        self, record: AppointmentRecord, work: AppointmentWork, lane: Lane, item: ItemRow | None
    ) -> None:
        now, where = self.now, record.location_in_file
        status = record.status
        if status in CLOSING_STATUSES:
            if item is not None and ItemStatus(item.status).is_open:
                values = _close_values(item, CLOSING_STATUSES[status], now)
                self._add("close", lane, item, {**_display(item), **values}, where)
            return
        if status not in ACTIVE_STATUSES or record.start < now:
            return  # fulfilled, waitlisted or past: nothing to prepare
        new = appointment_columns(self.ctx, lane, work, owner=self.vma, now=now)
        if item is None:
            if lane is Lane.CONFIRMATION and record.start > self.horizon:
                return  # a later import creates it once the visit is inside the window
            if lane is Lane.ELIGIBILITY:
                key = _coverage_key(
                    new["patient_ref"], new["patient_family"], new["payer"], new["member_id"]
                )
                if key in self.verified:
                    return
            self._add("create", lane, None, new, where)
            return
        diff = _diff(item, new, _COMPARED_APPOINTMENT)
        moved = "appointment_start" in diff
        if ItemStatus(item.status).is_open:
            if not diff:
                return
            if moved:
                diff.update(self._timing(lane, record.start, item))
            diff["updated_at"] = to_db(now)
            self._add("update", lane, item, {**_display(item), **diff}, where)
            return
        note = self._reopen_note(item, lane, moved, diff)
        if note is None:
            return
        values = {**diff, **_reopen_values(item, now), **self._timing(lane, record.start, item)}
        self._add("reopen", lane, item, {**_display(item), **values}, where, note)

    def _reopen_note(
        self, item: ItemRow, lane: Lane, moved: bool, diff: dict[str, Any]
    ) -> str | None:
        """Why a closed item is worked again, or None to leave it closed."""
        if (
            item.status == ItemStatus.CANCELLED.value
            and item.status_reason in _IMPORT_CLOSE_REASONS
        ):
            return _REBOOKED_NOTE  # closed by an import, and the appointment is back
        if item.status != ItemStatus.COMPLETED.value:
            return None
        if lane is Lane.CONFIRMATION:
            return _MOVED_NOTE[lane] if moved else None
        if "payer" in diff or "member_id" in diff:
            return _COVERAGE_NOTE
        closed = from_db(item.closed_at) if item.closed_at else self.now
        if moved and closed < self.now - ELIGIBILITY_FRESH:
            return _MOVED_NOTE[lane]
        return None

    def callback(self, record: CallbackRecord) -> None:
        now = self.now
        requested = (
            record.window_start if record.window_start and record.window_start > now else now
        )
        request = CallbackRequest(
            source_system=record.source_system,
            source_id=record.source_id,
            patient=Patient(
                family=record.name_family,
                given=record.name_given,
                phone=record.phone_e164,
                phone_raw=record.phone_raw,
            ),
            reason=record.reason,
            requested_at=requested,
            window_start=record.window_start,
            window_end=record.window_end,
        )
        new = callback_columns(self.ctx, request, owner=self.vma, now=now)
        item = self.existing.get((record.source_id, Lane.CALLBACK.value))
        if item is None:
            self._add("create", Lane.CALLBACK, None, new, record.location_in_file)
            return
        diff = _diff(item, new, _COMPARED_CALLBACK) if ItemStatus(item.status).is_open else {}
        if not diff:
            self.skipped += 1
            return
        diff["updated_at"] = to_db(now)
        self._add(
            "update", Lane.CALLBACK, item, {**_display(item), **diff}, record.location_in_file
        )

    def missing(self) -> tuple[int, ...]:
        if not self.batch.full_export:
            return ()
        if self.batch.kind == "appointments":
            lanes = {Lane.CONFIRMATION.value, Lane.ELIGIBILITY.value}
            present = {r.source_id for r in self.batch.appointments}
        else:
            lanes = {Lane.CALLBACK.value}
            present = {r.source_id for r in self.batch.callbacks}
        return tuple(
            sorted(
                item.id
                for (source_id, lane), item in self.existing.items()
                if lane in lanes
                and source_id not in present
                and item.practice_id == self.ctx.id
                and ItemStatus(item.status).is_open
            )
        )


def _display(item: ItemRow) -> dict[str, Any]:
    """What the preview shows of an existing item (overridden by changed values)."""
    return {
        "patient_family": item.patient_family,
        "patient_given": item.patient_given,
        "appointment_start": item.appointment_start,
    }


def plan_import(
    conn: Connection,
    batch: ImportBatch,
    *,
    practice_id: int,
    vma: str,
    now: datetime,
    mapping: CsvMapping | None = None,
) -> ImportPlan:
    """Decide what importing ``batch`` changes; reads the store, writes nothing.

    Args:
        conn: Connection (any thread's own).
        batch: What the reader returned.
        practice_id: The practice the work belongs to.
        vma: Owner of new items.
        now: The import's clock (window, past appointments, due times).
        mapping: The CSV mapping used, remembered for the source when applied.

    Returns:
        The plan, with PHI-free counts in :meth:`ImportPlan.summary`.
    """
    ctx = load_context(conn, practice_id)
    mark = store_mark(conn)
    planner = _Planner(conn, batch, ctx, vma, now)
    with gc_paused():  # no full collections (UI stalls) while the plan's rows pile up
        for record in batch.appointments:
            planner.appointment(record)
        for callback in batch.callbacks:
            planner.callback(callback)
    return ImportPlan(
        practice_id=practice_id,
        vma=vma,
        now=now,
        batch=batch,
        changes=planner.changes,
        skipped=planner.skipped,
        missing_ids=planner.missing(),
        store_mark=mark,
        mapping=mapping,
    )


# -- applying ------------------------------------------------------------------------------


def _columns_only(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - WRITABLE
    if unknown:
        raise ValueError(f"unknown item columns: {sorted(unknown)}")
    return values


def apply_import(
    conn: Connection,
    plan: ImportPlan,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Write a plan in one transaction, with one ``IMPORT`` audit entry.

    If the items table changed since the plan was made, the plan is made again inside the
    transaction (so what is written always matches the store it is written to).

    Args:
        conn: Connection (the calling thread's own).
        plan: From :func:`plan_import`.
        progress: Called with (done, total) changes now and then.
        cancelled: Polled between chunks; True rolls everything back.

    Raises:
        ImportCancelled: ``cancelled()`` returned True; nothing was written.
    """
    with transaction(conn):
        if store_mark(conn) != plan.store_mark:
            plan = plan_import(
                conn,
                plan.batch,
                practice_id=plan.practice_id,
                vma=plan.vma,
                now=plan.now,
                mapping=plan.mapping,
            )
        with gc_paused():
            _write(conn, plan, progress, cancelled)
        if plan.mapping is not None and plan.batch.source_system.startswith("csv:"):
            remember_mapping(conn, plan.batch.source_system, plan.mapping)
        audit.append(
            conn,
            AuditEvent.IMPORT,
            details={
                **plan.summary(),
                "kind": plan.batch.kind,
                "full_export": plan.batch.full_export,
                "practice_id": plan.practice_id,
            },
            at=plan.now,
        )
    report = ImportReport.from_plan(plan, dry_run=False)
    log.info("import applied: %s", plan.summary())
    return report


def _write(
    conn: Connection, plan: ImportPlan, progress: Progress | None, cancelled: Cancelled | None
) -> None:
    total = len(plan.changes)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if cancelled is not None and cancelled():
            raise ImportCancelled("import cancelled; nothing was written")
        if progress is not None:
            progress(done, total)

    creates = [c for c in plan.changes if c.kind == "create"]
    # Group inserts by column set: one executemany per shape.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in creates:
        groups.setdefault(tuple(sorted(_columns_only(change.values))), []).append(change.values)
    for cols, rows in groups.items():
        sql = f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        for i in range(0, len(rows), _CHUNK):
            chunk = rows[i : i + _CHUNK]
            conn.executemany(sql, [[r[c] for c in cols] for r in chunk])
            step(len(chunk))

    others = [c for c in plan.changes if c.kind != "create"]
    updates: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for change in others:
        # values also carry the item's name and start for the preview: unchanged, or the
        # new ones when they changed, so writing them is harmless.
        values = dict(change.values)
        assert change.item_id is not None
        updates.setdefault(tuple(sorted(_columns_only(values))), []).append(
            (change.item_id, values)
        )
    for cols, pairs in updates.items():
        sql = f"UPDATE items SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?"
        for i in range(0, len(pairs), _CHUNK):
            chunk = pairs[i : i + _CHUNK]
            conn.executemany(sql, [[*(v[c] for c in cols), item_id] for item_id, v in chunk])
            step(len(chunk))

    notes = [
        (c.item_id, to_db(plan.now), "import", c.note, plan.vma)
        for c in plan.changes
        if c.note and c.item_id is not None
    ]
    if notes:
        conn.executemany(
            "INSERT INTO notes (item_id, at, kind, text, author) VALUES (?, ?, ?, ?, ?)", notes
        )
    if total == 0 and progress is not None:
        progress(0, 0)


# -- the whole use case ------------------------------------------------------------------------


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
    path = Path(path)
    remember = mapping  # a mapping the caller chose is remembered once the import is kept
    if mapping is None and fmt != "fhir":
        headers = csv_headers(path, max_bytes=max_bytes)
        if headers is not None and headers.detected is None:
            mapping = remembered_mapping(conn, headers.source_system)
    batch = read_file(
        path,
        fmt=fmt,
        region=practice.region,
        practice_tz=practice.tz,
        mapping=mapping,
        max_bytes=max_bytes,
        progress=progress,
        cancelled=cancelled,
    )
    return batch, remember


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
) -> ImportReport:
    """Read, plan and (unless ``dry_run``) apply one file.

    Args:
        target: An ``UnlockedProfile`` (its ``conn`` is used) or a connection.
        path: The export.
        practice_id: The practice; None for the only one (see :func:`resolve_practice`).
        fmt: ``auto``, ``fhir`` or ``csv``.
        mapping: CSV column mapping; None for the built-in one or the remembered one.
        dry_run: Plan only; write nothing.
        progress: Called with (done, total) while reading and while writing.
        cancelled: Polled; True stops and keeps nothing.
        vma: Owner of new items (default: the profile's handle).
        now: The import's clock (default: ``clock()``).
        clock: Where ``now`` comes from.
        max_bytes: Largest file accepted.

    Raises:
        IngestError: The file is refused; nothing was written.
        IngestCancelled / ImportCancelled: Cancelled; nothing was written.
        ActionRefused: No such practice, or several and none chosen.
    """
    conn: Connection = getattr(target, "conn", target)
    practice = (
        load_context(conn, practice_id) if practice_id is not None else resolve_practice(conn)
    )
    batch, used = read_for_practice(
        conn,
        path,
        practice=practice,
        fmt=fmt,
        mapping=mapping,
        max_bytes=max_bytes,
        progress=progress,
        cancelled=cancelled,
    )
    plan = plan_import(
        conn,
        batch,
        practice_id=practice.id,
        vma=vma or vma_handle(conn),
        now=now or clock(),
        mapping=used,
    )
    if dry_run:
        return ImportReport.from_plan(plan, dry_run=True)
    return apply_import(conn, plan, progress=progress, cancelled=cancelled)
