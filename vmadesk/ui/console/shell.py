"""Everything the console adds around the main window: File, Shift and Help, the lock.

:class:`ConsoleShell` registers the File (settings, lock, quit), Shift (start, end & hand off,
packets, receipts, keys) and Help actions in the window's action registry, composed of its
parts (:class:`~vmadesk.ui.console.shift_actions.ShiftActions`,
:class:`~vmadesk.ui.console.import_actions.ImportActions`); it runs the idle auto-lock and the
PHI-free due notifications, and remembers the window's geometry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from vmadesk.services import app_setup
from vmadesk.services.console import Console
from vmadesk.ui.console.due_notifier import DueNotifier
from vmadesk.ui.console.import_actions import ImportActions
from vmadesk.ui.console.lock import MINUTE_MS, IdleClock, IdleLock
from vmadesk.ui.console.registry import ActionRegistry, ActionSpec
from vmadesk.ui.console.shift_actions import SHIFT_ACTIONS, ShiftActions
from vmadesk.ui.ui_settings import UiSettings, place_window

if TYPE_CHECKING:  # dialogs are imported when first opened: they are not on the start path
    from vmadesk.ui.dialogs.settings import SettingsDialog

#: File (settings, lock, quit), then Shift, then Help: every action the shell adds.
SHELL_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "settings",
        "&Settings…",
        ("Ctrl+,",),
        "File",
        lambda shell: shell.open_settings(),
        role=QAction.MenuRole.PreferencesRole,
    ),
    ActionSpec(
        "lock",
        "&Lock now",
        ("Ctrl+L",),
        "File",
        lambda shell: shell.lock.lock("manual"),
        allowed_while_locked=True,
    ),
    ActionSpec(
        "quit",
        "&Quit",
        ("Ctrl+Q",),
        "File",
        lambda shell: shell.window.close(),
        allowed_while_locked=True,
        role=QAction.MenuRole.QuitRole,
    ),
    *SHIFT_ACTIONS,
    ActionSpec(
        "about",
        "&About vmadesk",
        ("F1",),
        "Help",
        lambda shell: shell.about(),
        role=QAction.MenuRole.AboutRole,
    ),
)


class ConsoleShell(QObject):
    """Everything around the main window: actions, dialogs, lock, settings, notifications."""

    #: How many evidence requests wait for the VMA (after each check, see check_evidence).
    evidence_waiting = Signal(int)

    def __init__(
        self,
        ctx: Console,
        window: QMainWindow,
        *,
        ui_settings: UiSettings | None = None,
        idle_ms: int | None = None,
        handoff_dir: Path | None = None,
        idle_clock: IdleClock | None = None,
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.ui_settings = ui_settings or UiSettings()
        self.handoff_dir = handoff_dir or app_setup.handoff_dir()
        self.dialog: QWidget | None = None
        #: The background sync's "round now" (set by the application once it runs).
        self.sync_now: Callable[[], None] | None = None
        self.sync_status: Any = None
        self.actions: dict[str, QAction] = {}
        self.lock = IdleLock(
            ctx.session,
            ctx.worklist,
            window,
            idle_ms=idle_ms or self.ui_settings.auto_lock_minutes * MINUTE_MS,
            **({"clock": idle_clock} if idle_clock is not None else {}),
        )
        self.lock.locked.connect(self._locked)
        self.lock.unlocked.connect(self._unlocked)
        self.notifier = DueNotifier(ctx, window)
        self._apply_clipboard_pref()
        self.shift = ShiftActions(self)
        self.imports = ImportActions(self)
        registry = getattr(window, "registry", None)
        if not isinstance(registry, ActionRegistry):  # a plain QMainWindow (the shell alone)
            registry = ActionRegistry(window)
        self.registry = registry
        registry.add_all(SHELL_ACTIONS, self, object_prefix="shell")
        self.actions: dict[str, QAction] = {
            spec.name: registry.actions[spec.name] for spec in SHELL_ACTIONS
        }
        self.lock.lock_key = self.actions["lock"].shortcut()
        # File → Import… (Ctrl+I) and files dropped on the window come here.
        if hasattr(window, "import_requested"):
            window.import_requested.connect(lambda: self.imports.import_files())
            window.files_dropped.connect(self.imports.import_files)
        if not window.isVisible():  # run() places the window before it is first shown
            place_window(window, self.ui_settings)
        self._update_shift_actions()

    def message(self, text: str) -> None:
        """A status-bar message on the window (never PHI)."""
        show = getattr(self.window, "show_message", None)
        if callable(show):
            show(text)

    def refresh(self) -> None:
        """After a change: practices, the window's lists and the Shift actions re-read."""
        self._sync_practices()
        refresh = getattr(self.window, "refresh", None)
        if callable(refresh):
            refresh()
        self._update_shift_actions()

    def show_dialog(self, dialog: QWidget) -> QWidget:
        """Open a window-modal dialog without a nested event loop (tests drive it)."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.destroyed.connect(lambda *_: self._forget(dialog))
        dialog.open() if hasattr(dialog, "open") else dialog.show()
        return dialog

    def _forget(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _sync_practices(self) -> None:
        """Offer practices that arrived since start (an acknowledged handoff brings its own)."""
        chooser = getattr(self.window, "practice_filter", None)
        if chooser is None:
            return
        known = {chooser.itemData(i) for i in range(chooser.count())}
        for practice in self.ctx.worklist.practices():
            if practice.id not in known:
                chooser.addItem(practice.name, practice.id)

    def _locked(self, _reason: str) -> None:
        # An open dialog stays (hidden by the lock): it is back, as it was, after unlock.
        self.notifier.paused = True
        self.registry.set_locked(True, self.actions)

    def _unlocked(self) -> None:
        self.notifier.paused = False
        self.registry.set_locked(False, self.actions)
        self._update_shift_actions()

    def _update_shift_actions(self) -> None:
        if self.lock.is_locked:
            return
        running = self.ctx.shifts.current() is not None
        self.actions["start_shift"].setEnabled(not running)

    def _apply_clipboard_pref(self) -> None:
        if hasattr(self.window, "clipboard_clear_ms"):
            self.window.clipboard_clear_ms = self.ui_settings.clipboard_seconds * 1000

    # -- File ---------------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """File → Settings: open the dialog."""
        from vmadesk.ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.ctx, self.ui_settings, self.window)
        dialog.console_prefs_changed.connect(self._prefs_changed)
        dialog.saved.connect(self.refresh)
        self.show_dialog(dialog)
        return dialog

    def _prefs_changed(self) -> None:
        self.lock.set_idle_ms(self.ui_settings.auto_lock_minutes * MINUTE_MS)
        self._apply_clipboard_pref()

    def about(self) -> QMessageBox:
        """Help → About."""
        box = QMessageBox(self.window)
        box.setWindowTitle("About vmadesk")
        box.setText(
            f"vmadesk {app_setup.VERSION}\n\nShift console for virtual medical assistants. "
            "Patient data stays in the encrypted profile on this machine."
        )
        self.show_dialog(box)
        return box

    # -- Shift --------------------------------------------------------------------------------

    def warn(self, title: str, text: str) -> QMessageBox:
        """A warning box over the window."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window
        )
        self.show_dialog(box)
        return box

    # -- lifetime -----------------------------------------------------------------------------

    def show_notices(self, notices: list[str]) -> QMessageBox | None:
        """Tell the VMA once how the profile is protected (never a silent downgrade)."""
        if not notices:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "vmadesk profile",
            "\n\n".join(notices),
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        self.show_dialog(box)
        return box

    def shutdown(self) -> None:
        """Save the window geometry, stop the lock's watch."""
        self.lock.shutdown()
        self.notifier.timer.stop()
        if self.notifier.tray is not None:
            self.notifier.tray.hide()
        self.ui_settings.set_window_geometry(self.window.saveGeometry())
        self.ui_settings.sync()
