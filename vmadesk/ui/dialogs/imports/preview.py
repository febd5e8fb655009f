"""What the import dialog's preview shows, worked out on the worker thread.

Counting a 10,000-appointment plan per lane and formatting its first rows is tens of
milliseconds of Python: on the UI thread, a stall the VMA sees. The read-and-plan job does
it (:func:`preview_of`) and hands the dialog text ready to show; :class:`RowsModel` shows
the rows without an item per cell (the view asks only for the cells it paints).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from vmadesk.domain.appointment_time import given_note
from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import Lane
from vmadesk.services import import_wording as wording
from vmadesk.services import importer
from vmadesk.services.lane_import import LanePlan
from vmadesk.services.views import ItemRow, from_db

#: Rows shown in the preview list (the counts cover everything).
PREVIEW_ROWS = 200
COLUMNS = ("Change", "Lane", "Patient", "Appointment (practice time)", "In file")
#: A prior-authorization or referral worklist's preview: what each request is about.
LANE_COLUMNS = ("Change", "Lane", "Patient", "State and subject", "In file")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_KIND_LABEL = {"create": "New", "update": "Update", "reopen": "Reopen", "close": "Close"}
MISSING_LABEL = "Missing"
#: Missing items the preview names (the count covers all; the CLI lists every id).
MISSING_ROWS = 50


@dataclass(frozen=True)
class Preview:
    """A plan and what the preview shows of it (``rows`` hold PHI: memory and screen only).

    Attributes:
        plan: The plan.
        summary: Its PHI-free counts (:meth:`~vmadesk.services.import_plan.ImportPlan.summary`).
        counts: The counts as the preview words them, per lane.
        rows: The first :data:`PREVIEW_ROWS` changes: change, lane, patient, appointment,
            place in the file.
    """

    plan: importer.ImportPlan | LanePlan
    summary: dict[str, Any]
    counts: str
    rows: list[tuple[str, str, str, str, str]]


def preview_of(plan: importer.ImportPlan, zone: str, missing: Sequence[ItemRow] = ()) -> Preview:
    """Work out the preview of ``plan`` (off the UI thread).

    Args:
        plan: The plan.
        zone: The practice's IANA zone: appointment times show in practice time, as the
            detail pane labels them, with the export's own reading when its offset differs.
        missing: The open items the export no longer lists (the first few), shown first:
            they are what the VMA has to check in the practice system.
    """
    summary = plan.summary()
    missing_rows = [
        (
            MISSING_LABEL,
            Lane(item.lane).label,
            item.patient_display,
            _when(item.appointment_start, item.appointment_offset_min, zone),
            "not in this file",
        )
        for item in missing
    ]
    change_rows = [
        (
            _KIND_LABEL[change.kind],
            change.lane.label,
            change.patient,
            _when(change.when, change.values.get("appointment_offset_min"), zone),
            change.location_in_file,
        )
        for change in plan.changes[:PREVIEW_ROWS]
    ]
    return Preview(
        plan=plan,
        summary=summary,
        counts=counts_text(summary, plan.by_lane(), plan.skipped_reasons, plan.closed_reasons()),
        rows=missing_rows + change_rows,
    )


def lane_preview(plan: LanePlan) -> Preview:
    """The preview of a prior-authorization or referral worklist (new items only)."""
    summary = {
        key: plan.report.to_dict()[key]
        for key in ("created", "updated", "reopened", "closed", "skipped", "missing")
    }
    per_lane = ", ".join(
        f"{Lane(code).label} {counts['created']}"
        for code, counts in plan.report.by_lane.items()
        if counts["created"]
    )
    counts = wording.counts_text(summary, heading=True)
    return Preview(
        plan=plan,
        summary=summary,
        counts=f"{counts}\nNew per lane: {per_lane}" if per_lane else counts,
        rows=list(plan.changes),
    )


def counts_text(
    summary: dict[str, Any],
    by_lane: dict[str, dict[str, int]],
    skipped: Mapping[str, int],
    closed: Mapping[str, int],
) -> str:
    """The counts (of items), why items close or are skipped, one line per lane with changes."""
    lines = [wording.counts_text(summary, heading=True)]
    if closed_text := wording.reasons_text(closed):
        lines.append(f"Closed: {closed_text}")
    if skipped_text := wording.reasons_text(skipped):
        lines.append(f"Skipped: {skipped_text}")
    for lane, counts in by_lane.items():
        if any(counts.values()):
            lines.append(
                f"{Lane(lane).label}: new {counts['created']}, updated {counts['updated']}, "
                f"reopened {counts['reopened']}, closed {counts['closed']}"
            )
    if summary["missing"]:
        lines.append(f"{wording.MISSING_TEXT}: {summary['missing']}, listed first.")
    lines.append(wording.ITEMS_NOTE)
    return "\n".join(lines)


def _when(stored: datetime | str | None, offset_min: int | None, zone: str) -> str:
    """An appointment's start in practice time (a stored item's datetime or planned text)."""
    if not stored:
        return ""
    start = stored if isinstance(stored, datetime) else from_db(stored)
    text = start.astimezone(load_zone(zone)).strftime("%a %d %b %Y %H:%M")
    return text + given_note(start, offset_min, zone)


class RowsModel(QAbstractTableModel):
    """The preview's rows, read-only (they hold PHI: memory and screen only).

    No flags() here: QAbstractTableModel's own (enabled, selectable, read-only) is what the
    preview needs.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, ...]] = []
        self._columns: tuple[str, ...] = COLUMNS

    def set_rows(self, rows: list[tuple[str, ...]], columns: tuple[str, ...] = COLUMNS) -> None:
        """Show ``rows`` instead, under ``columns`` (one reset)."""
        self.beginResetModel()
        self._rows = rows
        self._columns = columns
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows (0 under a valid parent: a table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Columns (see :data:`COLUMNS`)."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        """Column titles."""
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self._columns[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        """A cell's text."""
        if role != _DISPLAY or not index.isValid():
            return None
        return self._rows[index.row()][index.column()]
