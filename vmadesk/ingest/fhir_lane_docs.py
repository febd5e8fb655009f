"""What the prior-authorization and referral FHIR readers share: the document and its references.

The document is read, each resource validated with its R4B model and checked exactly as the
appointment reader does (:mod:`vmadesk.ingest.fhir_reader`): a refusal names the file, the
entry and the element, never a value. The validated models are kept whole (these files are
small worklists, not the appointment exports that need worker processes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.crash_guard import unexpected_error
from vmadesk.ingest.errors import IngestError, WarningLog

# The appointment reader's own loading and validation, so both refuse a file alike.
from vmadesk.ingest.fhir_codes import BUNDLE_TYPES, check_resource
from vmadesk.ingest.fhir_errors import NOT_A_TIME_STRING
from vmadesk.ingest.fhir_extract import LightPatient, extract, human_name
from vmadesk.ingest.fhir_reader import _load_json, _validate, _validate_shell, today
from vmadesk.ingest.names import split_name
from vmadesk.ingest.records import PatientRecord

# Date elements of these resources beyond those the appointment reader checks.
_MORE_TIME_ELEMENTS = ("authoredOn", "occurrenceDateTime")
# Only a search answers "all of them": a PAS request Bundle is a "collection" of one
# request's resources, not the practice's whole worklist.
_FULL_BUNDLE_TYPES = frozenset({"searchset"})


@dataclass
class LaneDocument:
    """The validated resources of one file, and how to find them by reference.

    Attributes:
        ctx: Read options (file name for refusals).
        entries: ``(location, model)`` in file order (location ``"entry 3"``, or None for a
            single resource).
        full_export: Whether the file lists a whole set (see ``ImportBatch.full_export``).
        source: ``Bundle.meta.source``, if any.
        warnings: The file's warnings.
    """

    ctx: ReadContext
    entries: list[tuple[str | None, Any]] = field(default_factory=list)
    full_export: bool = False
    source: str | None = None
    warnings: WarningLog = field(init=False)
    _by_ref: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.warnings = WarningLog(self.ctx.file_name)

    def add(self, location: str | None, model: Any, full_url: str | None) -> None:
        """Index ``model`` by ``Type/id``, by its fullUrl, and its contained by ``#id``."""
        self.entries.append((location, model))
        rtype = model.get_resource_type()
        if model.id:
            self._by_ref.setdefault(f"{rtype}/{model.id}", model)
        if full_url:
            self._by_ref.setdefault(full_url, model)
            tail = "/".join(full_url.rstrip("/").split("/")[-2:])
            self._by_ref.setdefault(tail, model)

    def of_type(self, rtype: str) -> list[tuple[str | None, Any]]:
        """The entries holding ``rtype`` resources, in file order."""
        return [(loc, m) for loc, m in self.entries if m.get_resource_type() == rtype]

    def resolve(self, reference: Any, owner: Any = None) -> Any:
        """The resource a ``Reference`` points to (a contained one of ``owner`` for ``#id``)."""
        target = getattr(reference, "reference", None)
        if not target:
            return None
        if target.startswith("#") and owner is not None:
            for inner in getattr(owner, "contained", None) or ():
                if inner.id == target[1:]:
                    return inner
            return None
        found = self._by_ref.get(target)
        if found is None and "/_history/" in target:
            found = self._by_ref.get(target.split("/_history/")[0])
        if found is None and target.count("/") > 1:
            found = self._by_ref.get("/".join(target.rstrip("/").split("/")[-2:]))
        return found


def load_document(text: str, ctx: ReadContext, single_types: frozenset[str]) -> LaneDocument:
    """Read and validate a FHIR JSON file: a Bundle, or one resource of ``single_types``.

    Raises:
        IngestError: Not JSON, not FHIR, an invalid resource or Bundle (naming entry and field).
    """
    data = _load_json(text, ctx)
    if not isinstance(data, dict):
        raise ctx.error("not a FHIR resource (the JSON is not an object)")
    rtype = data.get("resourceType")
    doc = LaneDocument(ctx)
    if isinstance(rtype, str) and rtype in single_types:
        doc.add(None, _checked(data, ctx, None), None)
        return doc
    if rtype != "Bundle":
        wanted = " or ".join(["a Bundle", *sorted(single_types)])
        raise ctx.error(f"expected {wanted} resource", field="resourceType")
    bundle = _validate_shell(data, ctx)
    if bundle.type is not None and bundle.type not in BUNDLE_TYPES:
        raise ctx.error("not a code FHIR R4 allows here", field="type")
    raw_entries: list[Any] = data.get("entry") or []
    if len(raw_entries) > ctx.max_rows:
        raise ctx.error(f"the bundle has more than {ctx.max_rows:,} entries")
    for i, raw in enumerate(raw_entries):
        resource_raw = raw.get("resource")
        if resource_raw is not None:
            full_url = bundle.entry[i].fullUrl
            doc.add(
                f"entry {i}", _checked(resource_raw, ctx, f"entry {i}"), full_url and str(full_url)
            )
        ctx.tick(i + 1, len(raw_entries))
    has_next = any(link.relation == "next" for link in bundle.link or ())
    doc.full_export = bundle.type in _FULL_BUNDLE_TYPES and not has_next
    doc.source = str(bundle.meta.source) if bundle.meta and bundle.meta.source else None
    return doc


