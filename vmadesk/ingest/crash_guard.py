"""An unexpected failure inside a reader, turned into a refusal that names the place.

The readers refuse bad input with :class:`~vmadesk.ingest.errors.IngestError`; a value
that makes a conversion fail in a way nobody foresaw (a library's own exception, an
overflow deep in a date computation) must still end as a refusal naming the file and
where in it, never as a traceback. The exception itself goes to a crash report for the
developers, which keeps its type and code locations only: its message may quote the file.
"""

from __future__ import annotations

import contextlib

from vmadesk.ingest.errors import IngestError

#: What the user is told: the place is in the message's location and field.
UNEXPECTED_REASON = (
    "a value here could not be read; nothing was imported "
    "(a report without patient data was saved for the developers)"
)


def unexpected_error(
    file: str, exc: BaseException, *, location: str | None = None, field: str | None = None
) -> IngestError:
    """The refusal for an unforeseen exception, after writing its PHI-free crash report.

    Args:
        file: The file's name as the reader shows it.
        exc: The exception (its type and traceback go to the report; never its message).
        location: Where in the file (``"entry 3"``, ``"row 7"``), when known.
        field: The field, when known.
    """
    # Imported here: the readers run in worker processes that never need the logging setup.
    from vmadesk import app_logging

    with contextlib.suppress(OSError):  # a full or read-only disk must not hide the refusal
        app_logging.write_crash_report(type(exc), exc.__traceback__)
    return IngestError(file, UNEXPECTED_REASON, location=location, field=field)
