"""Spot checks: draw a sample (seed shown), read timelines, score the rubric, handle evidence.

Each sampled item shows its PHI-free timeline; the rubric is scored per item.

Evidence is the only PHI this console ever shows: it opens with the supervisor profile's private
key on the UI thread (the profile's connection lives there), appears in a modal dialog, and the
dialog's text is cleared and the dialog deleted when it closes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services import hub_records
from vmadesk.services.evidence import (
    DECLINE_LABELS,
    EvidenceError,
    EvidenceViewer,
    evidence_lines,
)
from vmadesk.services.supervisor import SupervisorService
from vmadesk.ui.supervisor.board_tabs import table_view
from vmadesk.ui.supervisor.models import (
    ROW_ROLE,
    SAMPLE_COLUMNS,
    TIMELINE_COLUMNS,
    RowModel,
    SampledRow,
    TimelineRow,
    short,
    timeline_rows,
)
from vmadesk.ui.supervisor.tab_action import tab_action

_WINDOW = Qt.ShortcutContext.WindowShortcut


def this_week(now: datetime | None = None) -> str:
    """The current ISO week, ``2025-W07``."""
    year, week, _ = (now or datetime.now(UTC)).isocalendar()
    return f"{year}-W{week:02d}"


class EvidenceDialog(QDialog):
    """Shows opened evidence; clears it on close."""

    def __init__(
        self,
        lines: list[str],
        parent: QWidget | None = None,
        *,
        title: str = "Spot-check evidence",
        intro: str = "Patient details from the VMA's sealed answer. Viewing is "
        "audited; nothing is kept after you close this.",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)  # no PHI in titles
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setObjectName("evidenceText")
        self.text.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(intro, self))
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.finished.connect(self._clear)

    def _clear(self) -> None:
        self.text.clear()


class SpotCheckTab(QWidget):
    """The spot-check workflow for one VMA and week."""

    def __init__(
        self,
        service: SupervisorService,
        run: Any,
        viewer: EvidenceViewer | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._run = run
        self.viewer = viewer
        self.sample: hub_records.Sample | None = None
        self.scores: dict[str, hub_records.SpotCheckScore] = {}
        self.evidence_dialog: EvidenceDialog | None = None
        self.vma_box = QComboBox(self)
        self.vma_box.setObjectName("sampleVma")
        self.week_edit = QLineEdit(this_week(), self)
        self.week_edit.setObjectName("sampleWeek")
        self.week_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{4}-W\d{2}"), self)
        )
        self.per_stratum = QSpinBox(self)
        self.per_stratum.setRange(1, 100)
        self.per_stratum.setValue(2)
        self.draw_button = QPushButton("&Draw sample (Ctrl+D)", self)
        self.seed_label = QLabel("No sample drawn.", self)
        self.seed_label.setObjectName("sampleSeed")
        self.seed_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items_model: RowModel[SampledRow] = RowModel(SAMPLE_COLUMNS, self)
        self.items_view = table_view("sampleItems", self)
        self.items_view.setModel(self.items_model)
        self.items_view.setAccessibleName("Sampled items")
        self.timeline_model: RowModel[TimelineRow] = RowModel(TIMELINE_COLUMNS, self)
        self.timeline_view = table_view("timeline", self)
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_view.setAccessibleName("Item timeline")
        self.on_time = QCheckBox("On &time", self)
        self.consistent = QCheckBox("Outcome &consistent with attempts", self)
        self.documented = QCheckBox("Documentation co&mplete", self)
        self.warranted = QComboBox(self)
        self.warranted.setObjectName("escalationWarranted")
        for label, value in (("nothing escalated", None), ("yes", True), ("no", False)):
            self.warranted.addItem(label, value)
        self.comment = QComboBox(self)
        self.comment.setObjectName("commentCode")
        for code in hub_records.CommentCode:
            self.comment.addItem(code.value.replace("_", " "), code.value)
        self.status = QLabel("", self)
        self.status.setObjectName("spotStatus")
        self.status.setWordWrap(True)
        self._layout()
        self.draw_action = tab_action(self, "&Draw sample", "Ctrl+D", self.draw)
        self.score_action = tab_action(self, "&Save score", "Ctrl+S", self.save_score)
        self.request_action = tab_action(self, "Request &evidence", "Ctrl+E", self.request_evidence)
        self.open_action = tab_action(self, "&Open evidence", "Ctrl+O", self.open_evidence)
        self.draw_button.clicked.connect(self.draw)
        self.items_view.selectionModel().currentRowChanged.connect(self._item_changed)
        if viewer is None:
            self.request_action.setEnabled(False)
            self.open_action.setEnabled(False)

    def _layout(self) -> None:
        top = QHBoxLayout()
        for label, widget in (
            ("&VMA:", self.vma_box),
            ("&Week:", self.week_edit),
            ("&Per stratum:", self.per_stratum),
        ):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            top.addWidget(caption)
            top.addWidget(widget)
        top.addWidget(self.draw_button)
        top.addStretch(1)
        rubric = QFormLayout()
        rubric.addRow(self.on_time)
        rubric.addRow(self.consistent)
        rubric.addRow(self.documented)
        warranted = QLabel("Escalation &warranted:", self)
        warranted.setBuddy(self.warranted)
        rubric.addRow(warranted, self.warranted)
        comment = QLabel("Comme&nt code:", self)
        comment.setBuddy(self.comment)
        rubric.addRow(comment, self.comment)
        hint = "Ctrl+S save score · Ctrl+E request evidence · Ctrl+O open evidence"
        rubric.addRow(QLabel(hint, self))
        grid = QGridLayout()
        grid.addWidget(self.items_view, 0, 0, 2, 1)
        grid.addWidget(self.timeline_view, 0, 1)
        grid.addLayout(rubric, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.seed_label)
        layout.addLayout(grid, 1)
        layout.addWidget(self.status)

    def set_vmas(self, handles: list[str]) -> None:
        """The VMAs one can draw a sample for."""
        chosen = self.vma_box.currentText()
        self.vma_box.clear()
        self.vma_box.addItems(handles)
        if chosen in handles:
            self.vma_box.setCurrentText(chosen)

    # -- drawing ---------------------------------------------------------------------------

    def draw(self) -> None:
        """Draw this week's sample for the chosen VMA (the hub records the seed)."""
        vma, week = self.vma_box.currentText(), self.week_edit.text()
        if not vma or not self.week_edit.hasAcceptableInput():
            self.status.setText("Choose a VMA and an ISO week such as 2025-W07.")
            return
        self.status.setText(f"Drawing a sample for {vma}, {week}…")
        self._run(
            self.service.draw_sample,
            vma,
            week,
            self.per_stratum.value(),
            on_success=self.show_sample,
        )

    def show_sample(self, sample: hub_records.Sample) -> None:
        """Show a drawn (or reloaded) sample and its recorded seed."""
        self.sample = sample
        self.scores = {}
        strata = ", ".join(
            f"{s.lane.value}/{s.outcome.value if s.outcome else '-'} {s.drawn} of {s.population}"
            for s in sample.strata
        )
        self.seed_label.setText(
            f"Sample {sample.week} for {sample.vma}: seed {sample.seed}, "
            f"{len(sample.items)} items ({strata or 'no completed items'})"
        )
        self._show_items()
        if sample.items:
            self.items_view.selectRow(0)
        self._run(self.service.scores, sample.sample_id, on_success=self._show_scores)

    def _show_items(self) -> None:
        if self.sample is None:
            return
        row = self.items_view.currentIndex().row()
        self.items_model.set_rows(
            [SampledRow(i, self.scores.get(i.pseudonym)) for i in self.sample.items]
        )
        if 0 <= row < len(self.sample.items):
            self.items_view.selectRow(row)

    def _show_scores(self, records: list[hub_records.ScoreRecord]) -> None:
        self.scores = {r.score.pseudonym: r.score for r in records}
        self._show_items()
        self._load_rubric()

    def current_item(self) -> hub_records.SampleItem | None:
        """The sampled item under the cursor."""
        index = self.items_view.currentIndex()
        row = index.data(ROW_ROLE) if index.isValid() else None
        return row.item if row else None

    def _item_changed(self, *_args: object) -> None:
        item = self.current_item()
        if item is None or self.sample is None:
            return
        self._load_rubric()
        vma = self.sample.vma
        self._run(self._timeline, vma, item.pseudonym, on_success=self._show_timeline)

    def _timeline(self, vma: str, pseudonym: str) -> list[TimelineRow]:
        events = self.service.timeline(vma, pseudonym)
        return timeline_rows(events, self.service.item_escalations(vma, pseudonym))

    def _show_timeline(self, rows: list[TimelineRow]) -> None:
        self.timeline_model.set_rows(rows)
        self.timeline_view.resizeColumnsToContents()

    # -- rubric ----------------------------------------------------------------------------

    def _load_rubric(self) -> None:
        item = self.current_item()
        score = self.scores.get(item.pseudonym) if item else None
        self.on_time.setChecked(bool(score and score.on_time))
        self.consistent.setChecked(bool(score and score.outcome_consistent))
        self.documented.setChecked(bool(score and score.documentation_complete))
        warranted = score.escalation_warranted if score else None
        self.warranted.setCurrentIndex(self.warranted.findData(warranted) if score else 0)
        self.comment.setCurrentIndex(
            self.comment.findData(
                score.comment.value if score else hub_records.CommentCode.NONE.value
            )
        )

    def rubric(self, pseudonym: str) -> hub_records.SpotCheckScore:
        """The rubric as currently ticked."""
        return hub_records.SpotCheckScore(
            pseudonym=pseudonym,
            on_time=self.on_time.isChecked(),
            outcome_consistent=self.consistent.isChecked(),
            documentation_complete=self.documented.isChecked(),
            escalation_warranted=self.warranted.currentData(),
            comment=hub_records.CommentCode(self.comment.currentData()),
        )

    def save_score(self) -> None:
        """Ctrl+S: record the rubric for the current item."""
        item = self.current_item()
        if item is None or self.sample is None:
            return
        score = self.rubric(item.pseudonym)
        self._run(self.service.score, self.sample.sample_id, score, on_success=self._scored)

    def _scored(self, record: hub_records.ScoreRecord) -> None:
        self.scores[record.score.pseudonym] = record.score
        self._show_items()
        self.status.setText(f"Score saved for item {short(record.score.pseudonym)}.")

    # -- evidence --------------------------------------------------------------------------

    def request_evidence(self) -> None:
        """Ctrl+E: ask the VMA to seal the item's details to this profile's key."""
        item = self.current_item()
        if item is None or self.sample is None or self.viewer is None:
            return
        key = self.viewer.public_key_b64()
        self._run(
            self.service.request_evidence,
            key,
            self.sample.sample_id,
            item.pseudonym,
            on_success=self._requested,
        )

    def _requested(self, record: hub_records.EvidenceRecord) -> None:
        self.status.setText(
            f"Evidence requested for item {short(record.pseudonym)}; waiting for "
            f"{record.vma} to approve."
        )

    def open_evidence(self) -> None:
        """Ctrl+O: fetch the answered envelope (worker), open it here (UI thread)."""
        item = self.current_item()
        if item is None or self.sample is None or self.viewer is None:
            return
        self._run(
            self.service.evidence_for,
            self.sample.sample_id,
            item.pseudonym,
            on_success=self._show_evidence,
        )

    def _show_evidence(self, records: list[hub_records.EvidenceRecord]) -> None:
        answered = [r for r in records if r.sealed]
        declined = [r for r in records if r.state is hub_records.EvidenceState.DECLINED]
        if not answered and declined:
            reason = declined[-1].decline_reason
            why = DECLINE_LABELS[reason] if reason is not None else "no reason given"
            self.status.setText(f"Evidence declined by {declined[-1].vma}: {why}.")
            return
        if not answered or self.viewer is None:
            waiting = "requested, not answered yet" if records else "not requested yet"
            self.status.setText(f"Evidence {waiting}.")
            return
        try:
            payload = self.viewer.open(answered[0])
        except EvidenceError as error:
            self.status.setText(str(error))
            return
        self.evidence_dialog = EvidenceDialog(evidence_lines(payload), self)
        del payload
        self.evidence_dialog.destroyed.connect(self._dialog_gone)
        self.evidence_dialog.open()

    def _dialog_gone(self) -> None:
        self.evidence_dialog = None
