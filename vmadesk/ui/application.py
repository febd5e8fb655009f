"""The application: Qt application, unlock, session context, main window, background sync.

``run()`` is called by :mod:`vmadesk.ui.launch` after its display check. It unlocks the
profile (``VMADESK_PASSPHRASE``, the keychain, or the unlock dialog), builds the services of
one session (:func:`build_context`), shows UI-A's ``MainWindow`` and wires around it the
:class:`~vmadesk.ui.console_shell.ConsoleShell` (Shift, File and Help actions, the idle
auto-lock and PHI-free desktop notifications).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from vmadesk import __version__, app_logging
from vmadesk.paths import APP_NAME
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.escalation import EscalationService
from vmadesk.services.handoff import HandoffService
from vmadesk.services.session import Session, local_zone_name
from vmadesk.services.shift import ShiftService
from vmadesk.services.work import ChangeHook, WorkService
from vmadesk.services.worklist import WorkList
from vmadesk.store import profile as profiles
from vmadesk.store import settings_store
from vmadesk.store.connection import Connection
from vmadesk.store.errors import AuthenticationError, StoreError
from vmadesk.store.keyslots import SLOTS_FILE
from vmadesk.ui.console_shell import ConsoleShell
from vmadesk.ui.context import ConsoleContext
from vmadesk.ui.crash_dialog import show_crash_dialog
from vmadesk.ui.unlock_dialog import UnlockDialog

if TYPE_CHECKING:  # loaded only once the profile is enrolled: not on the start path
    from vmadesk.ui.sync_indicator import SyncController

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


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
        escalations=EscalationService(conn, vma=vma, clock=clock, on_change=escalation_hook),
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
    app_logging.route_qt_messages()
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


def _start_sync(ctx: ConsoleContext, window: QWidget) -> SyncController | None:
    """Background sync with the team hub, once this profile is enrolled.

    It also runs while the team secret is still on its way: a round fetches it.
    """
    from vmadesk.sync.enrolment import hub_config

    if settings_store.hub_url(ctx.session.conn) is None or hub_config(ctx.session.conn) is None:
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
