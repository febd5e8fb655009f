"""Idle auto-lock: hide every PHI widget until the VMA re-authenticates.

An application-wide event filter restarts an idle timer on keyboard, mouse, wheel and touch
input. When it fires, or the VMA presses Lock now, or Qt reports the application as
*suspended*, the console locks:

1. ``session.lock(reason)`` writes the audit entry;
2. ``main_window.set_locked(True)`` lets the window drop the PHI it holds in memory;
3. every open dialog is hidden, not closed, so that nothing typed in it is lost (a dialog run
   with ``exec()`` is rejected: hiding it would end its loop anyway); popups and tooltips close;
4. every child of the main window is hidden and the :class:`LockScreen` covers it, so nothing
   behind it is visible even if a widget forgot to clear itself.

Unlocking checks the passphrase through ``session.unlock`` (audited), then restores the
window and its dialogs, and calls ``worklist.forget_views()`` so the next view of each item is
audited again.

Idle time is measured on an injectable clock: input stamps the time, a single-shot timer
checks when the idle time could have run out. A VMA on a call (the window says so through
``call_in_progress()``) is not idle: the lock waits until the call is logged, up to
:data:`CALL_LIMIT_MS` without input, so a dialog left open overnight still locks.

Limits: Qt has no portable "OS session locked" signal. ``applicationStateChanged`` reports
*Suspended* on mobile platforms and some Wayland compositors; *Inactive* only means another
window has focus, so it is not treated as a lock. The idle timer is what protects a desktop
left alone, also when the screen saver locks the OS session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QToolTip, QWidget

from vmadesk.services.session import Session
from vmadesk.services.worklist import WorkList
from vmadesk.ui.console.lock_screen import LockScreen

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.ShortcutOverride,
    }
)
MINUTE_MS = 60_000
#: A call in progress postpones the idle lock, but not beyond this long without any input.
CALL_LIMIT_MS = 60 * MINUTE_MS
#: Seconds on a monotonic clock (``time.monotonic``; tests move their own).
IdleClock = Callable[[], float]


class Lockable(Protocol):
    """What the lock needs from the main window (MainWindow offers it)."""

    def set_locked(self, locked: bool) -> None:
        """Drop (True) or reload (False) the PHI the window shows."""


class IdleLock(QObject):
    """Lock the console after idle time, on request, or when the app is suspended."""

    locked = Signal(str)
    unlocked = Signal()

    def __init__(
        self,
        session: Session,
        worklist: WorkList,
        window: QWidget,
        *,
        idle_ms: int = 5 * MINUTE_MS,
        app: QApplication | None = None,
        clock: IdleClock = time.monotonic,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.worklist = worklist
        self.window = window
        self.app = app or QApplication.instance()
        self.clock = clock
        self.is_locked = False
        self._hidden: list[QWidget] = []
        self._hidden_windows: list[QWidget] = []
        #: Locks even from inside a dialog (set by the shell to its Lock now key).
        self.lock_key: QKeySequence | None = None
        self._idle_ms = 5 * MINUTE_MS
        self._last_input = clock()
        self.screen = LockScreen(window)
        self.screen.unlock_requested.connect(self.try_unlock)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_idle)
        self._wait_timer = QTimer(self)
        self._wait_timer.setSingleShot(True)
        self._wait_timer.timeout.connect(lambda: self.screen.set_waiting(False))
        self.set_idle_ms(idle_ms)
        # App-wide, so input in dialogs counts too; shutdown() must remove it before the
        # window goes (ConsoleShell.shutdown does), as the application outlives the window.
        self.app.installEventFilter(self)
        self.app.applicationStateChanged.connect(self._state_changed)

    # -- idle --------------------------------------------------------------------------------

    def set_idle_ms(self, idle_ms: int) -> None:
        """Change the idle time (settings) and restart the count."""
        self._idle_ms = max(50, int(idle_ms))
        self._restart()

    @property
    def idle_ms(self) -> int:
        """The idle time before locking."""
        return self._idle_ms

    def _restart(self) -> None:
        self._last_input = self.clock()
        if not self.is_locked:
            self._timer.start(self._idle_ms)

    def idle_for_ms(self) -> int:
        """How long there has been no input, on the lock's clock."""
        return int((self.clock() - self._last_input) * 1000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any keyboard or mouse input restarts the idle count; the lock key locks anywhere.

        The window's Lock now shortcut cannot fire while a window-modal dialog blocks it, so
        the key is also caught here: a VMA called away mid-call locks with the dialog open.
        """
        if self.is_locked or event.type() not in _INPUT_EVENTS:
            return False
        self._last_input = self.clock()
        if (
            self.lock_key is not None
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and QApplication.activeModalWidget() is not None
            and QKeySequence(event.keyCombination()) == self.lock_key
        ):
            self.lock("manual")
            return True
        return False

    def _call_in_progress(self) -> bool:
        busy = getattr(self.window, "call_in_progress", None)
        return bool(busy()) if callable(busy) else False

    def check_idle(self) -> bool:
        """Lock if the idle time has run out and no call is in progress; returns whether.

        Otherwise the check is scheduled again for when the idle time could run out.
        """
        if self.is_locked:
            return False
        idle = self.idle_for_ms()
        if idle < self._idle_ms:
            self._timer.start(self._idle_ms - idle)
            return False
        if idle < CALL_LIMIT_MS and self._call_in_progress():
            self._timer.start(min(self._idle_ms, CALL_LIMIT_MS - idle))
            return False
        self.lock("idle")
        return True

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock("suspended")

    def shutdown(self) -> None:
        """Stop watching input (the window is closing)."""
        self._timer.stop()
        self.app.removeEventFilter(self)

    # -- lock --------------------------------------------------------------------------------

    def lock(self, reason: str = "manual") -> None:
        """Lock now: audit, drop PHI, close dialogs, cover the window."""
        if self.is_locked:
            return
        self.is_locked = True
        self._timer.stop()
        self.session.lock(reason)
        set_locked = getattr(self.window, "set_locked", None)
        if callable(set_locked):
            set_locked(True)
        self._hidden_windows = hide_transient_windows(keep=self.window)
        self._hidden = [
            child
            for child in self.window.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            )
            if child is not self.screen and child.isVisible()
        ]
        for child in self._hidden:
            child.hide()
        self.screen.cover()
        self.locked.emit(reason)

    def try_unlock(self, passphrase: str) -> bool:
        """Check the passphrase (audited); unlock when it matches."""
        if not self.is_locked:
            return True
        wait = self.session.seconds_before_next_try(time.time())
        if wait > 0:
            self._hold_off(wait)
            return False
        if not self.session.unlock(passphrase):
            self.screen.show_message("Wrong passphrase. The console stays locked.")
            wait = self.session.seconds_before_next_try(time.time())
            if wait > 0:
                self._hold_off(wait)
            return False
        self._restore()
        return True

    def _hold_off(self, seconds: float) -> None:
        self.screen.show_message(f"Too many wrong tries: wait {max(1, round(seconds))} s.")
        self.screen.set_waiting(True)
        self._wait_timer.start(int(seconds * 1000) + 50)

    def _restore(self) -> None:
        self.is_locked = False
        self.screen.hide()
        self.screen.show_message("")
        for child in self._hidden:
            child.show()
        self._hidden = []
        self.worklist.forget_views()
        set_locked = getattr(self.window, "set_locked", None)
        if callable(set_locked):
            set_locked(False)
        hidden, self._hidden_windows = self._hidden_windows, []
        for widget in hidden:
            if shiboken6.isValid(widget):
                widget.show()
        self._restart()
        self.unlocked.emit()


def hide_transient_windows(keep: QWidget | None = None) -> list[QWidget]:
    """Hide every open window but ``keep``, close popups and tooltips.

    Returns:
        The windows hidden, to show again at unlock. A dialog run with ``exec()`` (application
        modal) is rejected instead: hiding it would end its event loop as a cancel anyway.
    """
    while (popup := QApplication.activePopupWidget()) is not None:
        popup.close()
        if popup.isVisible():  # pragma: no cover - a popup that refuses to close
            popup.hide()
    QToolTip.hideText()
    hidden: list[QWidget] = []
    for widget in QApplication.topLevelWidgets():
        if widget is keep or not widget.isVisible():
            continue
        if (
            isinstance(widget, QDialog)
            and widget.windowModality() == Qt.WindowModality.ApplicationModal
        ):
            widget.reject()
        else:
            hidden.append(widget)
        if widget.isVisible():
            widget.hide()
    return hidden
