"""Plan an import: decide, per record of an export, which items to create, update, close or reopen.

:func:`plan_import` reads the store and never writes, so the GUI can show a preview of the
:class:`ImportPlan` before anything changes; :mod:`vmadesk.services.import_apply` writes it.
Items are keyed by ``(source_system, source_id, lane)`` (UNIQUE in the schema), so a re-import
updates in place and never duplicates. :meth:`ImportPlan.summary` holds counts only: never a
name, phone, date of birth or member id.

Every count is of items: an appointment is two decisions (its confirmation item and its
eligibility item), a callback request one, and each decision is either one change (created,
updated, closed, reopened) or one skip with its reason. So created + updated + closed +
skipped = 2 x appointments + callbacks, and "created 5, skipped 5" is five appointments.

Which appointment gets which item is decided by :mod:`~vmadesk.services.import_rules`;
which items count as missing from a full export, by :mod:`~vmadesk.services.import_missing`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from vmadesk.domain.lanes import ImportRule, appointment_lanes, lane_definition
from vmadesk.domain.sla import compute_due, due_on_arrival
from vmadesk.domain.vocabulary import ItemStatus, Lane
from vmadesk.ingest import (
    AppointmentRecord,
    AppointmentStatus,
    CallbackRecord,
    CsvMapping,
    ImportBatch,
)
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.services.import_inputs import (
    PlanInputs,
    keyed_system,
    load_inputs,
)
from vmadesk.services.import_missing import missing_item_ids
from vmadesk.services.import_rules import (
    ACTIVE_STATUSES,
    CLOSING_STATUSES,
    CONFIRMED_BY_SOURCE,
    IMPORT_CLOSE_REASONS,
    held_back,
)
from vmadesk.services.import_values import (
    COMPARED_APPOINTMENT,
    COMPARED_CALLBACK,
    CONFIRMED_NOTE,
    COVERAGE_NOTE,
    REBOOKED_NOTE,
    appointment_work,
    changed_columns,
    close_values,
    confirmed_values,
    coverage_key,
    display_values,
    held_time,
    reopen_values,
)
from vmadesk.services.item_factory import (
    AppointmentWork,
    CallbackRequest,
    Patient,
    appointment_columns,
    callback_columns,
    timing_columns,
)
from vmadesk.store.connection import Connection
from vmadesk.store.items import ItemRow
from vmadesk.store.timestamps import to_db

ChangeKind = Literal["create", "update", "close", "reopen"]


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


class Replanner(Protocol):
    """Makes a plan again where its batch's records are (see :attr:`ImportPlan.replan`)."""

    def __call__(self, conn: Connection) -> ImportPlan:
        """The plan for the store as ``conn`` sees it."""
        ...

    def close(self) -> None:
        """Let the records go."""
        ...


@dataclass
class ImportPlan:
    """What an import would do: the changes, and PHI-free counts (of items, see the module doc).

    Attributes:
        skipped: Item decisions without a change (an appointment's lane, a callback).
        missing_ids: Open items a full appointment export should list but does not (the
            rule is in :mod:`~vmadesk.services.import_missing`); reported, never closed.
    """

    practice_id: int
    vma: str
    now: datetime
    batch: ImportBatch
    changes: list[ItemChange]
    skipped: int
    missing_ids: tuple[int, ...]
    store_mark: tuple[Any, ...]
    mapping: CsvMapping | None = None
    #: The CSV layout (header digest) the mapping is remembered for.
    mapping_key: str | None = None
    fmt: str = "auto"
    #: Why items were skipped: reason → count of items (``past``, ``unchanged``,
    #: ``outside_window``, ``already_confirmed``, ``beyond_eligibility_horizon``, ...).
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    #: Set when the batch's records stay in another process (the GUI's, see
    #: :mod:`~vmadesk.services.import_offload`; :attr:`batch` then holds everything but
    #: the records): makes this plan again there, for the store as a connection sees it.
    replan: Replanner | None = field(default=None, compare=False)

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
        """Open items to close (cancelled / no-show / entered in error / source-confirmed)."""
        return self.count("close")

    @property
    def missing(self) -> int:
        """Open items a full export should list but does not (see :attr:`missing_ids`)."""
        return len(self.missing_ids)

    def closed_reasons(self) -> dict[str, int]:
        """Why items are closed: close reason (or ``confirmed_by_source``) → count."""
        reasons: Counter[str] = Counter(
            c.values["status_reason"] or CONFIRMED_BY_SOURCE
            for c in self.changes
            if c.kind == "close"
        )
        return dict(reasons)

    def by_lane(self) -> dict[str, dict[str, int]]:
        """Counts per lane: created, updated, closed, reopened."""
        tally = self._tally()
        return {
            lane.value: {
                "created": tally[("create", lane)],
                "updated": tally[("update", lane)],
                "reopened": tally[("reopen", lane)],
                "closed": tally[("close", lane)],
            }
            for lane in Lane
        }

    def summary(self) -> dict[str, Any]:
        """PHI-free counts (what a report, a log line or the audit chain may hold)."""
        kinds: Counter[str] = Counter()
        for (kind, _), n in self._tally().items():
            kinds[kind] += n
        return {
            "created": kinds["create"],
            "updated": kinds["update"] + kinds["reopen"],
            "reopened": kinds["reopen"],
            "closed": kinds["close"],
            "skipped": self.skipped,
            "missing": self.missing,
        }

    def _tally(self) -> Counter[tuple[str, Lane]]:
        # One pass over the changes (a 10,000-appointment plan has ~6,000), not one per count.
        return Counter((c.kind, c.lane) for c in self.changes)

    @property
    def has_changes(self) -> bool:
        """Whether applying would write any item."""
        return bool(self.changes)

    def release(self) -> None:
        """Let go of the process holding the records, if any: once applied or dropped."""
        if self.replan is not None:
            self.replan.close()


