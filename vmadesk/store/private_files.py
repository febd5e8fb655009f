"""Files the store writes beside the database: private (0600) and replaced atomically."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new file, never half.

    The temporary file is removed on any failure (a full disk, a read-only folder), so no
    ``.name-*`` leftovers pile up in the profile.

    Args:
        path: The target file (its folder must exist).
        data: The whole new content.

    Raises:
        OSError: The write failed; the old file is untouched.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class NotARegularFile(OSError):
    """The path is a folder, a FIFO, a device or too large to be a file vmadesk wrote."""


def read_small(path: Path, limit: int = 1 << 20) -> bytes:
    """Read a small file vmadesk wrote, refusing anything that could hang or flood memory.

    A FIFO in place of the file would block ``open`` until a writer came, a device could
    stream forever: both are refused at once, as is a file larger than ``limit``.

    Raises:
        FileNotFoundError: No such file.
        NotARegularFile: A folder, FIFO, device, or a file larger than ``limit``.
        OSError: It cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise NotARegularFile(errno.EINVAL, kind)
        if info.st_size > limit:
            raise NotARegularFile(errno.EFBIG, "far too large")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)
