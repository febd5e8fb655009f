"""Parsing a large FHIR document like ``json.loads``, a top-level value at a time.

See :mod:`vmadesk.ingest.fhir_parallel`: a UI thread gets the GIL between the short calls
into the C scanner, and the text span of every ``entry`` element is kept so that workers
can be sent slices of the text (cheap to pickle) instead of the parsed dicts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vmadesk.ingest import fhir_reader
from vmadesk.ingest.context import ReadContext

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


# -- JSON, entry by entry -----------------------------------------------------------------------


def _parse_array(
    s: str, i: int, spans: list[tuple[int, int]] | None = None, *, keep: bool = True
) -> tuple[list[Any], int]:
    scan, ws = _DECODER.scan_once, _WS.match
    out: list[Any] = []
    i = ws(s, i).end()
    if s[i : i + 1] == "]":
        return out, i + 1
    while True:
        start = i
        value, i = scan(s, i)
        out.append(value if keep else type(value) is dict)
        if spans is not None:
            spans.append((start, i))
        i = ws(s, i).end()
        c = s[i : i + 1]
        if c == "]":
            return out, i + 1
        if c != ",":
            raise ValueError
        i = ws(s, i + 1).end()


def _parse_object(s: str, spans: list[tuple[int, int]], *, keep: bool = True) -> dict[str, Any]:
    """``json.loads`` of a top-level object, one top-level value or array element at a time.

    Every call into the C scanner is short, so a UI thread gets the GIL between them.
    Raises anything on bad input: the caller then lets ``json.loads`` name the error.
    """
    scan, ws = _DECODER.scan_once, _WS.match
    i = ws(s, 0).end()
    if s[i : i + 1] != "{":
        raise ValueError
    i = ws(s, i + 1).end()
    out: dict[str, Any] = {}
    if s[i : i + 1] == "}":
        i += 1
    else:
        while True:
            if s[i : i + 1] != '"':
                raise ValueError
            key, i = json.decoder.scanstring(s, i + 1)
            i = ws(s, i).end()
            if s[i : i + 1] != ":":
                raise ValueError
            i = ws(s, i + 1).end()
            if key == "entry":
                spans.clear()  # a repeated key: the last one counts, as in json.loads
            if s[i : i + 1] == "[":
                entry = key == "entry"
                value, i = _parse_array(s, i + 1, spans if entry else None, keep=keep or not entry)
            else:
                value, i = scan(s, i)
            out[key] = value
            i = ws(s, i).end()
            c = s[i : i + 1]
            if c == "}":
                i += 1
                break
            if c != ",":
                raise ValueError
            i = ws(s, i + 1).end()
    if ws(s, i).end() != len(s):
        raise ValueError
    return out


def load_json(text: str, ctx: ReadContext) -> Any:
    """Parse like ``json.loads`` (same value, same errors) without one long GIL hold."""
    return load_json_spans(text, ctx)[0]


def load_json_spans(
    text: str, ctx: ReadContext, *, keep_entries: bool = True
) -> tuple[Any, list[tuple[int, int]] | None]:
    """:func:`load_json`, and the ``(start, end)`` of each top-level ``entry`` element.

    Args:
        text: The document.
        ctx: Read options (for the error).
        keep_entries: False to keep, for each element of a top-level ``entry`` array, only
            whether it is an object (True/False): who sends the text spans to workers needs
            no more, and does not pay for freeing ~1M objects in one go (a UI stall) later.

    Returns:
        The document and the spans. The spans are None when the fast parse did not succeed
        (the document was then parsed whole by ``json.loads``) and empty when the document
        has no ``entry`` array.
    """
    spans: list[tuple[int, int]] = []
    try:
        return _parse_object(text, spans, keep=keep_entries), spans
    except (ValueError, StopIteration, RecursionError, IndexError):
        return fhir_reader._load_json(text, ctx), None  # raises the serial reader's error
