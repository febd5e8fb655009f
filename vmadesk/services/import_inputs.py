"""What planning an import reads from the store, read in one place and passed around whole.

:func:`~vmadesk.services.import_plan.plan_import` reads these from its connection; the GUI
plans in another process (:mod:`vmadesk.services.import_offload`), which has no connection:
the UI process's worker thread reads them and sends them over. Either way the planner sees
exactly one snapshot, and :attr:`PlanInputs.mark` tells the apply whether the store moved
since.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vmadesk.domain import lanes
from vmadesk.domain.lanes import ImportRule
from vmadesk.domain.vocabulary import ItemStatus
from vmadesk.services.import_values import coverage_key
from vmadesk.services.practice_setup import PracticeContext, load_context
from vmadesk.store.connection import Connection
from vmadesk.store.items import ITEM_COLUMNS, ItemRow
from vmadesk.store.timestamps import to_db

#: What the FHIR reader calls a file that names no source system.
UNNAMED_FHIR = "fhir"


@dataclass(frozen=True)
class PlanInputs:
    """The store as an import plan sees it (``rows`` hold PHI: memory and pipes only).

    Attributes:
        ctx: The practice the work goes to.
        mark: :func:`store_mark` when these were read.
        rows: Every item of the batch's source systems, as ``ITEM_COLUMNS`` tuples.
        verified: Coverage keys with a recent completed eligibility check.
    """

    ctx: PracticeContext
    mark: tuple[Any, ...]
    rows: list[tuple[Any, ...]]
    verified: frozenset[tuple[Any, ...]]

    def existing(self) -> dict[tuple[str, str, str], ItemRow]:
        """The items by ``(keyed source system, source_id, lane)``, what a record matches.

        Items stored under the bare ``"fhir"`` before it was qualified by practice are found
        under this practice's qualified name (:func:`keyed_system`).
        """
        code, here = self.ctx.code, self.ctx.id
        out: dict[tuple[str, str, str], ItemRow] = {}
        for r in self.rows:
            system = keyed_system(r[3], code) if r[1] == here else r[3]
            out.setdefault((system, r[4], r[2]), ItemRow(*r))
        return out


def keyed_system(system: str, practice_code: str) -> str:
    """The source system a record's items are keyed by.

    A FHIR file that names no system (no identifier system, no ``meta.source``) reads as
    ``"fhir"``; two practices' such files reuse ids (``Appointment/123``), so their items are
    keyed by practice, ``"fhir:<code>"``, as a CSV report's are (``"csv:<code>"``).
    """
    return f"{UNNAMED_FHIR}:{practice_code}" if system == UNNAMED_FHIR else system


def store_mark(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint of the items table: changes when any item is written."""
    return tuple(conn.execute("SELECT count(*), max(id), max(updated_at) FROM items").fetchone())


def item_rows(conn: Connection, source_systems: Collection[str]) -> list[tuple[Any, ...]]:
    """Every item of these source systems, as plain ``ITEM_COLUMNS`` tuples."""
    systems = sorted(source_systems)
    marks = ", ".join("?" * len(systems))
    return conn.execute(
        f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE source_system IN ({marks})", systems
    ).fetchall()


def recently_verified(conn: Connection, practice_id: int, now: datetime) -> frozenset[tuple]:
    """Coverage keys with a completed coverage check whose answer still holds.

    A check counts for the same patient, payer and member id within its lane's
    ``answer_keeps_for`` (eligibility: 30 days).
    """
    rows: list[tuple] = []
    for d in lanes.ALL:
        if ImportRule.COVERAGE_CHECK in d.import_rules and d.answer_keeps_for is not None:
            rows += conn.execute(
                "SELECT patient_ref, patient_family, payer, member_id FROM items"
                " WHERE lane = ? AND status = ? AND practice_id = ? AND closed_at >= ?",
                (
                    d.lane.value,
                    ItemStatus.COMPLETED.value,
                    practice_id,
                    to_db(now - d.answer_keeps_for),
                ),
            ).fetchall()
    return frozenset(coverage_key(*r) for r in rows)


def load_inputs(
    conn: Connection,
    *,
    practice_id: int,
    source_systems: Collection[str],
    kind: str,
    now: datetime,
) -> PlanInputs:
    """Read what planning a batch naming ``source_systems`` (of ``kind`` records) needs."""
    ctx = load_context(conn, practice_id)
    # The bare name too: items stored under it before it was qualified by practice.
    systems = {keyed_system(s, ctx.code) for s in source_systems} | set(source_systems)
    return PlanInputs(
        ctx=ctx,
        mark=store_mark(conn),
        rows=item_rows(conn, systems),
        verified=(
            recently_verified(conn, practice_id, now) if kind == "appointments" else frozenset()
        ),
    )
