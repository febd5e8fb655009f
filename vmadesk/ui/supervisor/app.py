"""The supervisor console window and its entry point.

Tabs: Team board, Trends, Conflicts & takeovers, Escalation desk, Spot checks, Report, Unattended
(``Ctrl+1`` … ``Ctrl+7``; ``F5`` refreshes everything). Every hub call runs on a pool thread
(:mod:`vmadesk.ui.workers`); results come back by signals. The desk learns of escalations without
polling delay: :meth:`SupervisorWindow.watch` keeps one long poll open at the hub
(``GET /v1/escalations/changes?wait=…``), which answers the moment one is raised, acknowledged or
resolved; the list is also refreshed every 30 s. A new *immediate* one raises a desktop
notification (tray balloon where a tray exists, else the status bar) whose text names only codes
and the VMA's handle, never PHI.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QTabWidget,
    QWidget,
)

from vmadesk.services import hub_records
from vmadesk.services.escalation import open_details, sbar_lines
from vmadesk.services.escalation_forwarding import details_to_forward, forward_details
from vmadesk.services.evidence import EvidenceViewer
from vmadesk.services.hub_access import HubRejected, HubUnavailable, quiet_http_logs
from vmadesk.services.supervisor import BoardSnapshot, SupervisorService
from vmadesk.ui import workers
from vmadesk.ui.supervisor.board_tabs import BoardTab, ConflictsTab, TrendsTab
from vmadesk.ui.supervisor.desk import EscalationDesk
from vmadesk.ui.supervisor.report import ReportTab
from vmadesk.ui.supervisor.spotchecks import SpotCheckTab
from vmadesk.ui.supervisor.unattended import UnattendedTab

POLL_MS = 30_000
#: How long one long poll waits at the hub before it is renewed (seconds).
WATCH_SECONDS = 20
#: After a failed long poll (hub down), try again this much later (milliseconds).
WATCH_RETRY_MS = 5_000
#: Exit code when the board cannot start (bad input or authentication, as in the CLI).
EXIT_REFUSED = 2
_IMMEDIATE = hub_records.Urgency.IMMEDIATE
_RAISED = hub_records.EscalationState.RAISED


def notification_text(record: hub_records.EscalationRecord) -> str:
    """What the desktop notification says: codes and a handle only."""
    return f"Immediate escalation: {record.category.label}, {record.lane.label} ({record.vma})"


def error_text(error: BaseException) -> str:
    """A PHI-free message for a failed hub call."""
    if isinstance(error, HubUnavailable):
        return "Hub unreachable; will retry."
    if isinstance(error, HubRejected):
        return f"Hub refused the request ({error.status} {error.code})."
    return f"Failed: {type(error).__name__}."


class SupervisorWindow(QMainWindow):
    """The supervisor console."""

    def __init__(
        self,
        service: SupervisorService,
        *,
        viewer: EvidenceViewer | None = None,
        record_export: Callable[[str, int], None] | None = None,
        poll_ms: int = POLL_MS,
        watch_seconds: int = WATCH_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.watch_seconds = watch_seconds
        self._cursor: int | None = None
        self._watching = False
        self.setWindowTitle("vmadesk — supervisor")
        self.pending = 0
        self.errors: list[str] = []
        self.notifications: list[str] = []
        self._seen_immediate: set[str] = set()
        self._closing = False
        self.tabs = QTabWidget(self)
        self.board = BoardTab(self)
        self.trends = TrendsTab(self)
        self.conflicts = ConflictsTab(self)
        self.desk = EscalationDesk(service, self.run, self)
        self.viewer = viewer
        if viewer is not None:
            conn = viewer.conn
            self.desk.open_details = lambda record: sbar_lines(
                open_details(conn, record.escalation_id, record.sealed_details)
            )
        self.spot = SpotCheckTab(service, self.run, viewer, self)
        self.report = ReportTab(service, self.run, record_export, self)
        self.unattended = UnattendedTab(service, self.run, self)
        self.unattended.reassigned.connect(
            lambda: self.run(self.service.conflicts, on_success=self.conflicts.show_conflicts)
        )
        for widget, title in (
            (self.board, "Team &board"),
            (self.trends, "&Trends"),
            (self.conflicts, "&Conflicts && takeovers"),
            (self.desk, "&Escalation desk"),
            (self.spot, "&Spot checks"),
            (self.report, "&Report"),
            (self.unattended, "&Unattended"),
        ):
            self.tabs.addTab(widget, title)
        self.setCentralWidget(self.tabs)
        # Clicking the tab too, not only Ctrl+4: the desk's keys need the focus inside it.
        self.tabs.currentChanged.connect(
            lambda n: self.desk.focus_list() if self.tabs.widget(n) is self.desk else None
        )
        self._actions()
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.windowIcon(), self)
            self.tray.show()
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.statusBar().showMessage("F5 refresh · Ctrl+1…6 tabs")

    def _actions(self) -> None:
        menu = self.menuBar().addMenu("&View")
        refresh = QAction("&Refresh", self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(self.refresh_all)
        menu.addAction(refresh)
        for i in range(self.tabs.count()):
            action = QAction(self.tabs.tabText(i).replace("&&", "&").replace("&", ""), self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, n=i: self.show_tab(n))
            menu.addAction(action)
        close = QAction("&Close", self)
        close.setShortcut(QKeySequence("Ctrl+Q"))
        close.triggered.connect(self.close)
        menu.addAction(close)
        self.addAction(refresh)
        desk_menu = self.menuBar().addMenu("&Desk")
        desk_menu.addActions(
            [self.desk.ack_action, self.desk.resolve_action, self.desk.details_action]
        )
        spot_menu = self.menuBar().addMenu("&Spot checks")
        spot_menu.addActions(
            [
                self.spot.draw_action,
                self.spot.score_action,
                self.spot.request_action,
                self.spot.open_action,
                self.report.csv_action,
                self.report.pdf_action,
            ]
        )

    def show_tab(self, index: int) -> None:
        """Ctrl+1…6: open a tab; the desk takes the keyboard so its keys work at once."""
        self.tabs.setCurrentIndex(index)
        if self.tabs.widget(index) is self.desk:
            self.desk.focus_list()

    # -- background work -------------------------------------------------------------------

    def run(self, fn: Callable[..., Any], *args: Any, on_success: Callable[[Any], None]) -> None:
        """Run ``fn(*args)`` on a pool thread; ``on_success(result)`` on the UI thread."""
        self.pending += 1

        def call(_progress: workers.Progress, *call_args: Any) -> Any:
            return fn(*call_args)

        def done(result: Any) -> None:
            if not self._closing:
                on_success(result)

        job = workers.start(call, *args, on_success=done, on_error=self._failed)
        job.finished.connect(self._finished)

    def _finished(self) -> None:
        self.pending -= 1

    def _failed(self, error: BaseException) -> None:
        text = error_text(error)
        self.errors.append(text)
        if not self._closing:
            self.statusBar().showMessage(text, 10_000)

    @property
    def idle(self) -> bool:
        """No hub call in flight."""
        return self.pending == 0

    # -- refresh and polling ---------------------------------------------------------------

    def refresh_all(self) -> None:
        """F5: board and trends, conflicts, escalations, report rollup."""
        self.run(self.service.snapshot, on_success=self._snapshot)
        self.run(self.service.conflicts, on_success=self.conflicts.show_conflicts)
        self.unattended.refresh()
        self.poll()
        self.report.refresh()

    def _snapshot(self, snapshot: BoardSnapshot) -> None:
        self.board.show_snapshot(snapshot)
        self.trends.show_trends(snapshot.trends)
        self.spot.set_vmas(sorted({r.vma for r in snapshot.rows}))
        self.unattended.set_vmas(sorted({r.vma for r in snapshot.rows}))

    def poll(self) -> None:
        """Fetch the desk's escalations (worker thread); notify on new immediate ones."""
        self.run(
            self.service.desk_escalations, self.desk.include_resolved(), on_success=self._polled
        )

    def _polled(self, records: list[hub_records.EscalationRecord]) -> None:
        self.desk.show_escalations(records)
        if self.viewer is not None:
            # An escalation that followed its item to another VMA: they must read its SBAR.
            forwards = details_to_forward(self.viewer.conn, records)
            if forwards:
                self.run(forward_details, self.service, forwards, on_success=lambda _n: None)
        for record in records:
            if (
                record.urgency is _IMMEDIATE
                and record.state is _RAISED
                and record.escalation_id not in self._seen_immediate
            ):
                self._seen_immediate.add(record.escalation_id)
                self.notify(notification_text(record))

    def watch(self) -> None:
        """Keep one long poll open for escalation changes; on news, refresh the desk at once.

        It runs outside :attr:`pending` (it is always in flight) and stops when the window
        closes; a failure (hub down) retries a few seconds later.
        """
        if self._closing or self._watching:
            return
        self._watching = True

        def call(_progress: workers.Progress, after: int | None, wait: int) -> Any:
            return self.service.wait_escalations(after, wait)

        workers.start(
            call,
            self._cursor,
            self.watch_seconds,
            on_success=self._watched,
            on_error=self._watch_failed,
        )

    def _watched(self, changes: hub_records.EscalationChanges) -> None:
        self._watching = False
        if self._closing:
            return
        self._cursor = changes.cursor
        if changes.escalations:
            self.poll()
        self.watch()

    def _watch_failed(self, _error: BaseException) -> None:
        self._watching = False
        if not self._closing:
            QTimer.singleShot(WATCH_RETRY_MS, self.watch)

    def notify(self, text: str) -> None:
        """A desktop notification (tray balloon, else the status bar). ``text`` has no PHI."""
        self.notifications.append(text)
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage("vmadesk", text, QSystemTrayIcon.MessageIcon.Warning, 15_000)
        self.statusBar().showMessage(text, 60_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop polling, clear any evidence on screen, hide the tray icon."""
        self._closing = True
        self.timer.stop()
        if self.spot.evidence_dialog is not None:
            self.spot.evidence_dialog.close()
        if self.desk.details_dialog is not None:
            self.desk.details_dialog.close()
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)


def run_supervisor(session, hub_url: str, token: str) -> int:  # type: ignore[no-untyped-def]
    """Open the supervisor console on ``hub_url`` with ``token``; return the exit code.

    Before the window opens, the token is checked at the hub (``whoami``): a token that is not a
    supervisor's, a refused token or an unreachable hub shows a dialog and a stderr line and
    returns :data:`EXIT_REFUSED` without opening the board.

    ``session`` is the supervisor's unlocked profile (:class:`vmadesk.services.session.Session`)
    or None; with it, evidence opens with the profile's private key and exports are audited.
    """
    app = QApplication.instance() or QApplication([])
    quiet_http_logs()  # polling every 30 s would log each request at INFO
    service = SupervisorService(hub_url, token)
    problem = service.access_problem()
    if problem is not None:
        print(f"vmadesk: {problem}", file=sys.stderr)
        QMessageBox.critical(None, "vmadesk — supervisor", problem)
        return EXIT_REFUSED
    viewer = EvidenceViewer(session.conn) if session is not None else None
    record_export = None
    if session is not None:
        from vmadesk.services.exports import record_export as audit_export

        def record_export(what: str, count: int) -> None:
            audit_export(session.conn, what, count)

    window = SupervisorWindow(service, viewer=viewer, record_export=record_export)
    window.resize(1400, 900)
    window.show()
    window.refresh_all()
    window.watch()
    return int(app.exec())
