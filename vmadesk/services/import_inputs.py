"""What planning an import reads from the store, read in one place and passed around whole.

:func:`~vmadesk.services.import_plan.plan_import` reads these from its connection; the GUI
plans in another process (:mod:`vmadesk.services.import_offload`), which has no connection:
the UI process's worker thread reads them and sends them over. Either way the planner sees
exactly one snapshot, and :attr:`PlanInputs.mark` tells the apply whether the store moved
since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vmadesk.services.import_values import coverage_key
from vmadesk.services.practice_setup import PracticeContext, load_context
from vmadesk.store.connection import Connection
from vmadesk.store.items import ITEM_COLUMNS, ItemRow
from vmadesk.store.timestamps import to_db

#: A completed eligibility check for the same patient, payer and member id this recent
#: counts as verified: payers' monthly eligibility files make older answers stale.
ELIGIBILITY_FRESH = timedelta(days=30)


@dataclass(frozen=True)
class PlanInputs:
    """The store as an import plan sees it (``rows`` hold PHI: memory and pipes only).

    Attributes:
        ctx: The practice the work goes to.
        mark: :func:`store_mark` when these were read.
        rows: Every item of the batch's source system, as ``ITEM_COLUMNS`` tuples.
        verified: Coverage keys with a recent completed eligibility check.
    """

    ctx: PracticeContext
    mark: tuple[Any, ...]
    rows: list[tuple[Any, ...]]
    verified: frozenset[tuple[Any, ...]]

    def existing(self) -> dict[tuple[str, str], ItemRow]:
        """The items by ``(source_id, lane)``, the key a record is matched by."""
        return {(r[4], r[2]): ItemRow(*r) for r in self.rows}


def store_mark(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint of the items table: changes when any item is written."""
    return tuple(conn.execute("SELECT count(*), max(id), max(updated_at) FROM items").fetchone())


def item_rows(conn: Connection, source_system: str) -> list[tuple[Any, ...]]:
    """Every item of one source system, as plain ``ITEM_COLUMNS`` tuples."""
    return conn.execute(
        f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE source_system = ?", (source_system,)
    ).fetchall()


def recently_verified(conn: Connection, practice_id: int, now: datetime) -> frozenset[tuple]:
    """Coverage keys with a completed eligibility check within :data:`ELIGIBILITY_FRESH`."""
    rows = conn.execute(
        "SELECT patient_ref, patient_family, payer, member_id FROM items"
        " WHERE lane = 'eligibility' AND status = 'completed' AND practice_id = ?"
        " AND closed_at >= ?",
        (practice_id, to_db(now - ELIGIBILITY_FRESH)),
    ).fetchall()
    return frozenset(coverage_key(*r) for r in rows)


def load_inputs(
    conn: Connection, *, practice_id: int, source_system: str, kind: str, now: datetime
) -> PlanInputs:
    """Read what planning a batch of ``source_system`` (of ``kind`` records) needs."""
    return PlanInputs(
        ctx=load_context(conn, practice_id),
        mark=store_mark(conn),
        rows=item_rows(conn, source_system),
        verified=(
            recently_verified(conn, practice_id, now) if kind == "appointments" else frozenset()
        ),
    )
