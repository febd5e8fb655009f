"""A small QPainter chart (line or bars) with axis labels and an accessible text summary.

PySide6-Essentials has no QtCharts; the board needs only day-by-day series, so this draws them
itself. ``None`` values are gaps (a day without data). The same numbers are exposed as text
(:meth:`TrendChart.summary`, also the accessible description and tooltip), for screen readers
and for people who would rather read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

LINE = "line"
BAR = "bar"
_ROLE_TEXT = QPalette.ColorRole.WindowText
_ROLE_BASE = QPalette.ColorRole.Base
_ROLE_MID = QPalette.ColorRole.Mid
_ROLE_ACCENT = QPalette.ColorRole.Highlight
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def plural(count: int, noun: str) -> str:
    """``1 VMA`` / ``3 VMAs``, ``1 day`` / ``28 days``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def nice_ticks(value: float, *, integer: bool = False, max_steps: int = 4) -> list[float]:
    """Axis ticks from 0 to a round top at or above ``value``, a 1/2/5 × 10^n step apart.

    Gridlines at fixed shares of the maximum gave labels like "1, 0, 0" for counts (a tick at
    0.5 rounded to 0); here every tick is a multiple of the step, and ``integer`` keeps the step
    at 1 or more so that counts never get a tick between two whole numbers.

    Args:
        value: The largest value to show (0 or less: an empty axis up to 1).
        integer: The values are counts.
        max_steps: At most this many steps between 0 and the top.

    Returns:
        The tick values, ascending, starting at 0.
    """
    value = value if value > 0 else 1.0
    raw = value / max_steps
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, float(round(step)))
    steps = math.ceil(value / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


class TrendChart(QWidget):
    """One series over days, as a line or as bars."""

    def __init__(
        self,
        title: str,
        kind: str = LINE,
        formatter: Callable[[float], str] = lambda v: f"{v:g}",
        *,
        fixed_max: float | None = None,
        integer: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if kind not in (LINE, BAR):
            raise ValueError("kind is 'line' or 'bar'")
        self.title = title
        self.kind = kind
        self.formatter = formatter
        self.fixed_max = fixed_max
        self.integer = integer
        self.days: tuple[date, ...] = ()
        self.values: tuple[float | None, ...] = ()
        self.setAccessibleName(title)
        self.setMinimumSize(280, 170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._update_text()

    def sizeHint(self) -> QSize:
        """Room for a month of days."""
        return QSize(420, 220)

    def set_series(self, days: Sequence[date], values: Sequence[float | None]) -> None:
        """Show ``values`` (None = no data) for ``days``."""
        if len(days) != len(values):
            raise ValueError("one value per day")
        self.days = tuple(days)
        self.values = tuple(values)
        self._update_text()
        self.update()

    def summary(self) -> str:
        """The chart as text: title, range, latest, min/max, average."""
        known = [v for v in self.values if v is not None]
        if not self.days or not known:
            return f"{self.title}: no data"
        latest = next(v for v in reversed(self.values) if v is not None)
        return (
            f"{self.title}, {self.days[0].isoformat()} to {self.days[-1].isoformat()}: "
            f"latest {self.formatter(latest)}, lowest {self.formatter(min(known))}, "
            f"highest {self.formatter(max(known))}, "
            f"average {self.formatter(sum(known) / len(known))} over "
            f"{plural(len(known), 'day')} with data"
        )

    def _update_text(self) -> None:
        text = self.summary()
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    # -- painting ----------------------------------------------------------------------------

    def ticks(self) -> list[float]:
        """The y-axis tick values, 0 first; the last is the top of the axis."""
        if self.fixed_max is not None:
            return nice_ticks(self.fixed_max, integer=self.integer)
        peak = max((v for v in self.values if v is not None), default=0.0)
        return nice_ticks(peak, integer=self.integer)

    def tick_labels(self) -> list[str]:
        """The y-axis labels, bottom to top."""
        return [self.formatter(v) for v in self.ticks()]

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw the chart."""
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, p: QPainter) -> None:
        pal = self.palette()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), pal.color(_ROLE_BASE))
        metrics = p.fontMetrics()
        line_h = metrics.height()
        ticks = self.ticks()
        top_value = ticks[-1]
        left = max(metrics.horizontalAdvance(self.formatter(v)) for v in ticks) + 10
        plot = QRectF(left, line_h + 8, self.width() - left - 10, self.height() - 3 * line_h - 12)
        text_pen = QPen(pal.color(_ROLE_TEXT))
        p.setPen(text_pen)
        p.drawText(QRectF(4, 2, self.width() - 8, line_h + 4), _ALIGN_LEFT, self.title)
        if plot.width() <= 10 or plot.height() <= 10:
            return
        # gridlines at round steps (see nice_ticks)
        grid = QPen(pal.color(_ROLE_MID))
        grid.setStyle(Qt.PenStyle.DotLine)
        for tick in ticks:
            y = plot.bottom() - tick / top_value * plot.height()
            p.setPen(grid)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text_pen)
            p.drawText(
                QRectF(0, y - line_h / 2, left - 4, line_h),
                _ALIGN_RIGHT,
                self.formatter(tick),
            )
        if not self.days:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no data")
            return
        n = len(self.days)
        slot = plot.width() / n
        # day labels: first, middle, last
        for i in sorted({0, n // 2, n - 1}):
            x = plot.left() + slot * (i + 0.5)
            label = self.days[i].strftime("%d %b")
            p.drawText(QRectF(x - 40, plot.bottom() + 4, 80, line_h), _ALIGN_CENTER, label)
        accent = pal.color(_ROLE_ACCENT)
        if self.kind == BAR:
            self._bars(p, plot, slot, top_value, accent)
        else:
            self._line(p, plot, slot, top_value, accent)

    def _y(self, plot: QRectF, value: float, top_value: float) -> float:
        share = min(max(value / top_value, 0.0), 1.0) if top_value else 0.0
        return plot.bottom() - share * plot.height()

    def _bars(self, p: QPainter, plot: QRectF, slot: float, top: float, color: QColor) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        width = max(1.0, slot * 0.7)
        for i, value in enumerate(self.values):
            if value is None:
                continue
            y = self._y(plot, value, top)
            x = plot.left() + slot * i + (slot - width) / 2
            p.drawRect(QRectF(x, y, width, plot.bottom() - y))

    def _line(self, p: QPainter, plot: QRectF, slot: float, top: float, color: QColor) -> None:
        pen = QPen(color)
        pen.setWidthF(2.0)
        p.setPen(pen)
        p.setBrush(color)
        previous: QPointF | None = None
        for i, value in enumerate(self.values):
            if value is None:
                previous = None  # a gap: days without data are not interpolated
                continue
            point = QPointF(plot.left() + slot * (i + 0.5), self._y(plot, value, top))
            if previous is not None:
                p.drawLine(previous, point)
            p.drawEllipse(point, 2.5, 2.5)
            previous = point
