"""The one error an import raises, and the cancellation signal.

Messages name the file, a location and a field, never a value read from the file: the
message may reach a log, a dialog or a crash report, none of which may hold PHI.
"""

from __future__ import annotations


class IngestError(Exception):
    """A file could not be imported; nothing from it was kept.

    Attributes:
        file: The file's name as the caller gave it (a basename, no folders).
        location: Where in the file, e.g. ``"entry 3"``, ``"row 7"``, ``"line 2, column 5"``.
        field: The field, e.g. ``"participant[1].actor"`` or a CSV header; None if none applies.
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
        parts = [self.file or "<unnamed file>"]
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(f"field '{self.field}'")
        return f"{', '.join(parts)}: {self.reason}"

    def __str__(self) -> str:
        return self._compose()

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
