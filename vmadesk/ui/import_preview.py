"""What the import dialog's preview shows, worked out on the worker thread.

Counting a 10,000-appointment plan per lane and formatting its first rows is tens of
milliseconds of Python: on the UI thread, a stall the VMA sees. The read-and-plan job does
it (:func:`preview_of`) and hands the dialog text ready to show; :class:`RowsModel` shows
the rows without an item per cell (the view asks only for the cells it paints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from vmadesk.domain.appointment_time import given_note
from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import Lane
from vmadesk.services import importer
from vmadesk.store.timestamps import from_db

#: Rows shown in the preview list (the counts cover everything).
PREVIEW_ROWS = 200
COLUMNS = ("Change", "Lane", "Patient", "Appointment (practice time)", "In file")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_KIND_LABEL = {"create": "New", "update": "Update", "reopen": "Reopen", "close": "Close"}


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

    plan: importer.ImportPlan
    summary: dict[str, Any]
    counts: str
    rows: list[tuple[str, str, str, str, str]]


def preview_of(plan: importer.ImportPlan, zone: str) -> Preview:
    """Work out the preview of ``plan`` (off the UI thread).

    Args:
        plan: The plan.
        zone: The practice's IANA zone: appointment times show in practice time, as the
            detail pane labels them, with the export's own reading when its offset differs.
    """
    summary = plan.summary()
    return Preview(
        plan=plan,
        summary=summary,
        counts=counts_text(summary, plan.by_lane()),
        rows=[
            (
                _KIND_LABEL[change.kind],
                change.lane.label,
                change.patient,
                _when(change.when, change.values.get("appointment_offset_min"), zone),
                change.location_in_file,
            )
            for change in plan.changes[:PREVIEW_ROWS]
        ],
    )


def counts_text(summary: dict[str, Any], by_lane: dict[str, dict[str, int]]) -> str:
    """The counts, then one line per lane with changes."""
    s = summary
    lines = [
        f"New {s['created']} · Updated {s['updated']} · Closed {s['closed']} · "
        f"Unchanged {s['skipped']} · Missing from this full export {s['missing']}"
    ]
    for lane, counts in by_lane.items():
        if any(counts.values()):
            lines.append(
                f"{Lane(lane).label}: new {counts['created']}, updated {counts['updated']}, "
                f"reopened {counts['reopened']}, closed {counts['closed']}"
            )
    return "\n".join(lines)


def _when(stored: str | None, offset_min: int | None, zone: str) -> str:
    if not stored:
        return ""
    start = from_db(stored)
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

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        """Show ``rows`` instead (one reset)."""
        self.beginResetModel()
        self._rows = rows
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
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        """A cell's text."""
        if role != _DISPLAY or not index.isValid():
            return None
        return self._rows[index.row()][index.column()]
