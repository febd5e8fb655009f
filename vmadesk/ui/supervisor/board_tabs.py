"""Team board, trends and conflicts tabs (read-only views of hub data)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import Lane
from vmadesk.services import hub_records
from vmadesk.services.conflict_groups import ConflictGroup
from vmadesk.services.supervisor import BoardSnapshot
from vmadesk.services.supervisor_board import trend_data
from vmadesk.ui.supervisor.chart import BAR, LINE, TrendChart, plural
from vmadesk.ui.supervisor.models import CONFLICT_COLUMNS, RowModel, board_model


def table_view(name: str, parent: QWidget | None = None) -> QTableView:
    """A read-only, row-selecting table with fixed row heights (no ResizeToContents rows)."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _floats(values: Sequence[int | None]) -> list[float | None]:
    """Counts as chart values, keeping None (a day without data) as a gap."""
    return [None if v is None else float(v) for v in values]


def _count_text(value: float) -> str:
    """A count on a chart: whole numbers as such, an average to one decimal."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


class BoardTab(QWidget):
    """Per VMA × lane: load, SLA health, escalations, handoffs, capacity signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = board_model(self)
        self.view = table_view("teamBoard", self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Team board")
        self.caption = QLabel("Press F5 to load the team board.", self)
        self.caption.setObjectName("boardCaption")
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.view)

    def show_snapshot(self, snapshot: BoardSnapshot) -> None:
        """Show the board rows; count who is overloaded."""
        self.model.set_rows(snapshot.rows)
        self.view.resizeColumnsToContents()
        totals = [r for r in snapshot.rows if r.lane is None]
        flagged = [r.vma for r in totals if r.signals]
        when = snapshot.fetched_at.astimezone().strftime("%H:%M")
        text = f"{plural(len(totals), 'VMA')} · updated {when}"
        if flagged:
            text += f" · capacity signals for: {', '.join(flagged)}"
        self.caption.setText(text)


class TrendsTab(QWidget):
    """Last four weeks by day: on-time rate, backlog, carry-over, escalations."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._trends: hub_records.Trends | None = None
        self.vma_box = QComboBox(self)
        self.vma_box.setObjectName("trendVma")
        self.vma_box.setAccessibleName("VMA")
        self.vma_box.addItem("Whole team", None)
        self.lane_box = QComboBox(self)
        self.lane_box.setObjectName("trendLane")
        self.lane_box.setAccessibleName("Lane")
        self.lane_box.addItem("All lanes", None)
        for lane in Lane:
            self.lane_box.addItem(lane.label, lane.value)
        vma_label = QLabel("&VMA:", self)
        vma_label.setBuddy(self.vma_box)
        lane_label = QLabel("La&ne:", self)
        lane_label.setBuddy(self.lane_box)
        self.on_time = TrendChart(
            "On-time rate", LINE, lambda v: f"{v * 100:.0f}%", fixed_max=1.0, parent=self
        )
        self.backlog = TrendChart(
            "Backlog (open items)", BAR, _count_text, integer=True, parent=self
        )
        self.carry = TrendChart("Carried over", BAR, _count_text, integer=True, parent=self)
        self.escalations = TrendChart(
            "Escalations raised", BAR, _count_text, integer=True, parent=self
        )
        self.summary = QLabel(self)
        self.summary.setObjectName("trendSummary")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        for w in (vma_label, self.vma_box, lane_label, self.lane_box):
            top.addWidget(w)
        top.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.on_time, 0, 0)
        grid.addWidget(self.backlog, 0, 1)
        grid.addWidget(self.carry, 1, 0)
        grid.addWidget(self.escalations, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)
        layout.addWidget(self.summary)
        self.vma_box.currentIndexChanged.connect(self._redraw)
        self.lane_box.currentIndexChanged.connect(self._redraw)

    def charts(self) -> tuple[TrendChart, ...]:
        """The four charts."""
        return (self.on_time, self.backlog, self.carry, self.escalations)

    def show_trends(self, trends: hub_records.Trends) -> None:
        """New data: refresh the VMA list (keeping the choice) and the charts."""
        self._trends = trends
        chosen = self.vma_box.currentData()
        handles = sorted({s.vma for s in trends.series})
        self.vma_box.blockSignals(True)
        while self.vma_box.count() > 1:
            self.vma_box.removeItem(1)
        for handle in handles:
            self.vma_box.addItem(handle, handle)
        index = self.vma_box.findData(chosen) if chosen else 0
        self.vma_box.setCurrentIndex(max(index, 0))
        self.vma_box.blockSignals(False)
        self._redraw()

    def _redraw(self) -> None:
        if self._trends is None:
            return
        lane = self.lane_box.currentData()
        data = trend_data(self._trends, self.vma_box.currentData(), Lane(lane) if lane else None)
        self.on_time.set_series(data.days, data.on_time_rate)
        self.backlog.set_series(data.days, _floats(data.backlog))
        self.carry.set_series(data.days, _floats(data.carried_over))
        self.escalations.set_series(data.days, _floats(data.escalations))
        self.summary.setText("\n".join(chart.summary() for chart in self.charts()))


class ConflictsTab(QWidget):
    """Ownership conflicts and takeovers with their reason codes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RowModel[ConflictGroup] = RowModel(CONFLICT_COLUMNS, self)
        self.view = table_view("conflicts", self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Conflicts and takeovers")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Ownership conflicts, takeovers, reassignments and handoffs, per pair of VMAs: "
                "how many items, how many times, the latest in your time zone.",
                self,
            )
        )
        layout.addWidget(self.view)

    def show_conflicts(self, conflicts: list[ConflictGroup]) -> None:
        """Replace the list."""
        self.model.set_rows(conflicts)
        self.view.resizeColumnsToContents()
