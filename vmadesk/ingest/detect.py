"""Bytes to text, and which reader a text needs.

Encodings tried, whole file at once: UTF-16 when it starts with a UTF-16 byte-order mark
(Excel's "Unicode text"), then UTF-8 with or without BOM, then Windows-1252 (what older
practice-management systems write). Anything else, or text full of control characters, is
"not a text file".
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

from vmadesk.ingest.context import ReadContext

# Above this share of C0 control characters a "text" is really binary that cp1252 accepted.
_MAX_CONTROL_SHARE = 0.01
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\x0b\x1a")
# The C0 controls not in _ALLOWED_CONTROLS; a regex scan runs in C (~50x a Python loop).
_CONTROLS = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(32) if chr(c) not in _ALLOWED_CONTROLS) + "]"
)


def decode_text(data: bytes, ctx: ReadContext) -> str:
    """Decode a whole export.

    Raises:
        IngestError: The bytes are not text in a supported encoding.
    """
    not_text = ctx.error("not a text file (expected a CSV export or FHIR JSON)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    elif b"\x00" in data:
        raise not_text
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise not_text from None
    if "\x00" in text:
        raise not_text
    limit = int(len(text) * _MAX_CONTROL_SHARE)
    controls = 0
    for _ in _CONTROLS.finditer(text):
        controls += 1
        if controls > limit:
            break
    if controls and controls > len(text) * _MAX_CONTROL_SHARE:
        raise not_text
    return text


def sniff_format(text: str) -> Literal["fhir", "csv"]:
    """FHIR when the text is a JSON object (starts with ``{``), else CSV."""
    return "fhir" if text.lstrip().startswith("{") else "csv"
