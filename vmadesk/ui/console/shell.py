"""Everything the console adds around the main window: menus and actions, dialogs, the lock.

:class:`ConsoleShell` wires the File (settings, lock, quit), Shift (start, end & hand off,
packets, receipts, keys) and Help actions into the main window, runs the idle auto-lock and the
PHI-free due notifications, and remembers the window's geometry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from vmadesk import __version__, paths
from vmadesk.services.handoff import PACKET_SUFFIX, RECEIPT_SUFFIX
from vmadesk.ui.console.due_notifier import DueNotifier
from vmadesk.ui.console.handoff_actions import HandoffShellActions
from vmadesk.ui.console.lock import MINUTE_MS, IdleClock, IdleLock
from vmadesk.ui.context import ConsoleContext
from vmadesk.ui.ui_settings import UiSettings, place_window

if TYPE_CHECKING:  # dialogs are imported when first opened: they are not on the start path
    from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog
    from vmadesk.ui.dialogs.handoff.keys import AddColleagueDialog, MyKeyDialog
    from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog
    from vmadesk.ui.dialogs.settings import SettingsDialog
    from vmadesk.ui.dialogs.shift import StartShiftDialog

#: (key, text, shortcut, menu) of every action the shell adds to the main window.
SHELL_ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("settings", "&Settings…", "Ctrl+,", "File"),
    ("lock", "&Lock now", "Ctrl+L", "File"),
    ("quit", "&Quit", "Ctrl+Q", "File"),
    ("start_shift", "&Start shift…", "Ctrl+Shift+S", "Shift"),
    ("end_shift", "&End shift and hand off…", "Ctrl+Shift+E", "Shift"),
    ("open_packet", "&Open handoff packet…", "Ctrl+Shift+O", "Shift"),
    ("apply_receipt", "&Apply handoff receipt…", "Ctrl+Shift+R", "Shift"),
    ("handoffs", "&Handoffs (hub inbox, answers)…", "Ctrl+Shift+H", "Shift"),
    ("evidence", "E&vidence requests…", "Ctrl+Shift+V", "Shift"),
    ("my_key", "My public &key…", "Ctrl+Shift+K", "Shift"),
    ("add_colleague", "Add &colleague key…", "Ctrl+Shift+A", "Shift"),
    ("about", "&About vmadesk", "F1", "Help"),
)
#: Actions that stay usable while the console is locked.
_WHILE_LOCKED = frozenset({"lock", "quit"})


class ConsoleShell(HandoffShellActions, QObject):
    """Everything around the main window: actions, dialogs, lock, settings, notifications."""

    #: How many evidence requests wait for the VMA (after each check, see check_evidence).
    evidence_waiting = Signal(int)

    def __init__(
        self,
        ctx: ConsoleContext,
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
        self.handoff_dir = handoff_dir or paths.handoff_dir()
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
        handlers: dict[str, Callable[[], object]] = {
            "settings": self.open_settings,
            "lock": lambda: self.lock.lock("manual"),
            "quit": self.window.close,
            "start_shift": self.start_shift,
            "end_shift": self.end_shift,
            "open_packet": self.open_packet,
            "apply_receipt": self.apply_receipt,
            "handoffs": self.handoffs,
            "evidence": self.evidence_requests,
            "my_key": self.my_key,
            "add_colleague": self.add_colleague,
            "about": self.about,
        }
        for key, text, shortcut, menu in SHELL_ACTIONS:
            action = QAction(text, window)
            action.setObjectName(f"shell_{key}")
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, fn=handlers[key]: fn())
            self.actions[key] = action
            self._add(menu, action)
        self.lock.lock_key = self.actions["lock"].shortcut()
        self.actions["settings"].setMenuRole(QAction.MenuRole.PreferencesRole)
        self.actions["about"].setMenuRole(QAction.MenuRole.AboutRole)
        self.actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        # File → Import… (Ctrl+I) and files dropped on the window come here.
        if hasattr(window, "import_requested"):
            window.import_requested.connect(lambda: self.import_files())
            window.files_dropped.connect(self.import_files)
        if not window.isVisible():  # run() places the window before it is first shown
            place_window(window, self.ui_settings)
        self._update_shift_actions()

    def _add(self, menu: str, action: QAction) -> None:
        add = getattr(self.window, "add_menu_action", None)
        if callable(add):
            add(menu, action)
        else:  # a plain QMainWindow (tests of the shell alone)
            self.window.addAction(action)

    def _message(self, text: str) -> None:
        show = getattr(self.window, "show_message", None)
        if callable(show):
            show(text)

    def _refresh(self) -> None:
        self._sync_practices()
        refresh = getattr(self.window, "refresh", None)
        if callable(refresh):
            refresh()
        self._update_shift_actions()

    def _show(self, dialog: QWidget) -> QWidget:
        """Open a window-modal dialog without a nested event loop (tests drive it)."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.destroyed.connect(lambda *_: self._forget(dialog))
        dialog.open() if hasattr(dialog, "open") else dialog.show()
        return dialog

    def _forget(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _locked(self, _reason: str) -> None:
        # An open dialog stays (hidden by the lock): it is back, as it was, after unlock.
        self.notifier.paused = True
        for key, action in self.actions.items():
            if key not in _WHILE_LOCKED:
                action.setEnabled(False)

    def _unlocked(self) -> None:
        self.notifier.paused = False
        for action in self.actions.values():
            action.setEnabled(True)
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
        dialog.saved.connect(self._refresh)
        self._show(dialog)
        return dialog

    def _prefs_changed(self) -> None:
        self.lock.set_idle_ms(self.ui_settings.auto_lock_minutes * MINUTE_MS)
        self._apply_clipboard_pref()

    def about(self) -> QMessageBox:
        """Help → About."""
        box = QMessageBox(self.window)
        box.setWindowTitle("About vmadesk")
        box.setText(
            f"vmadesk {__version__}\n\nShift console for virtual medical assistants. "
            "Patient data stays in the encrypted profile on this machine."
        )
        self._show(box)
        return box

    # -- Shift --------------------------------------------------------------------------------

    def start_shift(self) -> StartShiftDialog:
        """Shift → Start shift: open the dialog."""
        from vmadesk.ui.dialogs.shift import StartShiftDialog

        dialog = StartShiftDialog(self.ctx.shifts, self.window)
        dialog.accepted.connect(self._refresh)
        dialog.accepted.connect(lambda: self._message("Shift started."))
        self._show(dialog)
        return dialog

    def end_shift(self) -> EndShiftDialog:
        """Shift → End shift & hand off: open the dialog."""
        from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog

        dialog = EndShiftDialog(
            self.ctx, out_dir=self.handoff_dir, sync_now=self.sync_now, parent=self.window
        )
        dialog.packet_written.connect(lambda _r: self._refresh())
        dialog.shift_ended.connect(self._refresh)
        dialog.shift_ended.connect(lambda: self._message("Shift ended."))
        self._show(dialog)
        return dialog

    def import_files(
        self,
        paths: list[Path] | None = None,
        *,
        choose_practice: Callable[[list[str]], int | None] | None = None,
    ) -> int:
        """Import each file through the preview dialog (File → Import… asks for one).

        The practice is the one the lanes are filtered to; under "All practices" with
        several, the VMA picks one first.

        Args:
            paths: Files dropped on the window; None chooses one in a file dialog.
            choose_practice: Picks an index among practice names (a dialog by default).

        Returns:
            How many of the files imported anything.
        """
        from vmadesk.ui.dialogs.imports.import_dialog import open_import_dialog

        if self.lock.is_locked:
            return 0
        go_on, practice_id = self._import_practice(choose_practice or self._ask_practice)
        if not go_on:
            return 0
        imported = sum(
            open_import_dialog(self.window, self.ctx.session, practice_id=practice_id, path=path)
            for path in (paths or [None])
        )
        if imported:
            self._refresh()
            self._message(f"Imported {imported} file{'s' if imported > 1 else ''}.")
        return imported

    def _import_practice(
        self, choose: Callable[[list[str]], int | None]
    ) -> tuple[bool, int | None]:
        """(go on, practice id); None lets the import use the only, or a default, practice."""
        chosen_filter = getattr(self.window, "practice_filter", None)
        if chosen_filter is not None and chosen_filter.currentData() is not None:
            return True, chosen_filter.currentData()
        practices = self.ctx.worklist.practices()
        if len(practices) <= 1:
            return True, None
        index = choose([p.name for p in practices])
        return (False, None) if index is None else (True, practices[index].id)

    def _ask_practice(self, names: list[str]) -> int | None:
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getItem(
            self.window, "Import", "Import into which practice?", names, 0, False
        )
        return names.index(name) if ok and name in names else None

    def _choose_file(self, title: str, suffix: str) -> Path | None:
        self.handoff_dir.mkdir(parents=True, exist_ok=True)
        chosen, _ = QFileDialog.getOpenFileName(
            self.window, title, str(self.handoff_dir), f"vmadesk files (*{suffix});;All (*)"
        )
        return Path(chosen) if chosen else None

    def open_packet(
        self, path: Path | None = None, *, ask_code: Callable[[], str | None] | None = None
    ) -> ReviewPacketDialog | None:
        """Shift → Open handoff packet…: decrypt it, then review item by item."""
        from vmadesk.ui.dialogs.handoff.review import ask_code_dialog, open_packet

        path = path or self._choose_file("Open handoff packet", PACKET_SUFFIX)
        if path is None or self.lock.is_locked:
            return None
        try:
            handoff_id = open_packet(
                self.ctx.handoffs, path, ask_code or (lambda: ask_code_dialog(self.window))
            )
        except (ValueError, KeyError, OSError) as exc:
            self._warn(
                "Open handoff packet",
                str(exc) if isinstance(exc, ValueError) else "The packet could not be read.",
            )
            return None
        return self.review_packet(handoff_id)

    def apply_receipt(self, path: Path | None = None) -> dict[str, int] | None:
        """Shift → Apply handoff receipt…: settle a packet sent earlier."""
        path = path or self._choose_file("Apply handoff receipt", RECEIPT_SUFFIX)
        if path is None or self.lock.is_locked:
            return None
        try:
            counts = self.ctx.handoffs.apply_receipt(path)
        except (ValueError, KeyError) as exc:
            self._warn(
                "Apply handoff receipt",
                str(exc) if isinstance(exc, ValueError) else "The receipt could not be read.",
            )
            return None
        self._refresh()
        self._message(
            f"Receipt applied: {counts['acknowledged']} acknowledged, "
            f"{counts['declined']} declined (back with you). Shift → Handoffs shows what "
            "the receiver answered."
        )
        return counts

    def my_key(self) -> MyKeyDialog:
        """Shift → My public key: open the dialog."""
        from vmadesk.ui.dialogs.handoff.keys import MyKeyDialog

        dialog = MyKeyDialog(self.ctx.handoffs, self.window)
        self._show(dialog)
        return dialog

    def add_colleague(self) -> AddColleagueDialog:
        """Shift → Add colleague key: open the dialog."""
        from vmadesk.ui.dialogs.handoff.keys import AddColleagueDialog

        dialog = AddColleagueDialog(self.ctx.handoffs, self.window)
        dialog.accepted.connect(lambda: self._message("Colleague key saved."))
        self._show(dialog)
        return dialog

    def _warn(self, title: str, text: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window
        )
        self._show(box)
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
        self._show(box)
        return box

    def shutdown(self) -> None:
        """Save the window geometry, stop the lock's watch."""
        self.lock.shutdown()
        self.notifier.timer.stop()
        if self.notifier.tray is not None:
            self.notifier.tray.hide()
        self.ui_settings.set_window_geometry(self.window.saveGeometry())
        self.ui_settings.sync()