def _checked(raw: Any, ctx: ReadContext, location: str | None) -> Any:
    if isinstance(raw, dict):
        for key in _MORE_TIME_ELEMENTS:
            # pydantic reads a JSON number as seconds since 1970; FHIR writes times as strings.
            if key in raw and not isinstance(raw[key], str):
                raise ctx.error(NOT_A_TIME_STRING, location=location, field=key)
    model = _validate(raw, ctx, location)
    try:
        check_resource(model, ctx, location)
    except IngestError:
        raise
    except Exception as exc:
        raise unexpected_error(ctx.file_name, exc, location=location) from None
    return model


def patient_record(
    doc: LaneDocument, reference: Any, owner: Any, location: str | None, element: str
) -> PatientRecord:
    """The patient a request is for, from the Patient resource it references.

    A reference to a Patient not in the file, but with a ``display``, gives a display-only
    patient (as in the appointment import) and a warning.

    Raises:
        IngestError: No patient reference, or one that names no patient at all.
    """
    ctx = doc.ctx
    if reference is None:
        raise ctx.error("the request names no patient", location=location, field=element)
    resource = doc.resolve(reference, owner)
    if resource is None:
        display = (reference.display or "").strip()
        target = reference.reference or ""
        if not display:
            raise ctx.error("the patient is not in the file", location=location, field=element)
        doc.warnings.add("patient known only by name: no phone or date of birth",
                         location=location, field=element)  # fmt: skip
        family, given = split_name(display)
        source_id = target.rsplit("/", 1)[-1] or display
        return PatientRecord(source_id, family, given, None, None, None, display_only=True)
    if resource.get_resource_type() != "Patient":
        raise ctx.error("does not refer to a Patient", location=location, field=element)
    light = extract(resource, ctx.region, today())
    assert isinstance(light, LightPatient)
    if light.human is None:
        raise ctx.error("the patient has no name", location=location, field=element)
    source_id = light.ident_value or light.id
    if not source_id:
        raise ctx.error("the patient has no id or identifier", location=location, field=element)
    family, given = light.human
    return PatientRecord(
        source_id, family, given, light.birth_date, light.phone_e164, light.phone_raw
    )


def party_name(resource: Any) -> tuple[str | None, str | None]:
    """``(person, organisation)`` names of a Practitioner, PractitionerRole or Organization."""
    if resource is None:
        return None, None
    rtype = resource.get_resource_type()
    if rtype == "Practitioner":
        picked = human_name(resource.name)
        if picked is None:
            return None, None
        family, given = picked
        return (f"{given} {family}".strip() or None), None
    if rtype == "Organization":
        return None, resource.name or None
    return None, None


def reference_names(doc: LaneDocument, reference: Any, owner: Any) -> tuple[str | None, str | None]:
    """``(person, organisation)`` a reference names; a PractitionerRole gives both sides."""
    if reference is None:
        return None, None
    resource = doc.resolve(reference, owner)
    if resource is not None and resource.get_resource_type() == "PractitionerRole":
        person, _ = party_name(doc.resolve(resource.practitioner, resource))
        _, org = party_name(doc.resolve(resource.organization, resource))
        return person, org
    if resource is None:
        display = (reference.display or "").strip() or None
        kind = (reference.reference or "").split("/")[0] or reference.type
        return (None, display) if kind == "Organization" else (display, None)
    return party_name(resource)


def as_instant(value: Any, ctx: ReadContext) -> datetime | None:
    """A FHIR date or dateTime as an instant (a bare date: midnight in the practice zone)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=ctx.practice_tz or UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=ctx.practice_tz or UTC)
    return None


def as_day(value: Any) -> date | None:
    """A FHIR date or dateTime as a calendar day."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def first_identifier(resource: Any) -> tuple[str | None, str | None]:
    """``(value, system)`` of a resource's first identifier with a value."""
    for ident in getattr(resource, "identifier", None) or ():
        if ident.value:
            return ident.value, (str(ident.system) if ident.system else None)
    return None, None


def check_code(
    ctx: ReadContext, value: str | None, allowed: frozenset[str], location: str | None, element: str
) -> None:
    """Refuse a code outside its R4 value set (the models check only its shape).

    Raises:
        IngestError: ``value`` is set and not in ``allowed`` (the message names the element).
    """
    if value is not None and value not in allowed:
        raise ctx.error("not a code FHIR R4 allows here", location=location, field=element)
