"""The application: Qt application, unlock, headless console, main window, background sync.

``run()`` is called by :mod:`vmadesk.ui.launch` after its display check. It unlocks the
profile (``VMADESK_PASSPHRASE``, the keychain, or the unlock dialog), builds the
:class:`~vmadesk.services.console.Console` of one session, shows the ``MainWindow`` and
wires around it the :class:`~vmadesk.ui.console.shell.ConsoleShell` (Shift, File and Help
actions, the idle auto-lock and PHI-free desktop notifications).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from vmadesk.services import app_setup, profiles
from vmadesk.services.app_setup import APP_NAME
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.console import Console
from vmadesk.services.profiles import AuthenticationError, StoreError
from vmadesk.ui.ui_settings import UiSettings, place_window

if TYPE_CHECKING:  # not on the start path: loaded after the first lane is painted
    from vmadesk.ui.console.shell import ConsoleShell
    from vmadesk.ui.console.window import MainWindow
    from vmadesk.ui.widgets.sync_indicator import SyncController

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def build_context(profile: profiles.UnlockedProfile, *, clock: Clock = system_clock) -> Console:
    """The headless console of one unlocked session, on this thread's connection."""
    return Console(profile, clock=clock)


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
    app.setApplicationVersion(app_setup.VERSION)
    app.setDesktopFileName(APP_NAME)
    # No setStyle/setPalette: Qt 6 follows the platform's style and light/dark scheme.
    return app


def unlock_profile(profile_dir: Path) -> profiles.UnlockedProfile | None:
    """Open the profile: ``VMADESK_PASSPHRASE`` skips the dialog; otherwise keychain/dialog.

    Returns:
        The profile, or None when the VMA cancelled.

    Raises:
        AuthenticationError: The environment's passphrase is wrong.
        StoreError: The profile is missing or damaged.
    """
    if not profiles.has_profile(profile_dir):
        raise profiles.ProfileMissingError(
            f"No vmadesk profile in {profile_dir} (create one with 'vmadesk profile init' "
            "or 'vmadesk demo')."
        )
    if profiles.passphrase_from_env():
        return profiles.unlock(profile_dir, use_keychain=False)
    from vmadesk.ui.dialogs.unlock import UnlockDialog

    dialog = UnlockDialog(profile_dir)
    if dialog.exec() != UnlockDialog.DialogCode.Accepted:
        return None
    return dialog.profile


def _critical(text: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(None, "vmadesk", text)


def _show_crash_dialog(report: Path) -> None:
    from vmadesk.ui.dialogs.crash import show_crash_dialog

    show_crash_dialog(report)


def run(profile_dir: Path, *, supervisor: bool = False, hub_url: str | None = None) -> int:
    """Run the console until its window closes; return the exit code (0 on close)."""
    app = ensure_app()
    app_setup.install_excepthook(show=_show_crash_dialog)
    app_setup.route_qt_messages()
    app_setup.enable_faulthandler()
    try:
        profile = unlock_profile(profile_dir)
    except StoreError as exc:
        print(f"vmadesk: {exc}", file=sys.stderr)
        if not isinstance(exc, AuthenticationError):
            _critical(str(exc))
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
        from vmadesk.ui.console.window import MainWindow

        window = MainWindow(ctx, staged=True)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        console = RunningConsole(ctx, window, list(profile.notices))
        place_window(window, UiSettings())
        window.show()
        code = app.exec()
        console.stop()
    finally:
        profile.close()
    return EXIT_OK if code == 0 else EXIT_FAIL


class RunningConsole(QObject):
    """What joins the window once its first lane is on screen: shell, notices, hub sync.

    The VMA sees their lane first; the File/Shift/Help actions, the idle lock and the
    background sync follow a moment later, when the window says it is ready.
    """

    def __init__(self, ctx: Console, window: MainWindow, notices: list[str]) -> None:
        super().__init__(window)
        self.ctx, self.window, self.notices = ctx, window, notices
        self.shell: ConsoleShell | None = None
        self.sync: SyncController | None = None
        window.ready.connect(self._complete)

    def _complete(self) -> None:
        from vmadesk.ui.console.shell import ConsoleShell

        self.shell = ConsoleShell(self.ctx, self.window)
        if self.ctx.shifts.current() is None:
            self.window.show_message("No shift running: Shift → Start shift (Ctrl+Shift+S).")
        self.shell.show_notices(self.notices)
        self.sync = _start_sync(self.ctx, self.window)
        if self.sync is not None:  # handoffs through the hub go out and come in at once
            self.shell.sync_now = self.sync.sync_now
            self.shell.sync_status = self.sync.status_changed
            self.sync.status_changed.connect(self.shell.shift.check_evidence)
            self.sync.status_changed.connect(self.shell.shift.check_answers)
            self.shell.shift.check_answers()  # what was answered before this start is not news
        app_setup.start_rotation()

    def stop(self) -> None:
        """Stop the sync worker and the shell's app-wide hooks (before the window goes)."""
        if self.sync is not None:
            self.sync.stop()
        if self.shell is not None:
            self.shell.shutdown()


def _start_sync(ctx: Console, window: QWidget) -> SyncController | None:
    """Background sync with the team hub, once this profile is enrolled.

    It also runs while the team secret is still on its way: a round fetches it.
    """
    if ctx.hub_config() is None:
        return None  # not enrolled: the hub client and wire schema are never loaded
    from vmadesk.ui.widgets.sync_indicator import start_sync

    controller = start_sync(ctx, window)
    # An escalation goes out at once, not at the next scheduled round.
    ctx.escalations.after_raise = lambda _escalation_id: controller.sync_now()
    return controller


def _run_supervisor(profile: profiles.UnlockedProfile, hub_url: str | None) -> int:
    """The supervisor board on the enrolled (or given) hub, with this profile's keys."""
    from vmadesk.services.supervisor import supervisor_token
    from vmadesk.ui.supervisor.app import run_supervisor

    console = Console(profile)
    session = console.session
    config = console.hub_config()
    url = hub_url or (config.url if config else None)
    token = supervisor_token(session)
    if not url or not token:
        message = (
            "The supervisor board needs a hub: enrol this profile with a supervisor token "
            "(vmadesk enroll) or pass --hub URL and set VMADESK_HUB_TOKEN."
        )
        print(f"vmadesk: {message}", file=sys.stderr)
        _critical(message)
        return EXIT_INPUT
    return run_supervisor(session, url, token)
