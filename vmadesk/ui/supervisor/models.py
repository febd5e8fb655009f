"""Table models of the supervisor console: one generic row model, named columns per table.

Every model holds PHI-free rows only (hub data). Roles are module constants: looking up
``Qt.ItemDataRole.DisplayRole`` at every ``data()`` call costs more than the rest of the call
(DESIGN.md, Known traps).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from vmadesk.domain.vocabulary import Lane
from vmadesk.services import hub_records
from vmadesk.services.conflict_groups import ConflictGroup
from vmadesk.services.spotcheck_report import QualityRow
from vmadesk.services.supervisor_board import RECOMMENDATION_LABELS, BoardRow

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row object behind an index."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
"""A sortable value (numbers as numbers)."""
HORIZONTAL = Qt.Orientation.Horizontal
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

T = TypeVar("T")
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    """A named column: header, display text, optional tooltip, numeric alignment."""

    name: str
    header: str
    text: Callable[[T], str]
    tooltip: Callable[[T], str] | None = None
    numeric: bool = False
    sort: Callable[[T], Any] | None = None


class RowModel(QAbstractTableModel, Generic[T]):
    """A read-only table of rows of one type, described by :class:`Column` specs."""

    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[T] = []
        self._index = {c.name: i for i, c in enumerate(self.columns)}

    def column(self, name: str) -> int:
        """The index of the column called ``name``."""
        return self._index[name]

    def set_rows(self, rows: Sequence[T]) -> None:
        """Replace every row (a model reset)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        """The rows, in order."""
        return list(self._rows)

    def row_at(self, row: int) -> T | None:
        """The row object at ``row``, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows (a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """The named columns."""
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        """Display text, tooltip, alignment, the row object, a sort key."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == DISPLAY:
            return column.text(row)
        if role == TOOLTIP:
            return column.tooltip(row) if column.tooltip else None
        if role == ALIGN:
            return RIGHT if column.numeric else None
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return column.sort(row) if column.sort else column.text(row)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column headers."""
        if role == DISPLAY and orientation == HORIZONTAL and 0 <= section < len(self.columns):
            return self.columns[section].header
        return None


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    """``83%`` or an en dash."""
    return "–" if value is None else f"{value * 100:.0f}%"


def minutes(value: float | None) -> str:
    """``42 min`` / ``2.5 h``, ``<1 min``, or an en dash when there is no figure (None)."""
    if value is None:
        return "–"
    if value < 0.5:
        return "<1 min"  # "0 min" reads as "no data"; it means "at once"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def local_time(at: datetime | None) -> str:
    """An instant in the supervisor's own zone (the zone of this machine), with the zone."""
    if at is None:
        return "never"
    return at.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def age(at: datetime | None, now: datetime | None = None) -> str:
    """How long ago: ``5 min``, ``3 h``, ``2 d``."""
    if at is None:
        return "never"
    seconds = max(0, int(((now or datetime.now(UTC)) - at).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86_400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} d"


def relative_to_due(seconds: int) -> str:
    """``26 h before due`` / ``15 min after due``."""
    span = abs(seconds)
    text = f"{span // 60} min" if span < 7200 else f"{span // 3600} h"
    return f"{text} {'before' if seconds < 0 else 'after'} due"


def lane_label(lane: Lane | str | None) -> str:
    """Lane label, or "All lanes"."""
    return "All lanes" if lane is None else Lane(lane).label


def short(pseudonym: str) -> str:
    """The first 8 hex digits of a pseudonym (enough to tell items apart on screen)."""
    return pseudonym[:8]


# --------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------


def _count(name: str) -> Column[BoardRow]:
    headers = {
        "open": "Open",
        "due_soon": "Due soon",
        "overdue": "Overdue",
        "carried_over": "Carried over",
        "escalations_open": "Escalations open",
        "handoffs_awaiting_ack": "Handoffs awaiting ack",
    }
    return Column(
        name,
        headers[name],
        lambda r: str(getattr(r, name)),
        tooltip=(lambda _r: CARRIED_OVER_HELP) if name == "carried_over" else None,
        numeric=True,
        sort=lambda r: getattr(r, name),
    )


#: What "Carried over" counts; the definition itself lives in :mod:`vmadesk.sync.summary`.
CARRIED_OVER_HELP = (
    "Open items created before today (UTC day, as of the VMA's latest summary): "
    "work carried over from an earlier day."
)


def _handoffs_text(row: BoardRow) -> str:
    return str(row.handoffs_awaiting_ack) if row.lane is None else ""


def _signals_tooltip(row: BoardRow) -> str:
    return "\n".join(f"{s.label}: {s.evidence}" for s in row.signals)


def _audit_text(row: BoardRow) -> str:
    """The total row's audit-trail state: "went back at …" stands out, "ok" otherwise."""
    if row.lane is not None:
        return ""
    if row.audit_went_back_at is not None:
        return f"⚠ went back {local_time(row.audit_went_back_at)}"
    return "ok"


BOARD_COLUMNS: tuple[Column[BoardRow], ...] = (
    Column("vma", "VMA", lambda r: r.vma),
    Column("lane", "Lane", lambda r: lane_label(r.lane)),
    _count("open"),
    _count("due_soon"),
    _count("overdue"),
    Column(
        "on_time_rate",
        "On time (7 d)",
        lambda r: pct(r.on_time_rate),
        numeric=True,
        sort=lambda r: r.on_time_rate if r.on_time_rate is not None else -1.0,
    ),
    Column(
        "first_attempt",
        "Median to 1st attempt",
        lambda r: minutes(r.first_attempt_median_min),
        tooltip=lambda r: (
            "No first attempts in the latest summary" if r.first_attempt_median_min is None else ""
        ),
        numeric=True,
    ),
    _count("carried_over"),
    _count("escalations_open"),
    Column("handoffs_awaiting_ack", "Handoffs awaiting ack", _handoffs_text, numeric=True),
    Column(
        "last_sync",
        "Last sync",
        lambda r: age(r.last_sync_at),
        tooltip=lambda r: f"Last sync round: {local_time(r.last_sync_at)}",
    ),
    Column(
        "audit",
        "Audit trail",
        lambda r: _audit_text(r),
        tooltip=lambda r: (
            "This console sent an audit trail shorter than before: its database was restored"
            " from an older copy, or its trail was cut short. Its summaries are refused until"
            " it is looked into."
            if r.audit_went_back_at
            else ""
        ),
    ),
    Column(
        "work", "Where the work stands", lambda r: r.work or "–", tooltip=lambda r: r.work_details
    ),
    Column(
        "signals", "Capacity signals", lambda r: r.signals_text or "none", tooltip=_signals_tooltip
    ),
    Column(
        "recommendation", "Recommendation", lambda r: RECOMMENDATION_LABELS[r.recommendation] or "–"
    ),
)


ESCALATION_COLUMNS: tuple[Column[hub_records.EscalationRecord], ...] = (
    Column("urgency", "Urgency", lambda e: e.urgency.value.capitalize()),
    Column("category", "Category", lambda e: e.category.label),
    Column("lane", "Lane", lambda e: e.lane.label),
    Column("age", "Age", lambda e: age(e.raised_at)),
    Column("vma", "VMA", lambda e: e.vma),
    Column("state", "State", lambda e: e.state.value.capitalize()),
    Column("item", "Item", lambda e: short(e.pseudonym)),
    Column("details", "Details (D)", lambda e: "sealed to you" if e.sealed_details else "–"),
)

CONFLICT_COLUMNS: tuple[Column[ConflictGroup], ...] = (
    Column("kind", "Kind", lambda c: c.kind.value.capitalize()),
    Column("what", "What happened", lambda c: c.what),
    Column("practice", "Practice", lambda c: c.practice or "–"),
    Column("items", "Items", lambda c: str(c.items), numeric=True, sort=lambda c: c.items),
    Column("events", "Times", lambda c: str(c.events), numeric=True, sort=lambda c: c.events),
    Column(
        "reason",
        "Reasons",
        lambda c: ", ".join(r.value.replace("_", " ") for r in c.reasons) or "–",
    ),
    Column("at", "Latest", lambda c: local_time(c.latest), sort=lambda c: c.latest),
)


@dataclass(frozen=True)
class SampledRow:
    """One sampled item and whether it was scored yet."""

    item: hub_records.SampleItem
    score: hub_records.SpotCheckScore | None


SAMPLE_COLUMNS: tuple[Column[SampledRow], ...] = (
    Column("item", "Item", lambda s: short(s.item.pseudonym)),
    Column("lane", "Lane", lambda s: s.item.lane.label),
    Column("outcome", "Outcome", lambda s: s.item.outcome.label if s.item.outcome else "–"),
    Column("scored", "Scored", lambda s: "yes" if s.score else "no"),
    Column(
        "comment", "Comment", lambda s: s.score.comment.value.replace("_", " ") if s.score else ""
    ),
)


@dataclass(frozen=True)
class TimelineRow:
    """One entry of a sampled item's PHI-free timeline."""

    what: str
    detail: str
    relative: str
    attempts: str


TIMELINE_COLUMNS: tuple[Column[TimelineRow], ...] = (
    Column("what", "Event", lambda t: t.what),
    Column("detail", "Code", lambda t: t.detail),
    Column("relative", "Time relative to due", lambda t: t.relative),
    Column("attempts", "Attempts", lambda t: t.attempts, numeric=True),
)


def timeline_rows(
    events: Sequence[hub_records.ItemEventRecord],
    escalations: Sequence[hub_records.EscalationRecord],
) -> list[TimelineRow]:
    """Events (kinds, codes, times relative to due) then the item's escalations."""
    out = []
    for record in events:
        e = record.event
        code = e.outcome or e.close_reason or e.hold_reason
        out.append(
            TimelineRow(
                e.event.value.replace("_", " "),
                code.value.replace("_", " ") if code else "",
                relative_to_due(e.seconds_from_due),
                str(e.attempt_count),
            )
        )
    for esc in escalations:
        state = esc.state.value + (f" ({esc.resolution.value})" if esc.resolution else "")
        out.append(
            TimelineRow(
                f"escalation {esc.urgency.value}",
                f"{esc.category.value}, {state}",
                f"{esc.age_seconds // 60} min after opening",
                "",
            )
        )
    return out


QUALITY_COLUMNS: tuple[Column[QualityRow], ...] = (
    Column("week", "Week", lambda q: q.week),
    Column("vma", "VMA", lambda q: q.vma),
    Column("sampled", "Sampled", lambda q: str(q.sampled), numeric=True),
    Column("scored", "Scored", lambda q: str(q.scored), numeric=True),
    Column("on_time", "On time", lambda q: pct(q.rate("on_time")), numeric=True),
    Column(
        "consistent",
        "Outcome consistent",
        lambda q: pct(q.rate("outcome_consistent")),
        numeric=True,
    ),
    Column(
        "documented",
        "Documentation complete",
        lambda q: pct(q.rate("documentation_complete")),
        numeric=True,
    ),
    Column(
        "warranted",
        "Escalation warranted",
        lambda q: pct(q.rate("escalation_warranted")),
        numeric=True,
    ),
)


def board_model(parent: QObject | None = None) -> RowModel[BoardRow]:
    """The team board's model."""
    return RowModel(BOARD_COLUMNS, parent)
