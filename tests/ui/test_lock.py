"""Idle auto-lock on the real main window: no PHI visible while locked; passphrase unlocks."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.shell_helpers import (
    PASSPHRASE,
    leaked,
    patient_names,
    visible_texts,
    visible_windows,
)
from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.console.window import MainWindow
from vmadesk.ui.ui_settings import UiSettings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _audit(conn) -> list[tuple[str, dict]]:
    rows = conn.execute("SELECT event, details FROM audit ORDER BY seq").fetchall()
    return [(e, json.loads(d)) for e, d in rows]


class _Clock:
    """The lock's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _console(qtbot, ctx, idle_ms=200, clock=None):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shell = ConsoleShell(
        ctx, window, ui_settings=UiSettings(), idle_ms=idle_ms, idle_clock=clock or _Clock()
    )
    # As run() does on exit: the app-wide lock filter must not outlive the window.
    qtbot.addWidget(window, before_close_func=lambda _w, s=shell: s.shutdown())
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window, shell


def test_idle_lock_hides_every_patient_name(qtbot, ctx) -> None:
    names = patient_names(ctx)
    clock = _Clock()
    window, shell = _console(qtbot, ctx, idle_ms=60_000, clock=clock)
    assert leaked(names, visible_texts()), "the console should show names before locking"
    dialog = shell.shift.end_shift()  # a dialog full of PHI
    qtbot.waitExposed(dialog)
    clock.now += 61
    assert shell.lock.check_idle()

    assert not leaked(names, visible_texts())
    assert shell.lock.screen.isVisible()
    assert "Locked" in shell.lock.screen.title.text()
    assert visible_windows() == [window]
    assert not shell.actions["end_shift"].isEnabled()
    assert ctx.session.locked
    assert shell.lock.try_unlock(PASSPHRASE)
    assert dialog.isVisible() and shell.dialog is dialog  # back as it was


def test_input_resets_the_idle_timer(qtbot, ctx) -> None:
    clock = _Clock()
    window, shell = _console(qtbot, ctx, idle_ms=400, clock=clock)
    for _ in range(6):
        clock.now += 0.3
        QTest.mouseMove(window.table.viewport())
        QTest.keyClick(window.table, Qt.Key.Key_Down)
        assert not shell.lock.check_idle()
    clock.now += 0.4
    assert shell.lock.check_idle() and shell.lock.is_locked


def test_wrong_passphrase_keeps_it_locked_right_one_unlocks(qtbot, ctx, demo_profile) -> None:
    names = patient_names(ctx)
    window, shell = _console(qtbot, ctx, idle_ms=60_000)
    qtbot.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shell.lock.is_locked
    screen = shell.lock.screen

    QTest.keyClicks(screen.passphrase, "not the passphrase")
    QTest.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert shell.lock.is_locked
    assert "Wrong passphrase" in screen.message.text()
    assert not leaked(names, visible_texts())

    QTest.keyClicks(screen.passphrase, PASSPHRASE)
    QTest.keyClick(screen.passphrase, Qt.Key.Key_Return)
    assert not shell.lock.is_locked
    assert not screen.isVisible()
    assert not ctx.session.locked
    assert window.centralWidget().isVisible()
    qtbot.waitUntil(lambda: bool(leaked(names, visible_texts())), timeout=3000)

    events = _audit(demo_profile.conn)
    lock_at = max(i for i, (e, d) in enumerate(events) if e == "lock")
    tail = [e for e, _ in events[lock_at:]]
    assert tail[:3] == ["lock", "unlock_failed", "unlock_ok"]
    assert events[lock_at][1]["reason"] == "manual"


def test_suspend_locks_and_the_lock_screen_has_no_phi(qtbot, ctx) -> None:
    window, shell = _console(qtbot, ctx, idle_ms=60_000)
    shell.lock._state_changed(Qt.ApplicationState.ApplicationInactive)
    assert not shell.lock.is_locked
    shell.lock._state_changed(Qt.ApplicationState.ApplicationSuspended)
    assert shell.lock.is_locked
    texts = [shell.lock.screen.title.text(), shell.lock.screen.message.text()]
    assert texts[0] == "Locked — enter your passphrase"
    assert not leaked(patient_names(ctx), [*texts, window.windowTitle()])
