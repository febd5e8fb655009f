"""The sender's side of a handoff as data: a note draft per item and the table of open items.

:class:`NoteDraft` is the I-PASS form's state for one item (it may be half-written until the
packet is written); :class:`HandoffItemsModel` lists the VMA's open items with a tick to include
each and the state of its note. Both hold PHI only while the End shift dialog is open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.instants import load_zone
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Priority
from vmadesk.services.views import EscalationRow, ItemRow
from vmadesk.ui.models.row_table import ACCESSIBLE, DISPLAY, RowTableModel

CHECK = Qt.ItemDataRole.CheckStateRole
CHECKED = Qt.CheckState.Checked
UNCHECKED = Qt.CheckState.Unchecked
CHECKABLE = Qt.ItemFlag.ItemIsUserCheckable
_TIMED_ACTION = re.compile(r"^\s*(\d{1,2}):(\d{2})\s+(.*)$")


@dataclass
class NoteDraft:
    """The form's state for one item (may be half-written)."""

    include: bool = True
    priority: Priority = Priority.ROUTINE
    summary: str = ""
    actions: str = ""
    contingency: str = ""

    def steps(self, now: datetime, tz: str) -> tuple[ActionStep, ...]:
        """Actions, one per line; a leading ``HH:MM`` is the next such time in ``tz``."""
        steps = []
        zone = load_zone(tz)
        local_now = now.astimezone(zone)
        for index, line in enumerate(x for x in self.actions.splitlines() if x.strip()):
            match = _TIMED_ACTION.match(line)
            if not match:
                steps.append(ActionStep(line.strip()))
                continue
            hour, minute, text = int(match[1]), int(match[2]), match[3].strip()
            if hour > 23 or minute > 59:
                raise ValueError(f"actions[{index}].due: {match[1]}:{match[2]} is not a time")
            due = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if due < local_now:
                due += timedelta(days=1)
            steps.append(ActionStep(text, due))
        return tuple(steps)

    def note(self, now: datetime, tz: str) -> HandoffNote:
        """The validated note (ValueError whose message starts with the field name)."""
        note = HandoffNote(
            priority=self.priority,
            summary=self.summary.strip(),
            actions=self.steps(now, tz),
            contingency=self.contingency.strip(),
        )
        note.validate()
        return note


def _auto_summary(item: ItemRow) -> str:
    """A PHI-free starting summary the VMA edits: lane, status, attempts so far."""
    attempts = f"{item.attempt_count} attempt{'s' if item.attempt_count != 1 else ''}"
    return f"{lane_definition(item.lane).item_words} {item.status}, {attempts} so far"


_URGENCY_RANK = {"immediate": 0, "urgent": 1}


def escalation_badge(escalated: list[EscalationRow]) -> str:
    """The Escalation cell: the most urgent open one, e.g. "⚑ Clinical concern · urgent +1"."""
    open_ = [e for e in escalated if e.state != "resolved"]
    if not open_:
        return "✓ resolved" if escalated else ""
    top = min(open_, key=lambda e: (_URGENCY_RANK.get(e.urgency, 2), e.raised_at))
    try:
        category = EscalationCategory(top.category).label
    except ValueError:
        category = top.category
    more = f" +{len(open_) - 1}" if len(open_) > 1 else ""
    return f"⚑ {category} · {top.urgency} ({top.state}){more}"


class HandoffItemsModel(RowTableModel[ItemRow]):
    """The VMA's open items with a tick to include each in the handoff and its note state."""

    HEADERS = ("Hand off", "Lane", "Patient", "Due", "Priority", "Note", "Escalation")

    def __init__(
        self,
        items: list[ItemRow],
        parent: QObject | None = None,
        *,
        escalations: dict[int, list[EscalationRow]] | None = None,
        local_tz: str = "UTC",
    ) -> None:
        super().__init__(items, parent)
        #: Due times show in the VMA's own zone, as the note's action times are written.
        self.zone = load_zone(local_tz)
        self.drafts = [NoteDraft(summary=_auto_summary(item)) for item in items]
        self.problems: dict[int, str] = {}
        self.escalations = escalations or {}

    @property
    def items(self) -> list[ItemRow]:
        """The open items, one per row (the rows of this model)."""
        return self.rows

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Selectable rows; the first column is checkable."""
        flags = super().flags(index)
        if index.isValid() and index.column() == 0:
            flags |= CHECKABLE
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        """Cell text and the include tick."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = index.row(), index.column()
        item, draft = self.rows[row], self.drafts[row]
        if role == CHECK and col == 0:
            return CHECKED if draft.include else UNCHECKED
        if role in (DISPLAY, ACCESSIBLE):
            if col == 0:
                return "" if role == DISPLAY else ("included" if draft.include else "kept")
            if col == 1:
                return Lane(item.lane).label
            if col == 2:
                return item.patient_display
            if col == 3:
                due = item.effective_due.astimezone(self.zone)
                return due.strftime("%a %d %b %H:%M %Z")
            if col == 4:
                return draft.priority.value
            if col == 5:
                if not draft.include:
                    return "stays with you"
                return self.problems.get(row, "ok")
            if col == 6:
                return escalation_badge(self.escalations.get(item.id, []))
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = CHECK
    ) -> bool:
        """Tick or untick an item."""
        if not index.isValid() or index.column() != 0 or role != CHECK:
            return False
        state = value.value if isinstance(value, Qt.CheckState) else value
        self.drafts[index.row()].include = state == CHECKED.value
        self.dataChanged.emit(index, self.index(index.row(), len(self.HEADERS) - 1))
        return True

    def set_include(self, row: int, include: bool) -> None:
        """Include or keep one item."""
        state = CHECKED if include else UNCHECKED
        self.setData(self.index(row, 0), state.value, CHECK)

    def draft_changed(self, row: int) -> None:
        """Repaint one row after its note changed in the form."""
        self.problems.pop(row, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def set_problems(self, problems: dict[int, str]) -> None:
        """Show validation results in the Note column."""
        self.problems = problems
        if self.rows:
            self.dataChanged.emit(self.index(0, 5), self.index(len(self.rows) - 1, 5))

    def clear(self) -> None:
        """Forget every row (the dialog is closing; drop the PHI)."""
        self.beginResetModel()
        self.rows = []
        self.drafts = []
        self.problems = {}
        self.escalations = {}
        self.endResetModel()
