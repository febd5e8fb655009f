"""Apply an import plan: every change in **one** transaction, with one ``IMPORT`` audit entry.

Either every change is kept or none is: a cancel, a refused row or a crash rolls the whole
transaction back. Rows are written with one ``executemany`` per column shape and chunk, so
progress is reported and cancellation polled between chunks.

With an ``on_change`` hook (:func:`vmadesk.sync.item_events.make_change_hook`, when the
profile is enrolled at a hub) every created, closed or reopened item is handed to the hook
inside the same transaction, so its claim / release and item event reach the outbox exactly
when the item itself is kept. A confirmation item the export says is confirmed is handed
over as ``completed`` with its ``confirmed`` outcome, as a recorded outcome is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from vmadesk.domain.vocabulary import ItemAction, ItemStatus
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.services.csv_mappings import remember_mapping
from vmadesk.services.import_inputs import item_rows, store_mark
from vmadesk.services.import_plan import ImportPlan, ItemChange, plan_import
from vmadesk.services.import_report import ImportReport
from vmadesk.store import audit
from vmadesk.store.audit import AuditEvent
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import ITEM_COLUMNS, WRITABLE, ItemRow
from vmadesk.store.timestamps import to_db

log = logging.getLogger(__name__)

#: How many rows one executemany writes between progress reports and cancel checks.
_CHUNK = 500
#: The ``on_change`` action per change kind (see ``ACTION_EVENTS`` in
#: :mod:`vmadesk.sync.item_events`). A created item is claimed. A closed one is a ``cancel``
#: with its close reason and, being cancelled, releases its claim. A reopened one is work
#: again, to be owned again: it is claimed again like a new item. A plain update (moved
#: appointment, new phone) keeps its claim and sends nothing, so it is not passed to the hook.
HOOK_ACTIONS: dict[str, ItemAction] = {
    "create": ItemAction.IMPORTED,
    "close": ItemAction.CANCEL,
    "reopen": ItemAction.IMPORTED,
}
#: The ``on_change`` action of a close that completes the item (a confirmation the practice
#: system reports): a completion event with its outcome, and a release like any completion.
COMPLETED_ACTION = ItemAction.COMPLETE

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class ImportCancelled(Exception):
    """The caller cancelled while the plan was being written; nothing was kept."""


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
    on_change: ChangeHook | None = None,
) -> ImportReport:
    """Write a plan in one transaction, with one ``IMPORT`` audit entry.

    If the items table changed since the plan was made, the plan is made again inside the
    transaction (so what is written always matches the store it is written to).

    Args:
        conn: Connection (the calling thread's own).
        plan: From :func:`~vmadesk.services.import_plan.plan_import`.
        progress: Called with (done, total) changes now and then.
        cancelled: Polled between chunks; True rolls everything back.
        on_change: Called as ``on_change(conn, item, action, {})`` for every created, closed
            or reopened item (actions in :data:`HOOK_ACTIONS`, :data:`COMPLETED_ACTION` for
            a source-confirmed confirmation), inside the transaction.

    Raises:
        ImportCancelled: ``cancelled()`` returned True; nothing was written.
    """
    with transaction(conn):
        plan = write_plan(conn, plan, progress=progress, cancelled=cancelled, on_change=on_change)
    report = ImportReport.from_plan(plan, dry_run=False)
    log.info("import applied: %s", plan.summary())
    return report


def write_plan(
    conn: Connection,
    plan: ImportPlan,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    on_change: ChangeHook | None = None,
) -> ImportPlan:
    """:func:`apply_import`'s writes, in the caller's open transaction.

    Returns:
        The plan written (made again when the store moved since it was made).
    """
    if store_mark(conn) != plan.store_mark:
        plan = _replan(conn, plan)
    with gc_paused():
        _Writer(conn, plan, progress, cancelled, on_change).write()
    if plan.mapping is not None and plan.mapping_key is not None:
        remember_mapping(conn, plan.mapping_key, plan.mapping)
    audit.append(
        conn,
        AuditEvent.IMPORT,
        details={
            **plan.summary(),
            "kind": plan.batch.kind,
            "full_export": plan.batch.full_export,
            "practice_id": plan.practice_id,
            "closed_reasons": plan.closed_reasons(),
        },
        at=plan.now,
    )
    return plan


def _replan(conn: Connection, plan: ImportPlan) -> ImportPlan:
    """The plan made again for the store as ``conn`` sees it (inside the transaction)."""
    if plan.replan is not None:  # the records are in the process that planned
        return plan.replan(conn)
    return plan_import(
        conn,
        plan.batch,
        practice_id=plan.practice_id,
        vma=plan.vma,
        now=plan.now,
        mapping=plan.mapping,
        mapping_key=plan.mapping_key,
    )


class _Writer:
    """One plan's writes, with progress counted over rows written and items hooked."""

    def __init__(
        self,
        conn: Connection,
        plan: ImportPlan,
        progress: Progress | None,
        cancelled: Cancelled | None,
        on_change: ChangeHook | None,
    ) -> None:
        self.conn, self.plan = conn, plan
        self.progress, self.cancelled, self.on_change = progress, cancelled, on_change
        self.hooked = (
            [c for c in plan.changes if c.kind in HOOK_ACTIONS] if on_change is not None else []
        )
        self.total = len(plan.changes) + len(self.hooked)
        self.done = 0

    def step(self, n: int) -> None:
        self.done += n
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled("import cancelled; nothing was written")
        if self.progress is not None:
            self.progress(self.done, self.total)

    def write(self) -> None:
        self._inserts()
        self._updates()
        self._notes()
        if self.hooked:
            self._hook()
        if self.total == 0 and self.progress is not None:
            self.progress(0, 0)

    def _inserts(self) -> None:
        # Group inserts by column set: one executemany per shape.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        shapes = _Shapes()
        for change in self.plan.changes:
            if change.kind == "create":
                groups.setdefault(shapes.of(change.values), []).append(change.values)
        for cols, rows in groups.items():
            sql = f"INSERT INTO items ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
            row = _row(cols)
            for i in range(0, len(rows), _CHUNK):
                chunk = rows[i : i + _CHUNK]
                self.conn.executemany(sql, map(row, chunk))
                self.step(len(chunk))

    def _updates(self) -> None:
        updates: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
        shapes = _Shapes()
        for change in self.plan.changes:
            if change.kind == "create":
                continue
            # values also carry the item's name and start for the preview: unchanged, or the
            # new ones when they changed, so writing them is harmless.
            assert change.item_id is not None
            updates.setdefault(shapes.of(change.values), []).append((change.item_id, change.values))
        for cols, pairs in updates.items():
            sql = f"UPDATE items SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?"
            row = _row(cols)
            for i in range(0, len(pairs), _CHUNK):
                chunk = pairs[i : i + _CHUNK]
                self.conn.executemany(sql, [(*row(v), item_id) for item_id, v in chunk])
                self.step(len(chunk))

    def _notes(self) -> None:
        plan = self.plan
        notes = [
            (c.item_id, to_db(plan.now), "import", c.note, plan.vma)
            for c in plan.changes
            if c.note and c.item_id is not None
        ]
        if notes:
            self.conn.executemany(
                "INSERT INTO notes (item_id, at, kind, text, author) VALUES (?, ?, ?, ?, ?)", notes
            )

    def _hook(self) -> None:
        """Hand each created / closed / reopened item, as now written, to ``on_change``."""
        assert self.on_change is not None
        # A few queries instead of one per item: created rows have no id in the plan
        # (executemany returns none), so they are found by their unique key.
        created = {c.values["source_system"] for c in self.hooked if c.item_id is None}
        rows = item_rows(self.conn, created) if created else []
        known = [c.item_id for c in self.hooked if c.item_id is not None]
        select = f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE id IN"
        for i in range(0, len(known), _CHUNK):
            chunk = known[i : i + _CHUNK]
            rows += self.conn.execute(f"{select} ({', '.join('?' * len(chunk))})", chunk)
        by_id: dict[int, ItemRow] = {}
        by_key: dict[tuple[str, str, str], ItemRow] = {}
        for r in rows:
            item = ItemRow(*r)
            by_id[item.id] = item
            by_key[(item.source_system, item.source_id, item.lane)] = item
        for i, change in enumerate(self.hooked, 1):
            self.on_change(self.conn, _written(change, by_id, by_key), hook_action(change), {})
            if i % _CHUNK == 0 or i == len(self.hooked):
                self.step(_CHUNK if i % _CHUNK == 0 else i % _CHUNK)


def hook_action(change: ItemChange) -> ItemAction:
    """The ``on_change`` action of a change the hook is given (see :data:`HOOK_ACTIONS`)."""
    if change.kind == "close" and change.values.get("status") == ItemStatus.COMPLETED.value:
        return COMPLETED_ACTION
    return HOOK_ACTIONS[change.kind]


class _Shapes:
    """The sorted, checked column set of each change's values, worked out once per key order.

    Thousands of changes share a handful of key orders (one per kind of change): a tuple of
    the keys finds the answer in a dict, instead of a set difference and a sort per change.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, ...], tuple[str, ...]] = {}

    def of(self, values: dict[str, Any]) -> tuple[str, ...]:
        """``values``' columns, sorted (ValueError for a column items do not have)."""
        keys = tuple(values)
        cols = self._known.get(keys)
        if cols is None:
            cols = self._known[keys] = tuple(sorted(_columns_only(values)))
        return cols


def _row(cols: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of ``cols`` from a change's values, as a tuple.

    An ``itemgetter`` picks them in C: the writing runs on a UI process's worker thread,
    and the less Python it runs, the sooner the UI thread gets the GIL.
    """
    if len(cols) == 1:  # itemgetter of one key gives the value, not a tuple
        key = cols[0]
        return lambda values: (values[key],)
    return itemgetter(*cols)


def _written(
    change: ItemChange, by_id: dict[int, ItemRow], by_key: dict[tuple[str, str, str], ItemRow]
) -> ItemRow:
    if change.item_id is not None:
        return by_id[change.item_id]
    values = change.values
    return by_key[(values["source_system"], values["source_id"], change.lane.value)]
