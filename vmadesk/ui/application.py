"""The application shell: Qt application, unlock, context, main window, menus and lock.

``run()`` is called by :mod:`vmadesk.ui.launch` after its display check. It unlocks the
profile (``VMADESK_PASSPHRASE``, the keychain, or the unlock dialog), builds the services of
one session (:func:`build_context`), shows UI-A's ``MainWindow`` and wires around it the
Shift, File and Help actions, the idle auto-lock and PHI-free desktop notifications.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QWidget,
)

from vmadesk import __version__, app_logging, paths
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.escalation import EscalationService
from vmadesk.services.handoff import PACKET_SUFFIX, RECEIPT_SUFFIX, HandoffService
from vmadesk.services.session import Session, local_zone_name
from vmadesk.services.shift import ShiftService
from vmadesk.services.work import ChangeHook, WorkService
from vmadesk.services.worklist import WorkList
from vmadesk.store import profile as profiles
from vmadesk.store import settings_store
from vmadesk.store.connection import Connection
from vmadesk.store.errors import AuthenticationError, StoreError
from vmadesk.store.items import LaneCounts
from vmadesk.store.keyslots import SLOTS_FILE
from vmadesk.ui.context import ConsoleContext
from vmadesk.ui.crash_dialog import show_crash_dialog
from vmadesk.ui.lock import MINUTE_MS, IdleLock
from vmadesk.ui.ui_settings import UiSettings
from vmadesk.ui.unlock_dialog import UnlockDialog

if TYPE_CHECKING:  # dialogs are imported when first opened: they are not on the start path
    from vmadesk.ui.handoff_dialogs import (
        AddColleagueDialog,
        EndShiftDialog,
        MyKeyDialog,
        ReviewPacketDialog,
    )
    from vmadesk.ui.settings_dialog import SettingsDialog
    from vmadesk.ui.shift_dialogs import StartShiftDialog
    from vmadesk.ui.sync_indicator import SyncController

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2
APP_NAME = "vmadesk"
NOTIFY_MS = 60_000

#: (key, text, shortcut, menu) of every action the shell adds to the main window.
SHELL_ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("settings", "&Settings…", "Ctrl+,", "File"),
    ("lock", "&Lock now", "Ctrl+L", "File"),
    ("quit", "&Quit", "Ctrl+Q", "File"),
    ("start_shift", "&Start shift…", "Ctrl+Shift+S", "Shift"),
    ("end_shift", "&End shift && hand off…", "Ctrl+Shift+E", "Shift"),
    ("open_packet", "&Open handoff packet…", "Ctrl+Shift+O", "Shift"),
    ("apply_receipt", "&Apply handoff receipt…", "Ctrl+Shift+R", "Shift"),
    ("my_key", "My public &key…", "Ctrl+Shift+K", "Shift"),
    ("add_colleague", "Add &colleague key…", "Ctrl+Shift+A", "Shift"),
    ("about", "&About vmadesk", "F1", "Help"),
)
#: Actions that stay usable while the console is locked.
_WHILE_LOCKED = frozenset({"lock", "quit"})


def build_context(
    profile: profiles.UnlockedProfile, *, clock: Clock = system_clock
) -> ConsoleContext:
    """The services of one unlocked session, all on this thread's connection."""
    session = Session(profile)
    vma = session.vma
    conn = profile.conn
    item_hook, escalation_hook = _sync_hooks(conn)
    return ConsoleContext(
        session=session,
        work=WorkService(conn, vma=vma, clock=clock, on_change=item_hook),
        worklist=WorkList(conn, vma=vma, clock=clock),
        escalations=EscalationService(
            conn, vma=vma, clock=clock, on_change=escalation_hook
        ),
        shifts=ShiftService(conn, vma=vma, clock=clock),
        handoffs=HandoffService(conn, vma=vma, clock=clock, on_change=item_hook),
        clock=clock,
        vma=vma,
        local_tz=local_zone_name(),
    )


def _sync_hooks(conn: Connection) -> tuple[ChangeHook | None, Callable[..., None] | None]:
    """Once enrolled, every change also queues its hub message in the same transaction.

    A profile that does not sync never loads the wire schema or the hub client (~150 ms).
    """
    if settings_store.hub_url(conn) is None:
        return None, None
    from vmadesk.sync.item_events import make_change_hook, make_escalation_hook

    return make_change_hook(conn), make_escalation_hook(conn)


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The Qt application (created once): names for settings, OS style and palette."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    # No setStyle/setPalette: Qt 6 follows the platform's style and light/dark scheme.
    return app


