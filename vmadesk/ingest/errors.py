"""The one error an import raises, and the cancellation signal.

Messages name the file, a location and a field, never a value read from the file: the
message may reach a log, a dialog or a crash report, none of which may hold PHI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Most warnings one file keeps; the rest are counted in one closing "… and N more".
MAX_WARNINGS = 200


def describe(file: str, reason: str, location: str | None, field: str | None) -> str:
    """Compose "file, location, field 'x': reason", the one shape of every import message."""
    parts = [file or "<unnamed file>"]
    if location:
        parts.append(location)
    if field:
        # A CSV column is named by its place and the field the product maps it to
        # ("column 4 (patient name)"): its header is the file's own text.
        parts.append(field if field.startswith("column ") else f"field '{field}'")
    return f"{', '.join(parts)}: {reason}"


class IngestError(Exception):
    """A file could not be imported; nothing from it was kept.

    Attributes:
        file: The file's name as the caller gave it (a basename, no folders).
        location: Where in the file, e.g. ``"entry 3"``, ``"row 7"``, ``"line 2, column 5"``.
        field: The field, e.g. ``"participant[1].actor"`` or a CSV column as
            ``"column 4 (patient name)"`` (never its header); None if none applies.
        reason: What is wrong, in words that never quote the file's content.
    """

    def __init__(
        self,
        file: str,
        reason: str,
        *,
        location: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.location = location
        self.field = field
        self.reason = reason
        # args hold only the composed, value-free message, so repr() and pickling stay safe.
        super().__init__(self._compose())

    def _compose(self) -> str:
        return describe(self.file, self.reason, self.location, self.field)

    def __str__(self) -> str:
        return self._compose()

    def log_text(self) -> str:
        """The message without the file's name, for the log.

        The reason, location and field never quote the file; its name might (a file saved
        as the patient's name), so the log leaves it out.
        """
        return describe("file", self.reason, self.location, self.field)

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its parts (e.g. when a reader's worker process sends it back).
        return (_restore_error, (self.file, self.reason, self.location, self.field))


def _restore_error(file: str, reason: str, location: str | None, field: str | None) -> IngestError:
    return IngestError(file, reason, location=location, field=field)


class IngestCancelled(Exception):
    """The caller's ``cancelled()`` callback asked the reader to stop; nothing was kept."""

    def __init__(self, file: str) -> None:
        self.file = file
        super().__init__(f"{file or '<unnamed file>'}: import cancelled")

    def __reduce__(self) -> tuple[object, ...]:
        return (IngestCancelled, (self.file,))


@dataclass(frozen=True, slots=True)
class IngestWarning:
    """Something the import kept but the user should know: PHI-free, like :class:`IngestError`.

    Attributes:
        file: The file's name as the caller gave it (a basename).
        location: Where in the file (``"row 4"``, ``"entry 3"``); None for the whole file.
        field: The field or CSV column (as in :class:`IngestError`); None if none applies.
        reason: What it means for the work, never quoting the file's content.
    """

    file: str
    reason: str
    location: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        return describe(self.file, self.reason, self.location, self.field)


@dataclass(slots=True)
class WarningLog:
    """Collects one file's warnings, keeping the first :data:`MAX_WARNINGS`."""

    file: str
    limit: int = MAX_WARNINGS
    kept: list[IngestWarning] = field(default_factory=list)
    dropped: int = 0

    def add(self, reason: str, *, location: str | None = None, field: str | None = None) -> None:
        """Note a warning (counted only, once the limit is reached)."""
        if len(self.kept) >= self.limit:
            self.dropped += 1
            return
        self.kept.append(IngestWarning(self.file, reason, location=location, field=field))

    def result(self) -> tuple[IngestWarning, ...]:
        """The kept warnings, and "… and N more warnings" when some were dropped."""
        if not self.dropped:
            return tuple(self.kept)
        more = IngestWarning(self.file, f"… and {self.dropped:,} more warnings")
        return (*self.kept, more)
