"""What every reader needs besides the bytes: names, limits, callbacks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from vmadesk.ingest.errors import IngestCancelled, IngestError

#: Largest number of CSV rows or Bundle entries one file may hold.
MAX_ROWS = 200_000
#: Longest CSV cell, in characters.
MAX_FIELD_CHARS = 10_000
#: How often (in rows or entries) readers report progress and poll for cancellation.
POLL_EVERY = 200


@dataclass(frozen=True, slots=True)
class ReadContext:
    """Options for one read.

    Attributes:
        file_name: The name errors show (a basename chosen by the user; not PHI).
        region: Default region for phone numbers written without a country code.
        practice_tz: The practice's time zone, for CSV times written without an offset.
        source_system: The caller's name for the exporting system, if it gave one.
        max_rows: Limit on CSV rows or Bundle entries.
        max_field_chars: Limit on one CSV cell.
        progress: Called with (done, total) now and then.
        cancelled: Polled now and then; True stops the read with :class:`IngestCancelled`.
    """

    file_name: str
    region: str = "US"
    practice_tz: tzinfo | None = None
    source_system: str | None = None
    max_rows: int = MAX_ROWS
    max_field_chars: int = MAX_FIELD_CHARS
    progress: Callable[[int, int], None] | None = None
    cancelled: Callable[[], bool] | None = None

    def error(
        self, reason: str, *, location: str | None = None, field: str | None = None
    ) -> IngestError:
        """Build an :class:`IngestError` about this file (the caller raises it)."""
        return IngestError(self.file_name, reason, location=location, field=field)

    def tick(self, done: int, total: int) -> None:
        """Report progress and honour cancellation, every :data:`POLL_EVERY` steps and at the end.

        Raises:
            IngestCancelled: ``cancelled()`` returned True.
        """
        if done % POLL_EVERY and done != total:
            return
        if self.cancelled is not None and self.cancelled():
            raise IngestCancelled(self.file_name)
        if self.progress is not None:
            self.progress(done, total)