def due_notice(counts: dict[object, LaneCounts]) -> str | None:
    """A notification text made of numbers only ("3 items due soon, 1 overdue")."""
    due_soon = sum(c.due_soon for c in counts.values())
    overdue = sum(c.overdue for c in counts.values())
    if not due_soon and not overdue:
        return None
    parts = []
    if due_soon:
        parts.append(f"{due_soon} item{'s' if due_soon != 1 else ''} due soon")
    if overdue:
        parts.append(f"{overdue} overdue")
    return ", ".join(parts)


class DueNotifier(QObject):
    """Desktop notifications with counts only, when the numbers grow."""

    def __init__(self, ctx: ConsoleContext, parent: QWidget, *, interval_ms: int = NOTIFY_MS):
        super().__init__(parent)
        self.ctx = ctx
        self.paused = False
        self.last_text: str | None = None
        self._last_key = (0, 0)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(parent.windowIcon(), self)
            self.tray.setToolTip(APP_NAME)
            self.tray.show()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> str | None:
        """Notify when due-soon or overdue counts rose since the last check."""
        if self.paused:
            return None
        counts = self.ctx.worklist.lane_counts()
        key = (sum(c.due_soon for c in counts.values()), sum(c.overdue for c in counts.values()))
        grew = key[0] > self._last_key[0] or key[1] > self._last_key[1]
        self._last_key = key
        text = due_notice(counts)
        if not grew or text is None:
            return None
        self.last_text = text
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(APP_NAME, text, QSystemTrayIcon.MessageIcon.Information, 8000)
        return text


