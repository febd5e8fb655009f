"""The printable handoff report: HTML built from the packet's data, shown, then saved as PDF.

The report holds PHI (it is the paper version of the handoff), so it is only written when
the VMA presses Save in the preview, its default file name carries no PHI (packet id and
date only), and every save is audited as an export.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import EscalationCategory, Lane
from vmadesk.services.console import Console
from vmadesk.services.handoff_payload import escalation_payload, open_escalations_first
from vmadesk.services.views import EscalationRow, ItemRow
from vmadesk.ui.form_parts import fit_to_screen

REPORT_KIND = "handoff_report"


@dataclass(frozen=True)
class ReportEntry:
    """One item as the report prints it (plain strings)."""

    lane: str
    practice: str
    patient: str
    subject: str
    due: str
    note: HandoffNote
    #: The item's escalations as a packet carries them (``escalation_payload``).
    escalations: tuple[dict[str, Any], ...] = ()


def _local(when: datetime | str | None, tz: str) -> str:
    """A time in ``tz`` (a packet carries stored text, an item a datetime)."""
    if not when:
        return ""
    try:
        at = (when if isinstance(when, datetime) else datetime.fromisoformat(when)).astimezone(
            load_zone(tz)
        )
    except (ValueError, TypeError):
        return str(when)
    # The zone's short name: a receiver elsewhere must not read the time as their own.
    return at.strftime("%Y-%m-%d %H:%M %Z")


def _category(code: str) -> str:
    try:
        return EscalationCategory(code).label
    except ValueError:
        return code


def escalation_heading(escalation: dict[str, Any]) -> str:
    """E.g. "OPEN · Clinical concern · urgent · raised" (resolved ones say so instead)."""
    state = escalation.get("state", "")
    mark = "resolved" if state == "resolved" else "OPEN"
    return " · ".join(
        [mark, _category(escalation.get("category", "")), escalation.get("urgency", ""), state]
    )


def escalations_html(escalated: Sequence[dict[str, Any]]) -> str:
    """An item's escalations with their SBAR texts, open ones first (every value escaped)."""
    if not escalated:
        return ""
    e = html.escape
    entries = []
    for esc in open_escalations_first(list(escalated)):
        lines = [f"<b>{e(escalation_heading(esc))}</b>"]
        for key, letter in (
            ("situation", "S"),
            ("background", "B"),
            ("assessment", "A"),
            ("request", "R"),
        ):
            if esc.get(key):
                lines.append(f"{letter}: {e(esc[key])}")
        entries.append("<li>" + "<br>".join(lines) + "</li>")
    return f"<p><b>Escalations</b></p><ul>{''.join(entries)}</ul>"


def subject_text(values: dict[str, Any] | ItemRow, tz: str) -> str:
    """What the item is about: the callback reason, the appointment, or the coverage."""
    get = values.get if isinstance(values, dict) else lambda k: getattr(values, k, None)
    kind = get("subject_kind")
    if kind == "callback":
        return f"Callback: {get('reason') or '-'}"
    when = _local(get("appointment_start"), tz)
    what = get("appointment_type") or "Appointment"
    text = f"{what} {when}".strip()
    if get("provider"):
        text += f" with {get('provider')}"
    if kind == "coverage" and get("payer"):
        text += f"; payer {get('payer')}"
    return text


def entry_from_item(
    item: ItemRow,
    practice_name: str,
    tz: str,
    note: HandoffNote,
    escalations: Sequence[dict[str, Any]] = (),
) -> ReportEntry:
    """A report line for one of the sender's items."""
    return ReportEntry(
        lane=Lane(item.lane).label,
        practice=practice_name,
        patient=item.patient_display,
        subject=subject_text(item, tz),
        due=_local(item.effective_due, tz),
        note=note,
        escalations=tuple(escalations),
    )


def report_html(
    ctx: Console,
    *,
    packet_id: str,
    receiver: str,
    included: Sequence[tuple[ItemRow, HandoffNote]],
    escalations: dict[int, list[EscalationRow]],
    shift_note: str,
) -> str:
    """The report of a packet just written, from the sender's items and notes."""
    names: dict[int, tuple[str, str]] = {}
    entries = []
    for item, note in included:
        if item.practice_id not in names:
            practice = ctx.work.practice(item.practice_id)
            names[item.practice_id] = (practice.name, practice.tz)
        name, tz = names[item.practice_id]
        escalated = [escalation_payload(e) for e in escalations.get(item.id, [])]
        entries.append(entry_from_item(item, name, tz, note, escalated))
    now = ctx.clock().astimezone(load_zone(ctx.local_tz))
    return build_html(
        sender=ctx.vma,
        receiver=receiver,
        packet_id=packet_id,
        created=now.strftime("%Y-%m-%d %H:%M %Z"),
        shift_note=shift_note,
        entries=entries,
    )


