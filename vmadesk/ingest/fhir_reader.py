"""FHIR R4 files: a Bundle of any type, or one Appointment with contained resources.

Every resource is validated with the fhir.resources R4B models before anything is built,
and a validation failure names the entry and the field path but never the value (pydantic's
errors carry the input; we drop it, and raise ``from None`` so tracebacks do not show it).
Each resource is then reduced to the fields the mapping reads (:mod:`.fhir_extract`) and
the records are built from those: the parallel reader does the same, with the validation
and extraction in worker processes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.crash_guard import unexpected_error
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.fhir_codes import BUNDLE_TYPES, check_resource
from vmadesk.ingest.fhir_errors import NOT_A_TIME_STRING, first_problem
from vmadesk.ingest.fhir_extract import extract
from vmadesk.ingest.fhir_mapping import AppointmentMapper
from vmadesk.ingest.fhir_references import ReferenceIndex
from vmadesk.ingest.records import AppointmentRecord, ImportBatch

_LONG_NUMBER = re.compile(r"\d{4000,}")
# Top-level date and time elements of the resources read here, checked to be JSON strings.
_TIME_ELEMENTS = ("start", "end", "created", "birthDate")
# Bundle types whose entries are the whole answer to a question, not a set of changes.
_FULL_BUNDLE_TYPES = frozenset({"searchset", "collection", "document"})


def read_fhir_serial(text: str, ctx: ReadContext) -> ImportBatch:
    """Read a FHIR R4 JSON document into an :class:`ImportBatch`, in this process.

    Which files are read this way and which in worker processes is
    :func:`vmadesk.ingest.fhir_parallel.read_fhir`'s choice.

    Args:
        text: The decoded file.
        ctx: Read options.

    Raises:
        IngestError: Not JSON, not a Bundle or Appointment, a resource invalid in R4, an
            appointment without a patient, ...
        IngestCancelled: The caller cancelled.
    """
    return read_fhir_data(_load_json(text, ctx), ctx)


def read_fhir_data(data: Any, ctx: ReadContext) -> ImportBatch:
    """:func:`read_fhir_serial` after ``json.loads``: the parsed document, read in this process."""
    if not isinstance(data, dict):
        raise ctx.error("not a FHIR resource (the JSON is not an object)")
    rtype = data.get("resourceType")
    if rtype == "Bundle":
        return _read_bundle(data, ctx)
    if rtype == "Appointment":
        return _read_single(data, ctx)
    raise ctx.error("expected a Bundle or an Appointment resource", field="resourceType")


def _load_json(text: str, ctx: ReadContext) -> Any:
    if text.lstrip().startswith("<"):
        raise ctx.error(
            "an XML file; vmadesk reads FHIR exports as JSON, or CSV reports",
            location="line 1",
        )
    if not text.lstrip().startswith(("{", "[")):
        # Not truncated JSON but another kind of file (a CSV read as FHIR, say).
        raise ctx.error(
            "not a FHIR JSON file (it does not start with '{'); is it a CSV export?",
            location="line 1, column 1",
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # exc.msg is the parser's words ("Expecting ',' delimiter"), never the document; some
        # end in a dangling "starting at" whose position is the location below.
        words = exc.msg.removesuffix(" at").removesuffix(" starting")
        raise ctx.error(
            f"not valid JSON ({words}); the file may be truncated",
            location=f"line {exc.lineno}, column {exc.colno}",
        ) from None
    except RecursionError:
        raise ctx.error("JSON is nested too deeply") from None
    except ValueError:
        # Python refuses to convert integers of more than sys.get_int_max_str_digits()
        # digits (a guard against slow conversions): a number no export needs.
        raise ctx.error(
            "a number with thousands of digits (no FHIR element holds one)",
            location=_long_number_at(text),
        ) from None


def _long_number_at(text: str) -> str | None:
    """``"line L, column C"`` of the first run of over 4,000 digits, if any."""
    found = _LONG_NUMBER.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return f"line {line}, column {column}"


def _validation_error(
    exc: ValidationError, ctx: ReadContext, location: str | None, raw: Any, *, skip: int = 0
) -> IngestError:
    field, reason = first_problem(exc, raw, skip=skip)
    return ctx.error(reason, location=location, field=field)


def _validate(raw: Any, ctx: ReadContext, location: str | None) -> Any:
    """Validate one resource dict with its R4B model."""
    if not isinstance(raw, dict):
        raise ctx.error("expected a resource object", location=location, field="resource")
    rtype = raw.get("resourceType")
    try:
        model = get_fhir_model_class(rtype) if isinstance(rtype, str) else None
    except (ValueError, KeyError, AttributeError, ImportError):
        model = None
    if model is None:
        raise ctx.error("not an R4 resource type", location=location, field="resourceType")
    for key in _TIME_ELEMENTS:
        # pydantic reads a JSON number as seconds since 1970; FHIR writes times as strings.
        if key in raw and not isinstance(raw[key], str):
            raise ctx.error(NOT_A_TIME_STRING, location=location, field=key)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc, ctx, location, raw) from None
    except Exception:  # fhir.resources validators may fail in other ways on hostile input
        raise ctx.error("not a valid FHIR resource", location=location) from None


def read_resource(raw: Any, ctx: ReadContext, location: str | None, day: date) -> Any:
    """Validate, check and extract one resource (both readers, one entry at a time).

    Raises:
        IngestError: The resource is refused, or failed in a way nobody foresaw (then a
            crash report is written and the refusal names the entry).
    """
    resource = _validate(raw, ctx, location)
    try:
        check_resource(resource, ctx, location)
        return extract(resource, ctx.region, day)
    except IngestError:
        raise
    except Exception as exc:
        raise unexpected_error(ctx.file_name, exc, location=location) from None


def _build(
    mapper: AppointmentMapper, appointment: Any, where: str, location: str | None
) -> AppointmentRecord:
    """``mapper.build``, an unforeseen failure being a refusal naming the entry."""
    try:
        return mapper.build(appointment, where=where, location=location)
    except IngestError:
        raise
    except Exception as exc:
        raise unexpected_error(mapper.file_name, exc, location=location) from None


def _read_single(data: dict[str, Any], ctx: ReadContext) -> ImportBatch:
    appointment = read_resource(data, ctx, None, today())
    ctx.tick(1, 1)
    index = ReferenceIndex()
    index.add(appointment, None)
    mapper = AppointmentMapper(ctx, index, coverages=(), bundle_source=None)
    record = _build(mapper, appointment, "resource", None)
    return ImportBatch(
        source_system=ctx.source_system or record.source_system,
        kind="appointments",
        appointments=(record,),
        callbacks=(),
        file_name=ctx.file_name,
        full_export=False,
        warnings=mapper.warnings.result(),
    )


def _validate_shell(data: dict[str, Any], ctx: ReadContext) -> Any:
    """Validate the Bundle without its entries' resources (those are validated one by one)."""
    shell = dict(data)
    entries = data.get("entry")
    if isinstance(entries, list):
        shell["entry"] = [
            {k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
            for e in entries
        ]
    try:
        return Bundle.model_validate(shell)
    except ValidationError as exc:
        loc = tuple(exc.errors(include_input=False, include_url=False)[0]["loc"])
        if len(loc) >= 2 and loc[0] == "entry" and isinstance(loc[1], int):
            entry = shell["entry"][loc[1]] if isinstance(entries, list) else None
            raise _validation_error(exc, ctx, f"entry {loc[1]}", entry, skip=2) from None
        raise _validation_error(exc, ctx, None, shell) from None
    except Exception:
        raise ctx.error("not a valid FHIR Bundle") from None


def _read_bundle(data: dict[str, Any], ctx: ReadContext) -> ImportBatch:
    bundle = _validate_shell(data, ctx)
    raw_entries: list[Any] = data.get("entry") or []
    total = len(raw_entries)
    if total > ctx.max_rows:
        raise ctx.error(f"the bundle has more than {ctx.max_rows:,} entries")

    day = today()
    resources: list[tuple[int, str | None, Any]] = []
    for i, raw in enumerate(raw_entries):
        resource_raw = raw.get("resource")
        if resource_raw is not None:
            resource = read_resource(resource_raw, ctx, f"entry {i}", day)
            full_url = bundle.entry[i].fullUrl
            resources.append((i, str(full_url) if full_url else None, resource))
        ctx.tick(i + 1, total)
    bundle_source = bundle.meta.source if bundle.meta and bundle.meta.source else None
    return map_bundle(bundle, resources, ctx, bundle_source)


def today() -> date:
    """The day phones' periods are compared with (UTC, as the records' times)."""
    return datetime.now(UTC).date()


def map_bundle(
    bundle: Bundle,
    resources: list[tuple[int, str | None, Any]],
    ctx: ReadContext,
    bundle_source: str | None,
) -> ImportBatch:
    """Resolve and map a Bundle's extracted resources; the serial and parallel readers' end.

    Args:
        bundle: The Bundle, validated without its entries' resources.
        resources: ``(entry index, fullUrl, light resource)`` in entry order.
        ctx: Read options.
        bundle_source: ``Bundle.meta.source``.

    Raises:
        IngestError: No appointments, an appointment that cannot be mapped, a duplicate.
    """
    if bundle.type is not None and bundle.type not in BUNDLE_TYPES:
        raise ctx.error("not a code FHIR R4 allows here", field="type")
    index = ReferenceIndex()
    appointments: list[tuple[int, Any]] = []
    coverages: list[Any] = []
    other_types = False
    by_url: dict[str, tuple[int, Any]] = {}
    for i, full_url, resource in resources:
        if full_url:
            first = by_url.setdefault(full_url, (i, resource))
            if first[1] != resource:
                # Which of the two a reference means is a guess: refuse, do not pick one.
                raise ctx.error(
                    f"the same fullUrl as entry {first[0]}, with a different resource",
                    location=f"entry {i}",
                    field="fullUrl",
                )
        index.add(resource, full_url)
        rtype = resource.rtype
        if rtype == "Appointment":
            appointments.append((i, resource))
        elif rtype == "Coverage":
            coverages.append(resource)
        elif rtype != "OperationOutcome":
            other_types = True

    if not appointments and other_types:
        raise ctx.error("the bundle holds no Appointment resources")

    mapper = AppointmentMapper(ctx, index, coverages=coverages, bundle_source=bundle_source)
    records: list[AppointmentRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for i, appointment in appointments:
        record = _build(mapper, appointment, f"entry {i}", f"entry {i}")
        key = (record.source_system, record.source_id)
        if key in seen:
            raise ctx.error(
                f"the same appointment is already in entry {seen[key]}",
                location=f"entry {i}",
                field="id",
            )
        seen[key] = i
        records.append(record)

    systems = {r.source_system for r in records}
    source_system = ctx.source_system or (
        bundle_source or (systems.pop() if len(systems) == 1 else "fhir")
    )
    has_next = any(link.relation == "next" for link in bundle.link or ())
    return ImportBatch(
        source_system=str(source_system),
        kind="appointments",
        appointments=tuple(records),
        callbacks=(),
        file_name=ctx.file_name,
        full_export=bundle.type in _FULL_BUNDLE_TYPES and not has_next,
        warnings=mapper.warnings.result(),
    )
