"""The outcome of an import as a report: counts, item ids and error locations, never PHI.

What the CLI prints with ``--json``, the dialog shows when done, and a refused file answers.

Every count is of **items**, not of records in the file: an appointment is two decisions
(its confirmation item and its eligibility item) and a callback request one, and each
decision is one change or one skip. So ``created + updated + closed + skipped`` is twice
the appointments plus the callbacks: five appointments four weeks out give "created 5,
skipped 5" (eligibility items created; confirmations skipped as ``outside_window``).
``missing`` counts items too, listed in ``missing_item_ids``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vmadesk.ingest import IngestError
from vmadesk.services.import_plan import ImportPlan


@dataclass
class ImportReport:
    """The outcome of an import (counts, item ids and error locations: no PHI).

    Attributes:
        created: Items created.
        updated: Items updated in place or reopened.
        reopened: Of those, closed items worked again (an appointment booked again or
            moved): an older export imported after a newer one shows here.
        closed: Open items closed: cancelled with the appointment's status, or completed
            because the export says the patient confirmed (see :attr:`closed_reasons`).
        skipped: Item decisions without a change, one per lane of an appointment and one
            per callback (why: :attr:`skipped_reasons`).
        missing: Open items missing from a full export: only for an appointment export
            that claims to be complete, only items of the same source system and practice
            whose appointment falls on a day the export covers (from its earliest to its
            latest appointment date, in the practice's zone) and that the file does not
            list. Never closed or deleted: the VMA checks them in the practice system.
        missing_ids: Their item ids, ascending.
    """

    created: int = 0
    updated: int = 0
    reopened: int = 0
    closed: int = 0
    skipped: int = 0
    missing: int = 0
    missing_ids: tuple[int, ...] = ()
    errors: list[dict[str, str | None]] = field(default_factory=list)
    dry_run: bool = False
    by_lane: dict[str, dict[str, int]] = field(default_factory=dict)
    #: What was kept with a gap, each naming file, location and field (no PHI).
    warnings: list[str] = field(default_factory=list)
    #: Why items were skipped: reason → count of items (``past``, ``unchanged``,
    #: ``outside_window``, ``already_confirmed``, ``beyond_eligibility_horizon``, ...).
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    #: Why items were closed: close reason (``appointment_cancelled``, ...) or
    #: ``confirmed_by_source`` → count.
    closed_reasons: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: ImportPlan, *, dry_run: bool) -> ImportReport:
        """The report of a plan (applied or not)."""
        return cls(
            created=plan.created,
            updated=plan.updated,
            reopened=plan.count("reopen"),
            closed=plan.closed,
            skipped=plan.skipped,
            missing=plan.missing,
            missing_ids=plan.missing_ids,
            dry_run=dry_run,
            by_lane=plan.by_lane(),
            warnings=[str(w) for w in plan.batch.warnings],
            skipped_reasons=dict(plan.skipped_reasons),
            closed_reasons=plan.closed_reasons(),
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
            "reopened": self.reopened,
            "closed": self.closed,
            "skipped": self.skipped,
            "skipped_reasons": dict(self.skipped_reasons),
            "closed_reasons": dict(self.closed_reasons),
            "missing": self.missing,
            "missing_item_ids": list(self.missing_ids),
            "dry_run": self.dry_run,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            # Counts per lane code (created, updated, reopened, closed): PHI-free.
            "by_lane": {lane: dict(counts) for lane, counts in self.by_lane.items()},
        }

    @property
    def changed(self) -> bool:
        """Whether anything was (or, for a dry run, would be) written."""
        return bool(self.created or self.updated or self.closed)


def error_dict(exc: IngestError) -> dict[str, str | None]:
    """An :class:`IngestError` as JSON-ready fields (file, location, field, reason)."""
    return {"file": exc.file, "location": exc.location, "field": exc.field, "reason": exc.reason}
