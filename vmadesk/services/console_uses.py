"""The import, hub sync and profile use cases of a :class:`~vmadesk.services.console.Console`.

Each binds a service module to the console's connection, clock, handle and hub hook, so a
front end (the GUI, the CLI, a test) calls ``console.imports.file(path)`` and cannot forget to
pass the outbox hook. Their modules are imported on first use, off the console's start path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmadesk.services.clock import Clock
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection

if TYPE_CHECKING:
    from vmadesk.services.import_report import ImportReport
    from vmadesk.services.sync_service import SyncResult
    from vmadesk.store.profile import UnlockedProfile


class ConsoleImports:
    """Importing practice exports into this profile (items queue their hub messages)."""

    def __init__(
        self, conn: Connection, *, vma: str, clock: Clock, on_change: ChangeHook | None
    ) -> None:
        self.conn, self.vma, self.clock, self.on_change = conn, vma, clock, on_change

    def file(self, path: Path, **options: Any) -> ImportReport:
        """Read, plan and (unless ``dry_run=True``) apply one file.

        Args:
            path: The export.
            **options: As :func:`vmadesk.services.importer.import_file` (``practice_id``,
                ``fmt``, ``mapping``, ``dry_run``, ``progress``, ``cancelled``, ``now``).
        """
        from vmadesk.services.importer import import_file

        return import_file(
            self.conn, path, vma=self.vma, clock=self.clock, on_change=self.on_change, **options
        )


class ConsoleSync:
    """This profile's exchange with the team hub (on the console's own connection)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def round(self, **options: Any) -> SyncResult:
        """One sync round now (see :func:`vmadesk.services.sync_service.sync_once`).

        Raises:
            vmadesk.sync.enrolment.EnrolmentError: The profile is not enrolled.
        """
        from vmadesk.services.sync_service import sync_once

        return sync_once(self.conn, **options)

    def pending(self) -> int:
        """How many hub messages wait in the outbox."""
        from vmadesk.services.sync_service import pending_messages

        return pending_messages(self.conn)


class ConsoleProfile:
    """The unlocked profile itself: where it is and what protects it (never PHI)."""

    def __init__(self, profile: UnlockedProfile) -> None:
        self.profile = profile

    @property
    def directory(self) -> Path:
        """The profile folder."""
        return self.profile.directory

    def info(self) -> dict[str, Any]:
        """Mode, schema version and open work per lane (``vmadesk profile info``)."""
        from vmadesk.services.profile_info import profile_info

        return profile_info(self.profile)
