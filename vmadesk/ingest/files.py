"""Opening an export: a regular file only, read without ever blocking.

A FIFO blocks ``open()`` until a writer comes, a character device (``/dev/zero``) never
ends, and a folder cannot be read: each is refused at once. The file is opened
non-blocking and checked on its open descriptor, so nothing can swap it in between.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vmadesk.ingest.errors import IngestError

NOT_A_FILE = "not a file (a folder, a device or a pipe); choose the export file itself"


def display_name(path: Path) -> str:
    """The name messages show: the basename (``.`` names its folder)."""
    return path.name or path.resolve().name


def size_text(n: int) -> str:
    """A size in words: ``"200 MiB"``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


def too_large(name: str, max_bytes: int) -> IngestError:
    """The refusal of a file over the size limit."""
    return IngestError(name, f"the file is larger than the {size_text(max_bytes)} limit")


def read_regular(
    path: Path, limit: int, *, name: str | None = None, max_bytes: int | None = None
) -> tuple[bytes, int]:
    """Up to ``limit`` bytes of a regular file, and its size.

    Args:
        path: The file.
        limit: Most bytes read.
        name: The name errors show (default: the basename).
        max_bytes: Refuse a larger file before reading any of it (None: no limit).

    Raises:
        IngestError: Not a regular file, too large, or the file cannot be read.
    """
    shown = name or display_name(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise IngestError(shown, NOT_A_FILE) from None
    except OSError as exc:
        raise IngestError(shown, f"cannot read the file ({exc.strerror or 'I/O error'})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IngestError(shown, NOT_A_FILE)
        if max_bytes is not None and info.st_size > max_bytes:
            raise too_large(shown, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit), info.st_size
    except OSError as exc:
        raise IngestError(shown, f"cannot read the file ({exc.strerror or 'I/O error'})") from None
    finally:
        os.close(fd)