class _Planner:
    """One pass over a batch: the existing items of its source, and the changes so far.

    Existing items are loaded once into a dict (one query) because a 10,000-row export would
    otherwise cost 20,000 lookups.
    """

    def __init__(self, inputs: PlanInputs, batch: ImportBatch, vma: str, now: datetime) -> None:
        self.batch, self.ctx, self.vma, self.now = batch, inputs.ctx, vma, now
        self.existing = inputs.existing()
        self.verified = inputs.verified
        self.changes: list[ItemChange] = []
        self.skipped = 0
        self.skipped_reasons: dict[str, int] = {}

    def _timing(self, lane: Lane, start: datetime, item: ItemRow) -> dict[str, Any]:
        due = compute_due(self.ctx.policies[lane], self.ctx.hours, appointment_start=start)
        due = due_on_arrival(due, self.ctx.hours, arrived=self.now, appointment_start=start)
        return timing_columns(self.ctx, lane, due, held_time(item))

    def _skip(self, reason: str) -> None:
        self.skipped += 1
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1

    def appointment(self, record: AppointmentRecord) -> None:
        system = keyed_system(record.source_system, self.ctx.code)
        work = replace(appointment_work(record), source_system=system)
        for lane in appointment_lanes():
            item = self.existing.get((system, record.source_id, lane.value))
            if item is not None and item.practice_id != self.ctx.id:
                # Imported for another practice: never moved or overwritten from here.
                self._skip("other_practice")
                continue
            reason = self._appointment_lane(record, work, lane, item)
            if reason is not None:
                self._skip(reason)

    def _add(self, kind: ChangeKind, lane: Lane, item: ItemRow | None, values: dict[str, Any],
             where: str, note: str | None = None) -> None:  # fmt: skip
        item_id = item.id if item is not None else None
        self.changes.append(ItemChange(kind, lane, item_id, values, where, note))

    def _appointment_lane(
        self, record: AppointmentRecord, work: AppointmentWork, lane: Lane, item: ItemRow | None
    ) -> str | None:
        """Add this lane's change; without one, say why (a PHI-free reason word)."""
        now, where = self.now, record.location_in_file
        status = record.status
        if status in CLOSING_STATUSES:
            if item is not None and ItemStatus(item.status).is_open:
                values = close_values(item, CLOSING_STATUSES[status], now)
                self._add("close", lane, item, {**display_values(item), **values}, where)
                return None
            return "cancelled"  # nothing open to close
        if status not in ACTIVE_STATUSES:
            return "fulfilled" if status is AppointmentStatus.FULFILLED else "inactive_status"
        rules = lane_definition(lane).import_rules
        if ImportRule.SOURCE_CONFIRMS in rules and record.confirmed_by_source:
            # The practice system is the record of who confirmed: no call to make, and a
            # call already queued for it would only bother the patient again.
            if item is not None and ItemStatus(item.status).is_open:
                values = {**display_values(item), **confirmed_values(item, now)}
                self._add("close", lane, item, values, where, CONFIRMED_NOTE)
                return None
            return "already_confirmed"
        if record.start < now:
            return "past"
        if item is None and (reason := held_back(self.ctx, lane, record, now)):
            # A later import creates it once the visit is inside. (Decided before the
            # columns are built: most of a long export's visits are outside.)
            return reason
        new = appointment_columns(self.ctx, lane, work, owner=self.vma, now=now)
        if item is None:
            if ImportRule.COVERAGE_CHECK in rules:
                key = coverage_key(
                    new["patient_ref"], new["patient_family"], new["payer"], new["member_id"]
                )
                if key in self.verified:
                    return "recently_verified"
            self._add("create", lane, None, new, where)
            return None
        diff = changed_columns(item, new, COMPARED_APPOINTMENT)
        moved = "appointment_start" in diff
        if ItemStatus(item.status).is_open:
            if not diff:
                return "unchanged"
            if moved:
                diff.update(self._timing(lane, record.start, item))
            diff["updated_at"] = to_db(now)
            self._add("update", lane, item, {**display_values(item), **diff}, where)
            return None
        note = self._reopen_note(item, lane, moved, diff)
        if note is None:
            return "already_closed"
        values = {**diff, **reopen_values(item, now), **self._timing(lane, record.start, item)}
        self._add("reopen", lane, item, {**display_values(item), **values}, where, note)
        return None

    def _reopen_note(
        self, item: ItemRow, lane: Lane, moved: bool, diff: dict[str, Any]
    ) -> str | None:
        """Why a closed item is worked again, or None to leave it closed."""
        if item.status == ItemStatus.CANCELLED.value and item.status_reason in IMPORT_CLOSE_REASONS:
            return REBOOKED_NOTE  # closed by an import, and the appointment is back
        if item.status != ItemStatus.COMPLETED.value:
            return None
        definition = lane_definition(lane)
        if ImportRule.COVERAGE_CHECK not in definition.import_rules:
            return definition.moved_note if moved else None
        if "payer" in diff or "member_id" in diff:
            return COVERAGE_NOTE
        closed = item.closed_at or self.now
        keeps = definition.answer_keeps_for
        if moved and (keeps is None or closed < self.now - keeps):
            return definition.moved_note
        return None

    def callback(self, record: CallbackRecord) -> None:
        now = self.now
        requested = (
            record.window_start if record.window_start and record.window_start > now else now
        )
        system = keyed_system(record.source_system, self.ctx.code)
        request = CallbackRequest(
            source_system=system,
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
        item = self.existing.get((system, record.source_id, Lane.CALLBACK.value))
        if item is not None and item.practice_id != self.ctx.id:
            self._skip("other_practice")
            return
        if item is None:
            self._add("create", Lane.CALLBACK, None, new, record.location_in_file)
            return
        is_open = ItemStatus(item.status).is_open
        diff = changed_columns(item, new, COMPARED_CALLBACK) if is_open else {}
        if not diff:
            self._skip("unchanged" if is_open else "already_closed")
            return
        diff["updated_at"] = to_db(now)
        self._add(
            "update", Lane.CALLBACK, item, {**display_values(item), **diff}, record.location_in_file
        )

    def missing(self) -> tuple[int, ...]:
        return missing_item_ids(
            self.batch,
            self.existing.values(),
            practice_id=self.ctx.id,
            practice_code=self.ctx.code,
            zone=self.ctx.hours.zone,
        )


def plan_import(
    conn: Connection,
    batch: ImportBatch,
    *,
    practice_id: int,
    vma: str,
    now: datetime,
    mapping: CsvMapping | None = None,
    mapping_key: str | None = None,
) -> ImportPlan:
    """Decide what importing ``batch`` changes; reads the store, writes nothing.

    Args:
        conn: Connection (any thread's own).
        batch: What the reader returned.
        practice_id: The practice the work belongs to.
        vma: Owner of new items.
        now: The import's clock (window, past appointments, due times).
        mapping: The CSV mapping used, remembered for the file's layout when applied.
        mapping_key: That layout (:attr:`CsvHeaders.source_system`, a header digest).

    Returns:
        The plan, with PHI-free counts in :meth:`ImportPlan.summary`.
    """
    inputs = load_inputs(
        conn,
        practice_id=practice_id,
        source_systems=batch.source_systems,
        kind=batch.kind,
        now=now,
    )
    return plan_with(inputs, batch, vma=vma, now=now, mapping=mapping, mapping_key=mapping_key)


def plan_with(
    inputs: PlanInputs,
    batch: ImportBatch,
    *,
    vma: str,
    now: datetime,
    mapping: CsvMapping | None = None,
    mapping_key: str | None = None,
) -> ImportPlan:
    """:func:`plan_import` for the store as ``inputs`` hold it (no connection needed)."""
    planner = _Planner(inputs, batch, vma, now)
    with gc_paused():  # no full collections (UI stalls) while the plan's rows pile up
        for record in batch.appointments:
            planner.appointment(record)
        for callback in batch.callbacks:
            planner.callback(callback)
    return ImportPlan(
        practice_id=inputs.ctx.id,
        vma=vma,
        now=now,
        batch=batch,
        changes=planner.changes,
        skipped=planner.skipped,
        skipped_reasons=dict(planner.skipped_reasons),
        missing_ids=planner.missing(),
        store_mark=inputs.mark,
        mapping=mapping,
        mapping_key=mapping_key,
    )
