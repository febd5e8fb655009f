"""Secrets a person reads aloud or writes down: base32 in dash-separated groups of four.

Base32 has one case and no 0/1/8/9, so "ABCD-EF23-…" survives a phone call or a sticky
note; separators, spaces and case are ignored when it is typed back.
"""

from __future__ import annotations

import base64
import binascii

GROUP = 4


def to_spoken(data: bytes) -> str:
    """``data`` as grouped base32, e.g. ``MZXW-6YTB-…``."""
    text = base64.b32encode(data).decode("ascii").rstrip("=")
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def from_spoken(text: str, size: int) -> bytes | None:
    """The ``size`` bytes behind a grouped base32 code, or None when it is not one."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    try:
        raw = base64.b32decode(compact + "=" * (-len(compact) % 8))
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == size else None
