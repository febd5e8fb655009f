"""Record exports (printable reports, files leaving the encrypted store) in the audit chain."""

from __future__ import annotations

import re

from vmadesk.store import audit
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def record_export(conn: Connection, what: str, count: int) -> None:
    """Audit one export: what kind (a short code such as ``handoff_report``) and how many items.

    Raises:
        ValueError: ``what`` is not a short lower-case code or ``count`` is negative (the
            audit chain takes codes and counts only, never free text).
    """
    if not _CODE.match(what):
        raise ValueError(f"export kind must be a short code, got {what!r}")
    if count < 0:
        raise ValueError("count must not be negative")
    with transaction(conn):
        audit.append(conn, AuditEvent.EXPORT, details={"what": what, "items": int(count)})
