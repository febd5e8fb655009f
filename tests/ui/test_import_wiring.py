"""File → Import and drag-and-drop reach the import dialog, into the right practice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tests.services.import_samples import bundle, visit, write
from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.dialogs.imports.import_dialog import ImportDialog
from vmadesk.ui.ui_settings import UiSettings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def shell(window, ctx, qtbot) -> ConsoleShell:
    console = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    qtbot.addWidget(window, before_close_func=lambda _w: console.shutdown())
    return console


def _export(tmp_path: Path) -> Path:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    visits = [*visit("w1", pid="wp1", start=start), *visit("w2", pid="wp2", start=start)]
    return write(tmp_path / "today.json", bundle(*visits))


def _import_when_previewed(qtbot) -> list[ImportDialog]:
    """Drive the modal dialog: Import once the preview is in, close once it is written."""
    seen: list[ImportDialog] = []

    def step() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog)]
        live = [d for d in dialogs if d.isVisible()]
        if not live:
            QTimer.singleShot(20, step)
            return
        dialog = live[0]
        if dialog not in seen:
            seen.append(dialog)
        if dialog.imported:
            dialog.done(ImportDialog.DialogCode.Accepted)
            return
        if dialog.import_button.isEnabled():
            dialog.import_button.click()
        QTimer.singleShot(20, step)

    QTimer.singleShot(20, step)
    return seen


def _practice_of(ctx, source_id: str) -> int:
    row = ctx.session.conn.execute(
        "SELECT practice_id FROM items WHERE source_id = ?", (source_id,)
    ).fetchone()
    assert row is not None, source_id
    return row[0]


def test_a_dropped_export_is_imported_into_the_filtered_practice(
    window, ctx, shell, qtbot, tmp_path: Path
) -> None:
    practices = ctx.worklist.practices()
    window.practice_filter.setCurrentIndex(window.practice_filter.findData(practices[1].id))
    before = window.model.rowCount()
    seen = _import_when_previewed(qtbot)
    window.files_dropped.emit([_export(tmp_path)])  # as dropEvent does
    assert len(seen) == 1 and seen[0].imported
    assert _practice_of(ctx, "w1") == practices[1].id
    assert window.model.rowCount() > before  # the lane was refreshed
    assert window.last_message == "Imported 1 file."


def test_all_practices_asks_which_one_and_cancel_imports_nothing(
    window, ctx, shell, qtbot, tmp_path: Path
) -> None:
    practices = ctx.worklist.practices()
    assert window.practice_filter.currentData() is None and len(practices) > 1
    path = _export(tmp_path)
    asked: list[list[str]] = []
    assert shell.imports.import_files([path], choose_practice=lambda n: asked.append(n)) == 0
    assert asked == [[p.name for p in practices]]
    seen = _import_when_previewed(qtbot)
    assert shell.imports.import_files([path], choose_practice=lambda _names: 2) == 1
    assert seen and _practice_of(ctx, "w2") == practices[2].id


def test_the_import_action_is_wired(window, shell) -> None:
    action = window.actions_by_name["import"]
    assert action.shortcut().toString() == "Ctrl+I"
    assert window.receivers("2import_requested()") >= 1  # the shell listens
