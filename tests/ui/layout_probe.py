"""Opens the console and its dialogs on a demo profile and prints how each fits the screen.

Run in its own process (the screen size and scale are fixed when Qt starts), e.g. with
``QT_QPA_PLATFORM=offscreen:configfile=…`` describing a 1280×720 screen and
``QT_SCALE_FACTOR=1.5``. Prints one JSON object: per window, its size, its minimum size and
whether its buttons lie inside it, beside the screen's available size.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QWidget


def _measure(widget: QWidget) -> dict[str, object]:
    app = QApplication.instance()
    widget.show()
    for _ in range(5):
        app.processEvents()
    rect = widget.rect()
    buttons = widget.findChildren(QDialogButtonBox) or []
    outside = []
    for box in buttons:
        if not box.isVisible():
            continue
        for button in box.findChildren(QAbstractButton):
            if not button.isVisible():
                continue
            top_left = button.mapTo(widget, button.rect().topLeft())
            bottom_right = button.mapTo(widget, button.rect().bottomRight())
            if not (rect.contains(top_left) and rect.contains(bottom_right)):
                outside.append(button.text().replace("&", ""))
    hint = widget.minimumSizeHint()
    minimum = widget.minimumSize()
    result = {
        "width": widget.width(),
        "height": widget.height(),
        "min_width": max(hint.width(), minimum.width()),
        "min_height": max(hint.height(), minimum.height()),
        "buttons_outside": outside,
    }
    widget.hide()
    return result


def _report_preview(base: Path, parent: QWidget) -> QWidget:
    from vmadesk.ui.dialogs.handoff.report import ReportPreviewDialog

    html = "<h1>Handoff</h1>" + "<p>Item</p>" * 40
    return ReportPreviewDialog(html, base / "report.pdf", parent=parent)


def main(out: Path) -> None:
    """Measure every window; write the JSON to ``out``."""
    app = QApplication(sys.argv[:1])
    from tests.conftest import FAST_KDF
    from tests.ui.conftest import MovableClock, make_context
    from vmadesk.domain.vocabulary import Lane
    from vmadesk.services.demo import fill_demo
    from vmadesk.store import profile as profiles
    from vmadesk.ui.console.shell import ConsoleShell
    from vmadesk.ui.console.window import MainWindow
    from vmadesk.ui.dialogs.attempt import AttemptDialog
    from vmadesk.ui.dialogs.escalation import EscalationDialog
    from vmadesk.ui.dialogs.handoff.keys import AddColleagueDialog, MyKeyDialog
    from vmadesk.ui.dialogs.hold import HoldDialog
    from vmadesk.ui.dialogs.outcomes import CancelDialog, NoteActionDialog, OutcomeDialog
    from vmadesk.ui.dialogs.quick_add import QuickAddDialog
    from vmadesk.ui.dialogs.settings import SettingsDialog
    from vmadesk.ui.dialogs.shift import StartShiftDialog
    from vmadesk.ui.dialogs.unlock import UnlockDialog
    from vmadesk.ui.ui_settings import UiSettings

    base = Path(tempfile.mkdtemp())
    profile, _ = profiles.create(
        base / "p", "correct horse battery", vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )
    clock = MovableClock()
    fill_demo(profile, items=60, seed=7, now=clock.now)
    ctx = make_context(profile, clock)
    window = MainWindow(ctx, url_opener=lambda _u: None)
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(base / "ui.ini"), idle_ms=600_000)
    screen = app.primaryScreen().availableGeometry()
    report: dict[str, object] = {"screen": [screen.width(), screen.height()]}
    window.show()
    app.processEvents()
    report["console"] = _measure(window)
    window.show()
    table = window.table
    metrics = table.horizontalHeader().fontMetrics()
    model = table.model()
    clipped = []
    for column in range(model.columnCount()):
        title = model.headerData(column, Qt.Orientation.Horizontal)
        if not table.isColumnHidden(column) and table.columnWidth(column) < (
            metrics.horizontalAdvance(title)
        ):
            clipped.append(title)
    report["console"]["clipped_columns"] = clipped
    shown = [c for c in range(model.columnCount()) if not table.isColumnHidden(c)]
    report["console"]["columns_shown"] = [
        model.headerData(c, Qt.Orientation.Horizontal) for c in shown
    ]
    report["console"]["columns_overflow"] = sum(table.columnWidth(c) for c in shown) - (
        table.viewport().width()
    )

    def first(lane: Lane):
        rows = ctx.worklist.page(ctx.worklist.query(lane), 0, 50)
        return next(r for r in rows if r.status == "requested")

    items = {lane: first(lane) for lane in Lane}
    factories: dict[str, Callable[[], QWidget]] = {}
    for lane, item in items.items():
        factories[f"attempt {lane.value}"] = lambda item=item: AttemptDialog(
            ctx.work, item.id, item=item, number="+14155550111", parent=window
        )
    factories["outcome eligibility"] = lambda: OutcomeDialog(
        ctx.work, items[Lane.ELIGIBILITY], "2026-12-10", window
    )
    factories["outcome confirmation"] = lambda: OutcomeDialog(
        ctx.work, items[Lane.CONFIRMATION], "", window
    )
    callback = items[Lane.CALLBACK]
    factories["cancel"] = lambda: CancelDialog(ctx.work, callback.id, window)
    factories["complete"] = lambda: NoteActionDialog(
        "Complete", "Mark this item completed?", lambda _n: None, window
    )
    factories["hold"] = lambda: HoldDialog(ctx.work, callback.id, window)
    factories["quick add"] = lambda: QuickAddDialog(ctx, ctx.worklist.practices(), None, window)
    factories["escalate"] = lambda: EscalationDialog(
        ctx.escalations, callback.id, "Chest pain: call 911.\\n" * 3, window, lane=Lane.CALLBACK
    )
    factories["settings"] = lambda: SettingsDialog(ctx, shell.ui_settings, window)
    factories["start shift"] = lambda: StartShiftDialog(ctx.shifts, window)
    factories["my key"] = lambda: MyKeyDialog(ctx.handoffs, window)
    factories["add colleague"] = lambda: AddColleagueDialog(ctx.handoffs, window)
    factories["unlock"] = lambda: UnlockDialog(base / "p", try_keychain=False)
    try:
        from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog

        factories["end shift"] = lambda: EndShiftDialog(ctx, parent=window)
    except (ImportError, TypeError):
        pass
    factories["report preview"] = lambda: _report_preview(base, window)
    for name, factory in factories.items():
        try:
            dialog = factory()
        except TypeError as exc:  # a dialog whose signature changed: say so, do not hide it
            report[name] = {"error": str(exc)}
            continue
        report[name] = _measure(dialog)
        dialog.deleteLater()
    shell.shutdown()
    out.write_text(json.dumps(report, indent=1))
    profile.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