class ConsoleShell(QObject):
    """Everything around the main window: actions, dialogs, lock, settings, notifications."""

    def __init__(
        self,
        ctx: ConsoleContext,
        window: QMainWindow,
        *,
        ui_settings: UiSettings | None = None,
        idle_ms: int | None = None,
        handoff_dir: Path | None = None,
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.ui_settings = ui_settings or UiSettings()
        self.handoff_dir = handoff_dir or paths.handoff_dir()
        self.dialog: QWidget | None = None
        self.actions: dict[str, QAction] = {}
        self.lock = IdleLock(
            ctx.session,
            ctx.worklist,
            window,
            idle_ms=idle_ms or self.ui_settings.auto_lock_minutes * MINUTE_MS,
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
        self.actions["settings"].setMenuRole(QAction.MenuRole.PreferencesRole)
        self.actions["about"].setMenuRole(QAction.MenuRole.AboutRole)
        self.actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        geometry = self.ui_settings.window_geometry()
        if geometry is not None:
            window.restoreGeometry(geometry)
        else:
            _first_run_size(window)
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
        self.notifier.paused = True
        self.dialog = None
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
        from vmadesk.ui.settings_dialog import SettingsDialog

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
        from vmadesk.ui.shift_dialogs import StartShiftDialog

        dialog = StartShiftDialog(self.ctx.shifts, self.window)
        dialog.accepted.connect(self._refresh)
        dialog.accepted.connect(lambda: self._message("Shift started."))
        self._show(dialog)
        return dialog

    def end_shift(self) -> EndShiftDialog:
        """Shift → End shift & hand off: open the dialog."""
        from vmadesk.ui.handoff_dialogs import EndShiftDialog

        dialog = EndShiftDialog(self.ctx, out_dir=self.handoff_dir, parent=self.window)
        dialog.packet_written.connect(lambda _r: self._refresh())
        dialog.shift_ended.connect(self._refresh)
        dialog.shift_ended.connect(lambda: self._message("Shift ended."))
        self._show(dialog)
        return dialog

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
        from vmadesk.ui.handoff_dialogs import ReviewPacketDialog, ask_code_dialog, open_packet

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
        dialog = ReviewPacketDialog(
            self.ctx.handoffs,
            handoff_id,
            out_dir=self.handoff_dir,
            on_change=self._refresh,
            parent=self.window,
        )
        self._show(dialog)
        return dialog

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
            f"{counts['declined']} declined (back with you)."
        )
        return counts

    def my_key(self) -> MyKeyDialog:
        """Shift → My public key: open the dialog."""
        from vmadesk.ui.handoff_dialogs import MyKeyDialog

        dialog = MyKeyDialog(self.ctx.handoffs, self.window)
        self._show(dialog)
        return dialog

    def add_colleague(self) -> AddColleagueDialog:
        """Shift → Add colleague key: open the dialog."""
        from vmadesk.ui.handoff_dialogs import AddColleagueDialog

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


def unlock_profile(profile_dir: Path) -> profiles.UnlockedProfile | None:
    """Open the profile: ``VMADESK_PASSPHRASE`` skips the dialog; otherwise keychain/dialog.

    Returns:
        The profile, or None when the VMA cancelled.

    Raises:
        AuthenticationError: The environment's passphrase is wrong.
        StoreError: The profile is missing or damaged.
    """
    if not (profile_dir / SLOTS_FILE).exists():
        raise profiles.ProfileMissingError(
            f"No vmadesk profile in {profile_dir} (create one with 'vmadesk profile init' "
            "or 'vmadesk demo')."
        )
    if profiles.passphrase_from_env():
        return profiles.unlock(profile_dir, use_keychain=False)
    dialog = UnlockDialog(profile_dir)
    if dialog.exec() != UnlockDialog.DialogCode.Accepted:
        return None
    return dialog.profile


def run(profile_dir: Path, *, supervisor: bool = False, hub_url: str | None = None) -> int:
    """Run the console until its window closes; return the exit code (0 on close)."""
    app = ensure_app()
    app_logging.install_excepthook(show=show_crash_dialog)
    app_logging.enable_faulthandler()
    try:
        profile = unlock_profile(profile_dir)
    except StoreError as exc:
        print(f"vmadesk: {exc}", file=sys.stderr)
        if not isinstance(exc, AuthenticationError):
            QMessageBox.critical(None, "vmadesk", str(exc))
        return EXIT_INPUT
    if profile is None:
        return EXIT_OK
    if supervisor:
        try:
            return _run_supervisor(profile, hub_url)
        finally:
            profile.close()
    try:
        ctx = build_context(profile)
        from vmadesk.ui.main_window import MainWindow

        window = MainWindow(ctx)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        shell = ConsoleShell(ctx, window)
        window.show()
        if ctx.shifts.current() is None:
            shell._message("No shift running: Shift → Start shift (Ctrl+Shift+S).")
        QTimer.singleShot(0, lambda: shell.show_notices(list(profile.notices)))
        sync = _start_sync(ctx, window)
        code = app.exec()
        if sync is not None:
            sync.stop()
        shell.shutdown()
    finally:
        profile.close()
    return EXIT_OK if code == 0 else EXIT_FAIL


def _first_run_size(window: QWidget) -> None:
    """Open large enough to show table and detail side by side (85 % of the screen)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    window.resize(int(area.width() * 0.85), int(area.height() * 0.85))
    window.move(area.center() - window.rect().center())


def _start_sync(ctx: ConsoleContext, window: QWidget) -> SyncController | None:
    """Background sync with the team hub, once this profile is enrolled."""
    if settings_store.hub_url(ctx.session.conn) is None:
        return None
    from vmadesk.sync.enrolment import is_enrolled

    if not is_enrolled(ctx.session.conn):
        return None
    from vmadesk.ui.sync_indicator import start_sync

    return start_sync(ctx.session, window)


def _run_supervisor(profile: profiles.UnlockedProfile, hub_url: str | None) -> int:
    """The supervisor board on the enrolled (or given) hub, with this profile's keys."""
    from vmadesk.services.supervisor import supervisor_token
    from vmadesk.sync.enrolment import hub_config
    from vmadesk.ui.supervisor.app import run_supervisor

    session = Session(profile)
    config = hub_config(profile.conn)
    url = hub_url or (config.url if config else None)
    token = supervisor_token(session)
    if not url or not token:
        message = (
            "The supervisor board needs a hub: enrol this profile with a supervisor token "
            "(vmadesk enroll) or pass --hub URL and set VMADESK_HUB_TOKEN."
        )
        print(f"vmadesk: {message}", file=sys.stderr)
        QMessageBox.critical(None, "vmadesk", message)
        return EXIT_INPUT
    return run_supervisor(session, url, token)
