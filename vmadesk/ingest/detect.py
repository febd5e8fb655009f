"""Bytes to text, and which reader a text needs.

Encodings tried, whole file at once: UTF-16 when it starts with a UTF-16 byte-order mark
(Excel's "Unicode text"), then UTF-8 with or without BOM, then Windows-1252 (what older
practice-management systems write). Anything else, or text full of control characters, is
"not a text file".
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Literal

from vmadesk.ingest.context import ReadContext

# Above this share of C0 control characters a "text" is really binary that cp1252 accepted.
_MAX_CONTROL_SHARE = 0.01
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\x0b\x1a")
#: Characters scanned per regex call (256 KiB of text: ~1.3 ms; short, because the read
#: starts worker processes at the same time and a descheduled holder of the GIL stalls the UI).
SCAN_SLICE = 1 << 18
# The C0 controls not in _ALLOWED_CONTROLS; a regex scan runs in C (~50x a Python loop).
_CONTROLS = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(32) if chr(c) not in _ALLOWED_CONTROLS) + "]"
)
# Every byte but those controls: what ``bytes.translate`` deletes to leave only the controls.
_NOT_CONTROL_BYTES = bytes(c for c in range(256) if c >= 32 or chr(c) in _ALLOWED_CONTROLS)
#: Bytes counted per ``translate`` call (4 MiB: ~2 ms, a short hold of the GIL).
BYTE_SLICE = 1 << 22


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
        if "\x00" in text:
            raise not_text
        controls = count_controls(text, stop_after=int(len(text) * _MAX_CONTROL_SHARE))
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
        # In UTF-8 and in cp1252 a C0 control is one byte and that byte is always that
        # control, so the bytes hold exactly the text's controls: counted ~10x faster.
        controls = count_control_bytes(data)
    if controls and controls > len(text) * _MAX_CONTROL_SHARE:
        raise not_text
    return text


def count_control_bytes(data: bytes) -> int:
    """How many disallowed control characters UTF-8 or cp1252 ``data`` holds.

    :data:`BYTE_SLICE` bytes per call, so that no call holds the GIL long (see
    :func:`count_controls`).
    """
    return sum(
        len(data[start : start + BYTE_SLICE].translate(None, _NOT_CONTROL_BYTES))
        for start in range(0, len(data), BYTE_SLICE)
    )


def count_controls(text: str, *, stop_after: int) -> int:
    """How many disallowed control characters ``text`` holds (counting stops past ``stop_after``).

    The scan runs over :data:`SCAN_SLICE` characters at a time (``pos``/``endpos``: no
    copies). One regex call over a whole 13 MB export held the GIL for ~63 ms, a visible
    stall of the UI thread while a worker thread imports; between slices the interpreter
    can switch threads. The pattern matches single characters, so no match can straddle
    two slices and the count is the same as one scan's.
    """
    controls = 0
    for start in range(0, len(text), SCAN_SLICE):
        for _ in _CONTROLS.finditer(text, start, start + SCAN_SLICE):
            controls += 1
            if controls > stop_after:
                return controls
    return controls


def sniff_format(text: str) -> Literal["fhir", "csv", "xml"]:
    """FHIR when the text is JSON (starts with ``{`` or ``[``), XML at ``<``, else CSV.

    A JSON array is no FHIR resource either, but "not a FHIR resource" says more about it
    than a CSV reader's "missing required column"; so does "an XML file" about FHIR XML.
    """
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "fhir"
    return "xml" if head == "<" else "csv"


def refuse_structured(text: str, ctx: ReadContext) -> None:
    """Refuse a JSON or XML file read as CSV (``--format csv``), before the CSV reader does.

    Raises:
        IngestError: The text starts as a JSON object or XML, or is a JSON array.
    """
    head = text.lstrip()[:1]
    if head == "[":
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            return  # a CSV whose first header is bracketed: "[Appt ID],…"
    if head in ("{", "[", "<"):
        kind = "an XML" if head == "<" else "a JSON"
        raise ctx.error(
            f"{kind} file, not a CSV report (FHIR exports are read as FHIR JSON)",
            location="line 1",
        )
