"""One VMA's unlocked session: who they are, locking and re-authentication."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from vmadesk.store import audit, profile_checks, settings_store, unlock_guard
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.profile import UnlockedProfile


def local_zone_name() -> str:
    """The VMA's own IANA zone (best effort), for the "practice · local" display."""
    import os

    tz = os.environ.get("TZ")
    if tz and "/" in tz:
        return tz
    try:
        link = Path("/etc/localtime").resolve()
        parts = link.parts
        if "zoneinfo" in parts:
            return "/".join(parts[parts.index("zoneinfo") + 1 :])
    except OSError:
        pass
    # No IANA name to be had: the fixed offset still gives the right local clock.
    return _dt.datetime.now().astimezone().tzname() or "UTC"


class Session:
    """The unlocked profile as the console uses it."""

    def __init__(self, profile: UnlockedProfile, *, conn: Connection | None = None) -> None:
        self.profile = profile
        self._conn = conn
        self.locked = False

    @property
    def conn(self) -> Connection:
        """The UI thread's connection, or the one a background thread was given."""
        return self.profile.conn if self._conn is None else self._conn

    @property
    def profile_dir(self) -> Path:
        """The profile folder."""
        return self.profile.directory

    @property
    def vma(self) -> str:
        """The VMA's handle."""
        return settings_store.get(self.conn, "vma_handle") or "vma"

    def setting(self, key: str, default: str) -> str:
        """A setting kept inside the encrypted store."""
        value = settings_store.get(self.conn, key)
        return default if value is None else value

    def put_setting(self, key: str, value: str) -> None:
        """Store a setting (audited, without its value)."""
        with transaction(self.conn):
            settings_store.put(self.conn, key, value)
            audit.append(self.conn, AuditEvent.SETTINGS_CHANGED, details={"key": key})

    def lock(self, reason: str = "idle") -> None:
        """Record the lock; the UI hides every PHI widget."""
        if self.locked:
            return
        self.locked = True
        with transaction(self.conn):
            audit.append(self.conn, AuditEvent.LOCK, details={"reason": reason})

    def seconds_before_next_try(self, now: float) -> float:
        """How long wrong passphrases make the next try wait (0 when it may go now)."""
        return unlock_guard.load(self.profile_dir).delay_before_next(now)

    def unlock(self, passphrase: str) -> bool:
        """Re-authenticate with the passphrase; True when it matches."""
        ok = profile_checks.check_passphrase(self.profile, passphrase)
        with transaction(self.conn):
            audit.append(
                self.conn,
                AuditEvent.UNLOCK_OK if ok else AuditEvent.UNLOCK_FAILED,
                details={"method": "passphrase", "reason": "relock"},
            )
        if ok:
            self.locked = False
        return ok

    def close(self) -> None:
        """Close the profile."""
        self.profile.close()
