"""Report tab: per-VMA spot-check quality, exported as CSV and PDF (PHI-free, named by week)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRegularExpression, QSizeF
from PySide6.QtGui import (
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QRegularExpressionValidator,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services import spotcheck_report as report
from vmadesk.services.spotcheck_report import QualityRow
from vmadesk.services.supervisor import SupervisorService
from vmadesk.ui.supervisor.board_tabs import table_view
from vmadesk.ui.supervisor.models import QUALITY_COLUMNS, RowModel
from vmadesk.ui.supervisor.spotchecks import this_week
from vmadesk.ui.supervisor.tab_action import tab_action


def write_pdf(html: str, path: Path) -> None:
    """Print ``html`` to an A4 PDF at ``path``."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle("Spot-check report")
    writer.setCreator("vmadesk")
    document = QTextDocument()
    document.setHtml(html)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)


class ReportTab(QWidget):
    """Choose a week (and a practice label), look at the rollup, export CSV or PDF."""

    def __init__(
        self,
        service: SupervisorService,
        run: Any,
        record_export: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._run = run
        self._record_export = record_export
        self.rows: list[QualityRow] = []
        self.last_written: list[Path] = []
        self.week_edit = QLineEdit(this_week(), self)
        self.week_edit.setObjectName("reportWeek")
        self.week_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{4}-W\d{2}"), self)
        )
        self.practice_edit = QLineEdit(self)
        self.practice_edit.setObjectName("reportPractice")
        self.practice_edit.setPlaceholderText("practice label (optional)")
        self.practice_edit.setMaxLength(40)
        self.model: RowModel[QualityRow] = RowModel(QUALITY_COLUMNS, self)
        self.view = table_view("qualityTable", self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Spot-check quality by week and VMA")
        self.status = QLabel("F5 loads the spot-check rollup.", self)
        self.status.setObjectName("reportStatus")
        csv_button = QPushButton("Export &CSV (Ctrl+Shift+C)", self)
        pdf_button = QPushButton("Export &PDF (Ctrl+Shift+P)", self)
        top = QHBoxLayout()
        for label, widget in (("&Week:", self.week_edit), ("P&ractice:", self.practice_edit)):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            top.addWidget(caption)
            top.addWidget(widget)
        top.addWidget(csv_button)
        top.addWidget(pdf_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.csv_action = tab_action(self, "Export &CSV…", "Ctrl+Shift+C", lambda: self.ask("csv"))
        self.pdf_action = tab_action(self, "Export &PDF…", "Ctrl+Shift+P", lambda: self.ask("pdf"))
        csv_button.clicked.connect(self.csv_action.trigger)
        pdf_button.clicked.connect(self.pdf_action.trigger)

    def refresh(self) -> None:
        """Load samples and scores (worker thread) and roll them up."""
        self._run(self.service.week_report, on_success=self._loaded)

    def _loaded(self, result: tuple[Any, Any]) -> None:
        samples, scores = result
        self.rows = report.rollup(samples, scores)
        self.model.set_rows(self.rows)
        self.view.resizeColumnsToContents()
        self.status.setText(f"{len(self.rows)} week × VMA rows from {len(samples)} samples.")

    def ask(self, kind: str) -> None:
        """Pick a folder, then export."""
        folder = QFileDialog.getExistingDirectory(self, "Export the spot-check report to")
        if folder:
            self.export(kind, Path(folder))

    def export(self, kind: str, folder: Path) -> Path | None:
        """Write the chosen week's report as ``kind`` (csv|pdf) into ``folder``."""
        week = self.week_edit.text()
        if not self.week_edit.hasAcceptableInput():
            self.status.setText("Enter an ISO week such as 2025-W07.")
            return None
        try:
            label = report.safe_label(self.practice_edit.text())
        except ValueError as error:
            self.status.setText(str(error))
            return None
        path = folder / report.report_filename(week, kind)
        if kind == "csv":
            path.write_text(report.to_csv(r for r in self.rows if r.week == week), encoding="utf-8")
        else:
            write_pdf(report.to_html(self.rows, week, label), path)
        if self._record_export is not None:
            self._record_export(
                f"spotcheck_report_{kind}", sum(r.scored for r in self.rows if r.week == week)
            )
        self.last_written.append(path)
        self.status.setText(f"Saved {path.name}.")
        return path