def build_html(
    *,
    sender: str,
    receiver: str,
    packet_id: str,
    created: str,
    shift_note: str,
    entries: Sequence[ReportEntry],
) -> str:
    """The report as HTML (every value escaped)."""
    e = html.escape
    parts = [
        "<html><body>",
        "<h1>Shift handoff</h1>",
        f"<p><b>From</b> {e(sender)} <b>to</b> {e(receiver)} · {e(created)} · "
        f"packet {e(packet_id[:8])} · {len(entries)} item(s)</p>",
        f"<h2>Shift note</h2><p>{e(shift_note or '-')}</p>",
    ]
    for number, entry in enumerate(entries, start=1):
        note = entry.note
        actions = "".join(
            f"<li>{e(step.text)}"
            + (f" — by {e(step.due.strftime('%Y-%m-%d %H:%M %Z'))}" if step.due else "")
            + "</li>"
            for step in note.actions
        )
        parts += [
            f"<h3>{number}. {e(entry.patient)} — {e(entry.lane)} ({e(entry.practice)})</h3>",
            "<table cellpadding='2'>",
            f"<tr><td><b>Priority</b></td><td>{e(note.priority.value)}</td></tr>",
            f"<tr><td><b>Subject</b></td><td>{e(entry.subject)}</td></tr>",
            f"<tr><td><b>Due</b></td><td>{e(entry.due or '-')}</td></tr>",
            f"<tr><td><b>Summary</b></td><td>{e(note.summary)}</td></tr>",
            f"<tr><td><b>If / then</b></td><td>{e(note.contingency or '-')}</td></tr>",
            "</table>",
            f"<p><b>Actions</b></p><ul>{actions or '<li>none listed</li>'}</ul>",
            escalations_html(entry.escalations),
        ]
    parts += [
        "<p><small>Contains patient information: keep it as you keep the chart.</small></p>",
        "</body></html>",
    ]
    return "\n".join(parts)


#: Page sizes the VMA can print on, by name (the first that fits the locale is the default).
PAGE_SIZES: dict[str, QPageSize.PageSizeId] = {
    "Letter": QPageSize.PageSizeId.Letter,
    "A4": QPageSize.PageSizeId.A4,
    "Legal": QPageSize.PageSizeId.Legal,
}
#: Body text size, in points: what a printed letter uses.
BODY_POINTS = 11


def default_page_size() -> str:
    """Letter where the locale measures in US units, A4 elsewhere."""
    return (
        "Letter"
        if QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
        else "A4"
    )


def write_pdf(html_text: str, path: Path, page_size: str = "Letter") -> Path:
    """Render ``html_text`` to a PDF at ``path``, paginated at ``page_size``.

    The document is laid out on the PDF writer itself: its fonts are sized in points at the
    writer's resolution, so body text prints at :data:`BODY_POINTS` and long reports run over
    as many pages as they need. (Laid out at screen resolution on a page measured in the
    writer's pixels, a report shrank to an unreadable size on one page.)
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(PAGE_SIZES.get(page_size, QPageSize.PageSizeId.Letter)))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle("vmadesk handoff report")
    writer.setCreator("vmadesk")
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    font = QFont(doc.defaultFont())
    font.setPointSizeF(BODY_POINTS)
    doc.setDefaultFont(font)
    doc.setHtml(html_text)
    doc.setPageSize(QSizeF(writer.width(), writer.height()))
    doc.print_(writer)
    del writer  # finishes the file
    path.chmod(0o600)
    return path


def default_report_name(packet_id: str, when: datetime) -> str:
    """A file name without PHI: the date and the packet id's first characters."""
    return f"handoff-report-{when.strftime('%Y%m%d')}-{packet_id[:8]}.pdf"


class ReportPreviewDialog(QDialog):
    """Show the report; write the PDF only when the VMA presses Save."""

    def __init__(
        self,
        html_text: str,
        default_path: Path,
        *,
        on_saved: Callable[[Path], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Handoff report — preview")
        self.html_text = html_text
        self.on_saved = on_saved
        self.saved_path: Path | None = None
        self.preview = QTextBrowser()
        self.preview.setAccessibleName("Report preview")
        self.preview.setHtml(html_text)
        self.path = QLineEdit(str(default_path))
        self.path.setAccessibleName("Report file")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        self.message = QLabel("")
        self.message.setAccessibleName("Report message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save PDF")
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.page_size = QComboBox()
        self.page_size.setAccessibleName("Page size")
        self.page_size.addItems(list(PAGE_SIZES))
        self.page_size.setCurrentText(default_page_size())
        page_label = QLabel("&Paper")
        page_label.setBuddy(self.page_size)
        row = QHBoxLayout()
        row.addWidget(QLabel("Save to"))
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        row.addWidget(page_label)
        row.addWidget(self.page_size)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 760, 680)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save handoff report", self.path.text(), "PDF (*.pdf)"
        )
        if chosen:
            self.path.setText(chosen)

    def save(self) -> Path | None:
        """Write the PDF to the chosen path and close the preview."""
        text = self.path.text().strip()
        if not text:
            self.message.setText("Choose where to save the report.")
            return None
        target = Path(text).expanduser()
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        try:
            write_pdf(self.html_text, target, self.page_size.currentText())
        except OSError as exc:
            self.message.setText(f"Could not save: {exc.strerror or exc}.")
            return None
        self.saved_path = target
        if self.on_saved is not None:
            self.on_saved(target)
        self.accept()
        return target
