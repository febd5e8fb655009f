"""The team hub as the UI reaches it: the client type, its errors, and background sync.

The console's sync runs on a worker thread with its own connection (see
:class:`~vmadesk.sync.worker.SyncWorker`); each scheduled round is :func:`scheduled_round`.
The UI takes these from here, never from ``vmadesk.sync``.
"""

from __future__ import annotations

from vmadesk.services.sync_service import SyncResult, sync_once
from vmadesk.store.connection import Connection
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable, quiet_http_logs
from vmadesk.sync.worker import SyncStatus, SyncWorker

__all__ = [
    "HubClient",
    "HubRejected",
    "HubUnavailable",
    "SyncStatus",
    "SyncWorker",
    "quiet_http_logs",
    "scheduled_round",
]


def scheduled_round(conn: Connection) -> SyncResult:
    """One background sync round on the worker's connection (skipped when not due)."""
    return sync_once(conn, force=False)
