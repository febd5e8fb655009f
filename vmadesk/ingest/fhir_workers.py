"""What the worker processes of :mod:`vmadesk.ingest.fhir_parallel` run.

Each task validates and extracts a run of Bundle entries and answers one tuple,
``(status, payload, entries, total, head)``:

- ``("ok", resources, …)``: ``resources`` are ``(entry index, fullUrl, light resource)``;
- ``("shell", i, …)``: entry ``i`` is not a valid ``BundleEntry`` (the main process reads
  serially then, to name the serial reader's first error);
- ``("resource", error, …)``: the run's first invalid resource, an ``IngestError`` (it
  pickles with its file, location, field and reason: no PHI);
- ``("fallback", None, …)``: the document is not a Bundle the parallel read takes (not
  JSON, not a Bundle, an entry that is no object, too few or too many entries);
- ``("crash", None, …)``: anything else (its message may hold PHI: it is dropped).

``entries`` is how many entries the task covered and ``total`` how many the Bundle has
(for progress); ``head`` is the Bundle without its entries, from a forked worker's first
part only (the main process of a forked read never parses the document).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
from datetime import date
from typing import Any

from fhir.resources.R4B.bundle import BundleEntry
from pydantic import TypeAdapter

from vmadesk.ingest import fhir_reader
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.gc_pause import gc_paused

_WARM_TYPES = ("Appointment", "Patient", "Coverage", "Practitioner", "Location", "Organization")
_PR_SET_PDEATHSIG = 1  # <sys/prctl.h>
#: A forked read's document: its text (inherited at the fork), then, in each worker, the
#: parsed document (each parses it once, at its first task).
FORKED: dict[str, Any] = {}


def warm() -> None:
    """Import the models a read needs (a spawned worker: while the main process parses)."""
    from fhir.resources.R4B import get_fhir_model_class

    for name in _WARM_TYPES:
        get_fhir_model_class(name)
    BundleEntry.model_validate({"fullUrl": "urn:uuid:warm"})


def end_with(parent: int) -> None:
    """In a forked worker: end when ``parent`` does, however it ends.

    A forked worker holds its own copy of the task pipe's writing end, so it would never
    read end-of-file there and would wait forever if its parent were killed mid-read.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux after all: only the usual shutdown
        return
    if os.getppid() != parent:  # it ended before the request took effect
        os._exit(0)


def read_slice(ctx: ReadContext, today: date, text: str, first: int, total: int) -> tuple[Any, ...]:
    """In a spawned worker: validate and extract the entries in ``text`` (a JSON array).

    Args:
        ctx: Read options (without callbacks: they do not pickle).
        today: The main process's day, for the phones' periods.
        text: The entries as a JSON array (a slice of the file's text).
        first: The index of the slice's first entry in the Bundle.
        total: How many entries the Bundle has.
    """
    try:
        with gc_paused():
            entries = json.loads(text)
            return (*_read_entries(ctx, today, entries, first), len(entries), total, None)
    except Exception:  # its message may hold PHI: the caller reads serially instead
        return ("crash", None, 0, total, None)


def read_span(
    ctx: ReadContext, today: date, start: int, end: int, first: int, total: int
) -> tuple[Any, ...]:
    """In a forked worker: :func:`read_slice` of the inherited text's ``start:end``."""
    return read_slice(ctx, today, "[" + FORKED["text"][start:end] + "]", first, total)


def read_part(
    ctx: ReadContext, today: date, part: int, parts: int, min_entries: int
) -> tuple[Any, ...]:
    """In a forked worker: validate and extract part ``part`` of ``parts`` of the entries.

    The document is parsed here, once per worker, from the text inherited at the fork: so
    the main process never spends the ~0.2 s of parsing (and freeing) it, and the two
    workers parse at once. A Bundle of fewer than ``min_entries`` entries is not taken.
    """
    try:
        with gc_paused():
            doc = _document(ctx, min_entries)
            if doc is None:
                return ("fallback", None, 0, 0, None)
            entries: list[Any] = doc["entry"]
            total = len(entries)
            first, end = part * total // parts, (part + 1) * total // parts
            mine = entries[first:end]
            if not all(isinstance(e, dict) for e in mine):
                return ("fallback", None, 0, total, None)
            head = {k: v for k, v in doc.items() if k != "entry"} if part == 0 else None
            return (*_read_entries(ctx, today, mine, first), len(mine), total, head)
    except Exception:  # as in read_slice
        return ("crash", None, 0, 0, None)


def _document(ctx: ReadContext, min_entries: int) -> dict[str, Any] | None:
    """The inherited document, parsed; None if the parallel read does not take it."""
    if "doc" not in FORKED:
        try:
            doc = json.loads(FORKED["text"])
        except (ValueError, RecursionError):
            doc = None
        entries = doc.get("entry") if isinstance(doc, dict) else None
        if (
            not isinstance(doc, dict)
            or doc.get("resourceType") != "Bundle"
            or not isinstance(entries, list)
            or not min_entries <= len(entries) <= ctx.max_rows
        ):
            doc = None
        FORKED["doc"] = doc
    return FORKED["doc"]


class _ShellCheck:
    """Whether an entry without its resource is a valid ``BundleEntry``, at ~1/5 the cost.

    ``BundleEntry.model_validate`` costs ~25 µs, mostly per-model overhead, and entries
    differ mostly in ``fullUrl``. BundleEntry's elements are validated independently of one
    another (no required elements, no choice types; the model validators check each element
    on its own), so an entry is valid exactly when its ``fullUrl`` is a valid Uri and the
    rest is a valid BundleEntry: the rest is validated once per distinct value, the
    ``fullUrl`` with the element's own type. Only an answer, never an error: a bad shell
    makes the main process validate the Bundle and name the serial reader's first error.
    """

    def __init__(self) -> None:
        self._uri = TypeAdapter(BundleEntry.model_fields["fullUrl"].annotation)
        self._rest: dict[str, bool] = {}

    def ok(self, entry: dict[str, Any]) -> bool:
        """Whether ``entry`` (its ``resource`` aside) validates as a BundleEntry."""
        if "_fullUrl" in entry:  # the value's extension sibling: validate them together
            return self._model_ok({k: v for k, v in entry.items() if k != "resource"})
        rest = {k: v for k, v in entry.items() if k not in ("resource", "fullUrl")}
        # repr tells JSON values apart as the model does ("1", 1, 1.0 and True differ) at a
        # third of json.dumps's cost; the same value in another key order is just a miss.
        key = repr(rest)
        known = self._rest.get(key)
        if known is None:
            known = self._rest[key] = self._model_ok(rest)
        if not known:
            return False
        try:
            self._uri.validate_python(entry.get("fullUrl"))
        except Exception:
            return False
        return True

    @staticmethod
    def _model_ok(shell: dict[str, Any]) -> bool:
        try:
            BundleEntry.model_validate(shell)
        except Exception:
            return False
        return True


def _read_entries(
    ctx: ReadContext, today: date, entries: list[dict[str, Any]], first: int
) -> tuple[str, Any]:
    shells = _ShellCheck()
    for i, entry in enumerate(entries, first):
        if not shells.ok(entry):
            return ("shell", i)
    out: list[tuple[int, str | None, Any]] = []
    for i, entry in enumerate(entries, first):
        raw = entry.get("resource")
        if raw is None:
            continue
        try:
            resource = fhir_reader.read_resource(raw, ctx, f"entry {i}", today)
        except IngestError as exc:
            return ("resource", exc)
        full_url = entry.get("fullUrl")
        out.append((i, str(full_url) if full_url else None, resource))
    return ("ok", out)
