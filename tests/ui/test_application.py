"""The run path: context, unlock (dialog or environment), the console window, exit code."""

from __future__ import annotations

import faulthandler
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.shell_helpers import PASSPHRASE, patient_names
from vmadesk.store import profile as profiles
from vmadesk.store.errors import AuthenticationError, ProfileMissingError
from vmadesk.store.item_queries import LaneCounts
from vmadesk.ui import workers
from vmadesk.ui.application import build_context, run, unlock_profile
from vmadesk.ui.console.due_notifier import due_notice
from vmadesk.ui.console.shell import SHELL_ACTIONS, ConsoleShell
from vmadesk.ui.console.window import MainWindow
from vmadesk.ui.dialogs.crash import CrashDialog
from vmadesk.ui.dialogs.unlock import UnlockDialog
from vmadesk.ui.ui_settings import UiSettings, settings_path

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_build_context_wires_one_session(demo_profile) -> None:
    context = build_context(demo_profile)
    assert context.vma == "ana.r"
    assert context.session.conn is demo_profile.conn
    assert context.work.vma == context.handoffs.vma == "ana.r"
    query = context.worklist.query(None)
    assert context.worklist.count(query) > 0


@pytest.mark.logs_warnings
def test_unlock_dialog_wrong_then_right(qtbot, new_profile, profile_dir) -> None:
    dialog = UnlockDialog(profile_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    # The fail keyring cannot open it: the dialog says so and asks for the passphrase.
    qtbot.waitUntil(dialog.passphrase.isEnabled, timeout=5000)
    assert "passphrase" in dialog.notice.text()
    QTest.keyClicks(dialog.passphrase, "wrong passphrase")
    QTest.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.message.text(), timeout=5000)
    assert dialog.profile is None and dialog.passphrase.text() == ""
    QTest.keyClicks(dialog.passphrase, PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked, timeout=5000):
        QTest.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    profile = dialog.profile
    assert profile is not None and profile.method == "passphrase"
    # The connection belongs to this (the UI) thread.
    assert profile.conn.execute("SELECT count(*) FROM audit").fetchone()[0] > 0
    failed = profile.conn.execute(
        "SELECT count(*) FROM audit WHERE event = 'unlock_failed'"
    ).fetchone()[0]
    assert failed == 1
    profile.close()


@pytest.mark.logs_warnings
def test_env_passphrase_skips_the_dialog(new_profile, profile_dir, monkeypatch) -> None:
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    before = {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, UnlockDialog)}
    profile = unlock_profile(profile_dir)
    assert profile is not None and profile.method == "passphrase"
    after = {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, UnlockDialog)}
    assert after <= before
    profile.close()
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, "not it at all")
    with pytest.raises(AuthenticationError):
        unlock_profile(profile_dir)


def test_missing_profile_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileMissingError, match="vmadesk profile init"):
        unlock_profile(tmp_path / "nothing")


def test_run_shows_the_console_and_exits_0(
    qtbot,
    demo_profile,
    profile_dir,
    monkeypatch,
) -> None:
    names = patient_names(build_context(demo_profile))
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    seen: dict[str, object] = {}

    def close_console() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        # Visible and ready: the shell's actions join once the first lane is painted.
        visible = [
            w for w in windows if w.isVisible() and w.findChild(QAction, "shell_quit") is not None
        ]
        if not visible:
            QTimer.singleShot(50, close_console)
            return
        window = visible[0]
        seen["title"] = window.windowTitle()
        seen["menus"] = [a.text() for a in window.menuBar().actions()]
        seen["shortcuts"] = {
            a.objectName(): a.shortcut().toString() for a in window.actions() if a.objectName()
        }
        window.close()

    QTimer.singleShot(50, close_console)
    try:
        code = run(profile_dir)
    finally:
        faulthandler.enable(file=sys.__stderr__)
    assert code == 0
    assert seen["menus"][:5] == ["File", "Shift", "Item", "View", "Help"]
    for spec in SHELL_ACTIONS:
        assert seen["shortcuts"][f"shell_{spec.name}"] == spec.keys[0]
    assert not any(name in str(seen["title"]) for name in names)
    ini = settings_path().read_text("utf-8")
    assert "geometry" in ini
    assert not any(name in ini for name in names)


def test_shell_actions_are_disabled_while_locked(qtbot, ctx) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    # As run() does on exit: the app-wide lock filter must not outlive the window.
    qtbot.addWidget(window, before_close_func=lambda _w, s=shell: s.shutdown())
    shell.lock.lock("manual")
    assert shell.actions["lock"].isEnabled() and shell.actions["quit"].isEnabled()
    assert not shell.actions["open_packet"].isEnabled()
    assert shell.shift.open_packet(Path("/nonexistent.vmahandoff")) is None


def test_start_shift_dialog_through_the_shell(qtbot, ctx) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    # As run() does on exit: the app-wide lock filter must not outlive the window.
    qtbot.addWidget(window, before_close_func=lambda _w, s=shell: s.shutdown())
    dialog = shell.shift.start_shift()
    for box in dialog.boxes.values():
        box.setChecked(False)
    assert dialog.start() is None and "at least one lane" in dialog.message.text()
    dialog.boxes[next(iter(dialog.boxes))].setChecked(True)
    assert dialog.start() is not None
    assert ctx.shifts.current() is not None
    assert not shell.actions["start_shift"].isEnabled()


def test_notifications_carry_counts_only() -> None:
    assert due_notice({"a": LaneCounts(5, 0, 0)}) is None
    text = due_notice({"a": LaneCounts(5, 2, 0), "b": LaneCounts(3, 1, 1)})
    assert text == "3 items due soon, 1 overdue"


def test_crash_dialog_names_the_report(qtbot, tmp_path: Path) -> None:
    dialog = CrashDialog(tmp_path / "crash-1.txt")
    qtbot.addWidget(dialog)
    assert dialog.text().startswith("vmadesk hit an internal error; a report without patient")
    assert str(tmp_path / "crash-1.txt") in dialog.text()


def test_worker_reports_progress_and_cancel(qtbot) -> None:
    import time

    def job(progress: workers.Progress) -> int:
        for i in range(400):
            progress.report(i, 400, "working")
            progress.check()
            time.sleep(0.005)
        return 1

    got: dict[str, object] = {}
    workers.start(lambda p: 41 + 1, on_success=lambda v: got.setdefault("value", v))
    qtbot.waitUntil(lambda: "value" in got, timeout=3000)
    assert got["value"] == 42

    steps: list[int] = []
    slow = workers.start(job, on_progress=lambda d, _t, _x: steps.append(d))
    slow.cancelled.connect(lambda: got.setdefault("cancelled", True))
    qtbot.waitUntil(lambda: len(steps) > 2, timeout=3000)
    slow.cancel()
    qtbot.waitUntil(lambda: "cancelled" in got, timeout=3000)
    qtbot.waitUntil(lambda: not slow.running, timeout=3000)

    workers.start(lambda p: 1 / 0, on_error=lambda e: got.setdefault("error", e))
    qtbot.waitUntil(lambda: "error" in got, timeout=3000)
    assert isinstance(got["error"], ZeroDivisionError)
