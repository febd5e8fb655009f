"""File → Import: read and plan off the UI process, preview, then import in one transaction.

Flow: choose a file → read + plan in an import process (progress, Cancel) → preview (counts
per lane and the first rows that change) → Import on a pool thread (progress; Cancel rolls
everything back, because the transaction commits only at the end) → done.

Reading and planning are seconds of Python: run on a thread of this process they would hold
the GIL the UI thread needs (see :mod:`vmadesk.services.import_child`), so a pool thread
only waits for the import process and reads the store for it. The workers open their own
connection (a SQLCipher connection belongs to one thread); this module runs no SQL itself:
every read and write goes through :mod:`vmadesk.services.importer` and
:mod:`vmadesk.services.import_offload`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services import import_jobs, import_offload, importer
from vmadesk.services.clock import system_clock
from vmadesk.services.console import Console
from vmadesk.services.errors import ActionRefused
from vmadesk.services.import_types import (
    CsvMapping,
    IngestCancelled,
    IngestError,
    partial_mapping,
)
from vmadesk.services.import_wording import counts_text
from vmadesk.services.lane_import import LanePlan
from vmadesk.ui import workers
from vmadesk.ui.dialogs.imports.csv_mapping import CsvMappingDialog
from vmadesk.ui.dialogs.imports.preview import (
    COLUMNS,
    LANE_COLUMNS,
    MISSING_ROWS,
    Preview,
    RowsModel,
    lane_preview,
    preview_of,
)

#: Warnings the preview lists; the label gives the count of all.
PREVIEW_WARNINGS = 5

log = logging.getLogger(__name__)


def _read_and_plan(
    control: workers.Progress,
    console: Console,
    path: Path,
    practice_id: int | None,
    mapping: CsvMapping | None,
    vma: str,
    now: datetime,
    process: import_offload.ImportProcess | None,
) -> Preview:
    """On a pool thread: the service reads and plans; the preview is worked out here too."""
    try:
        planned = import_jobs.plan_import(
            console,
            path,
            practice_id=practice_id,
            mapping=mapping,
            vma=vma,
            now=now,
            process=process,
            report=control.report,
            cancelled=lambda: control.cancelled,
            missing_rows=MISSING_ROWS,
        )
    except IngestCancelled:
        raise workers.Cancelled from None
    if isinstance(planned.plan, LanePlan):
        return lane_preview(planned.plan)
    # Here: tens of milliseconds the UI thread does not spend.
    return preview_of(planned.plan, planned.zone or "UTC", planned.missing)


def _apply(
    control: workers.Progress, console: Console, plan: importer.ImportPlan | LanePlan
) -> importer.ImportReport:
    """On a pool thread: the service writes the plan."""
    try:
        return import_jobs.apply_import(
            console, plan, report=control.report, cancelled=lambda: control.cancelled
        )
    except importer.ImportCancelled:
        raise workers.Cancelled from None


class ImportDialog(QDialog):
    """Preview and run one import. :attr:`imported` is True once anything was written."""

    def __init__(
        self,
        console: Console,
        path: Path,
        *,
        practice_id: int | None,
        mapping: CsvMapping | None = None,
        parent: QWidget | None = None,
        now: datetime | None = None,
        process: import_offload.ImportProcess | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.setMinimumWidth(640)
        self.console = console
        self.path = Path(path)
        self.practice_id = practice_id
        self.mapping = mapping
        self.now = now
        self._process = process  # started ahead, for the read
        self.plan: importer.ImportPlan | LanePlan | None = None
        self._summary: dict[str, Any] = {}
        self.report: importer.ImportReport | None = None
        self.imported = False
        self.state = "idle"
        self._job: workers.Job | None = None

        layout = QVBoxLayout(self)
        self.file_label = QLabel(f"File: {self.path.name}")
        layout.addWidget(self.file_label)
        self.status = QLabel("")
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        layout.addWidget(self.progress)
        self.counts = QLabel("")
        self.counts.setAccessibleName("Counts")
        self.counts.setWordWrap(True)
        layout.addWidget(self.counts)
        self.warnings = QLabel("")
        self.warnings.setAccessibleName("Warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setVisible(False)
        layout.addWidget(self.warnings)
        self.model = RowsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Changes")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)  # one line per change; columns fit their text...
        # ...of the first rows: measuring every row's text is a stall when the preview shows.
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox()
        self.import_button = QPushButton("&Import")
        self.import_button.setAccessibleName("Import")
        self.import_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        # Offered when a CSV was refused: a column read as the wrong field is remapped here.
        self.map_button = QPushButton("&Map columns…")
        self.map_button.setAccessibleName("Map columns")
        self.map_button.clicked.connect(self.remap)
        self.buttons.addButton(self.map_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.map_button.setVisible(False)  # after addButton, which shows it
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.buttons)

    # -- phases ----------------------------------------------------------------------------

    def start(self) -> None:
        """Read and plan the file on a pool thread."""
        self.state = "reading"
        self.status.setText("Reading the file…")
        self.progress.setRange(0, 0)
        self._job = workers.start(
            _read_and_plan,
            self.console,
            self.path,
            self.practice_id,
            self.mapping,
            self.console.vma,
            self.now or system_clock(),
            self._process,
            on_success=self._planned,
            on_error=self._failed,
            on_progress=self._progress,
            parent=self,
        )
        self._job.cancelled.connect(self._cancelled)

    def start_import(self) -> None:
        """Write the plan on a pool thread (one transaction)."""
        if self.plan is None or self.state != "preview":
            return
        self.state = "importing"
        self.import_button.setEnabled(False)
        self.status.setText("Importing… Cancel keeps nothing.")
        self.progress.setRange(0, max(len(self.plan.changes), 1))
        self.progress.setValue(0)
        self._job = workers.start(
            _apply,
            self.console,
            self.plan,
            on_success=self._applied,
            on_error=self._failed,
            on_progress=self._progress,
            parent=self,
        )
        self._job.cancelled.connect(self._cancelled)

    def _headers(self) -> importer.CsvHeaders | None:
        """The file's CSV header row, or None for a FHIR (or unreadable) file."""
        try:
            return importer.csv_headers(self.path)
        except IngestError:
            return None

    def remap(self) -> None:
        """Match the refused CSV's columns by hand, then read it again with that mapping."""
        headers = self._headers()
        if headers is None or self.state != "failed":
            return
        prefill = self.mapping or headers.detected or partial_mapping(headers.headers)
        dialog = CsvMappingDialog(
            headers.headers, prefill, self, intro="The file was refused as its columns were read."
        )
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.mapping is None:
            return
        self.mapping = dialog.mapping
        self._process = None  # the refused read's process has ended: the next read starts one
        self.map_button.setVisible(False)
        self.model.set_rows([])
        self.cancel_button.setText("Cancel")
        self.start()

    def cancel(self) -> None:
        """Stop the running phase (rolling back), or close the dialog."""
        if self._job is not None and self._job.running:
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self._job.cancel()
            return
        self.done(QDialog.DialogCode.Accepted if self.imported else QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        """Escape / window close: same as Cancel."""
        self.cancel()

    def done(self, result: int) -> None:
        """Close; a plan not imported lets its import process go."""
        if self.plan is not None and self.state == "preview":
            self.plan.release()
        super().done(result)

    # -- job callbacks (UI thread) ------------------------------------------------------------

    def _progress(self, done: int, total: int, text: str) -> None:
        # Only what changed: a new text re-lays the word-wrapped label out (ms each time).
        top = max(total, 0)
        if self.progress.maximum() != top or self.progress.minimum() != 0:
            self.progress.setRange(0, top)
        if top:
            self.progress.setValue(done)
        if text and self.status.text() != f"{text}…":
            self.status.setText(f"{text}…")

    # Each outcome ends its job: the job's own "finished" comes a moment later, and a
    # Cancel / Close pressed in between must close the dialog, not cancel a finished job.

    def _planned(self, preview: Preview) -> None:
        self._job = None
        plan = self.plan = preview.plan
        self._summary = preview.summary
        self.state = "preview"
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.counts.setText(preview.counts)
        self._show_warnings(plan)
        self._fill_rows(preview.rows)
        if plan.has_changes:
            self.status.setText("Review the changes, then Import.")
            self.import_button.setEnabled(True)
            self.import_button.setDefault(True)
        else:
            self.status.setText("Nothing to change: your work already matches this file.")

    def _applied(self, report: importer.ImportReport) -> None:
        self._job = None
        self.report = report
        self.state = "done"
        self.imported = report.changed
        self.status.setText(f"Imported: {counts_text(report.to_dict())}.")
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._job = None
        self.state = "failed"
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if isinstance(exc, IngestError):
            message = str(exc)
            log.warning("import refused: %s", exc.log_text())
            self.map_button.setVisible(self._headers() is not None)
        elif isinstance(exc, ActionRefused):
            message = str(exc)
        else:
            # Anything else may carry a value from the file in its message: name the type.
            kind = getattr(exc, "kind", None) or type(exc).__name__
            message = f"The import failed ({kind}); nothing was imported."
        self.status.setText(f"⚠ {message}")
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)

    def _cancelled(self) -> None:
        self._job = None
        was_importing = self.state == "importing"
        self.state = "cancelled"
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(
            "Import cancelled; nothing was imported."
            if was_importing
            else "Reading cancelled; nothing was imported."
        )
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)

    # -- preview ------------------------------------------------------------------------------

    def _show_warnings(self, plan: importer.ImportPlan | LanePlan) -> None:
        """The count of warnings and the first few (they name places, never values)."""
        texts = self.warning_texts()
        self.warnings.setVisible(bool(texts))
        if not texts:
            self.warnings.setText("")
            self.warnings.setToolTip("")
            return
        lines = [f"⚠ {len(texts)} warning{'s' if len(texts) != 1 else ''}:"]
        lines += [f"• {t}" for t in texts[:PREVIEW_WARNINGS]]
        if len(texts) > PREVIEW_WARNINGS:
            lines.append(f"… and {len(texts) - PREVIEW_WARNINGS} more (see the tooltip)")
        self.warnings.setText("\n".join(lines))
        self.warnings.setToolTip("\n".join(texts))

    def warning_texts(self) -> list[str]:
        """The preview's warnings (for callers and tests)."""
        if isinstance(self.plan, LanePlan):
            return list(self.plan.warnings)
        return [str(w) for w in self.plan.batch.warnings] if self.plan is not None else []

    def _fill_rows(self, rows: list[tuple[str, ...]]) -> None:
        lanes = isinstance(self.plan, LanePlan)
        self.model.set_rows(rows, LANE_COLUMNS if lanes else COLUMNS)
        self.table.resizeColumnsToContents()  # a few hundred short rows at most

    def counts_summary(self) -> dict[str, Any]:
        """The preview's counts (for callers and tests)."""
        return dict(self._summary)
