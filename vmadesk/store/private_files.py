"""Files the store writes beside the database: private (0600) and replaced atomically."""

from __future__ import annotations

import os
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
