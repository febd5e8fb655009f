"""A background sync loop on its own thread and its own SQLCipher connection.

The UI thread never waits on the network: :class:`SyncWorker` runs rounds on a
``threading.Thread`` with a connection it opens itself (a SQLCipher connection belongs to one
thread), and reports a PHI-free :class:`SyncStatus` through a callback (the Qt side turns it into a
signal, see :mod:`vmadesk.ui.widgets.sync_indicator`).

The round itself is injected (``run_round(conn) -> result with .offline``), so this module stays
below ``services/`` in the layering; :func:`vmadesk.ui.widgets.sync_indicator.start_sync` passes
:func:`vmadesk.services.sync_service.sync_once`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vmadesk.store import settings_store
from vmadesk.store.connection import Connection
from vmadesk.store.holding import held_counts
from vmadesk.sync import outbox
from vmadesk.sync.enrolment import hub_config, team_secret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows: no PHI, only counts and the VMA's own clock times."""

    state: str  # "synced", "pending", "offline", "not_enrolled", "no_team_secret", "error"
    pending: int = 0
    rejected: int = 0
    last_success_at: datetime | None = None
    offline_since: datetime | None = None
    #: Items another VMA holds (the one definition: :mod:`vmadesk.store.holding`).
    conflicts: int = 0
    error: str | None = None
    #: Items sent in a handoff the receiver has not acknowledged yet.
    in_handoff: int = 0
    #: Of ``conflicts``: items this VMA had worked; the work went to the holder.
    worked_elsewhere: int = 0


def read_status(conn: Connection, *, result: Any = None, now: datetime | None = None) -> SyncStatus:
    """The status of this profile's sync (after ``result``, the last round's, if given)."""
    if hub_config(conn) is None:
        return SyncStatus("not_enrolled")
    if team_secret(conn) is None:
        return SyncStatus("no_team_secret")
    counts = outbox.counts(conn, now=now)
    held = held_counts(conn, settings_store.vma_handle(conn))
    if counts.offline_since is not None or getattr(result, "offline", False):
        state = "offline"
    elif counts.pending:
        state = "pending"
    else:
        state = "synced"
    return SyncStatus(
        state,
        counts.pending,
        counts.rejected,
        counts.last_success_at,
        counts.offline_since,
        held.others,
        counts.last_error,
        held.in_handoff,
        held.with_work_passed,
    )


class SyncWorker(threading.Thread):
    """Runs a sync round every ``interval`` seconds (or at once on :meth:`sync_now`)."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        run_round: Callable[[Connection], Any],
        on_status: Callable[[SyncStatus], None],
        *,
        interval: float = 60.0,
        offline_interval: float = 15.0,
    ) -> None:
        super().__init__(name="vmadesk-sync", daemon=True)
        self._connect = connect
        self._run_round = run_round
        self._on_status = on_status
        self.interval = interval
        self.offline_interval = offline_interval
        self._wake = threading.Event()
        self._halt = threading.Event()
        self.rounds = 0

    def sync_now(self) -> None:
        """Run a round as soon as possible (e.g. after the VMA finished an item)."""
        self._wake.set()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop after the current round; wait up to ``timeout`` seconds."""
        self._halt.set()
        self._wake.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    def run(self) -> None:
        """The loop: open the connection here, run rounds, report, sleep, until stopped."""
        try:
            conn = self._connect()
        except Exception:
            log.exception("sync worker could not open its connection")
            self._on_status(SyncStatus("error", error="store"))
            return
        try:
            while not self._halt.is_set():
                status = self._round(conn)
                self._on_status(status)
                self.rounds += 1
                wait = self.offline_interval if status.state == "offline" else self.interval
                self._wake.wait(wait)
                self._wake.clear()
        finally:
            conn.close()

    def _round(self, conn: Connection) -> SyncStatus:
        # Enrolled but still without the team secret: run the round anyway, it fetches the
        # secret (and then backfills); skipping it would leave the console waiting forever.
        if hub_config(conn) is None:
            return SyncStatus("not_enrolled")
        try:
            result = self._run_round(conn)
        except Exception as error:  # a round must never kill the loop
            kind = type(error).__qualname__  # the class only: a message could quote data
            log.warning("sync round failed: %s", kind)
            status = read_status(conn, now=datetime.now(UTC))
            return SyncStatus(
                "error",
                status.pending,
                status.rejected,
                status.last_success_at,
                status.offline_since,
                status.conflicts,
                type(error).__name__,
            )
        return read_status(conn, result=result, now=datetime.now(UTC))
