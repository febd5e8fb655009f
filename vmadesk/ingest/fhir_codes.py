"""Checks the R4B models leave out: id lengths and the codes of the elements vmadesk reads.

fhir.resources validates a ``code`` element's shape but not its value set, and an ``id``'s
characters but not its length. A code outside its R4 value set ("Bundle.type": "foo") is
refused, naming the element, for the elements the import reads or ranks by: a guess at
what it meant could make items go missing (a Bundle type decides whether the file is a
full export) or pick the wrong phone. Messages never quote the value.
"""

from __future__ import annotations

from typing import Any

from vmadesk.ingest.context import ReadContext

#: R4's limit on a logical id.
MAX_ID_CHARS = 64

BUNDLE_TYPES = frozenset({
    "document", "message", "transaction", "transaction-response", "batch",
    "batch-response", "history", "searchset", "collection",
})  # fmt: skip
_PARTICIPANT_STATUS = frozenset({"accepted", "declined", "tentative", "needs-action"})
_TELECOM_SYSTEM = frozenset({"phone", "fax", "email", "pager", "url", "sms", "other"})
_TELECOM_USE = frozenset({"home", "work", "temp", "old", "mobile"})
_NAME_USE = frozenset({"usual", "official", "temp", "nickname", "anonymous", "old", "maiden"})
_GENDER = frozenset({"male", "female", "other", "unknown"})
_COVERAGE_STATUS = frozenset({"active", "cancelled", "draft", "entered-in-error"})
_NOT_IN_SET = "not a code FHIR R4 allows here"


def check_resource(resource: Any, ctx: ReadContext, location: str | None, path: str = "") -> None:
    """Refuse an over-long id or a code outside its value set, in a resource and its contained.

    Args:
        resource: A validated fhir.resources model.
        ctx: Read options (for the error).
        location: Where the resource is (``"entry 3"``).
        path: The element path of a contained resource (``"contained[0]."``).

    Raises:
        IngestError: The first such problem, naming the element.
    """
    rid = resource.id
    if rid is not None and len(rid) > MAX_ID_CHARS:
        raise ctx.error(
            f"an id longer than {MAX_ID_CHARS} characters (FHIR ids have at most {MAX_ID_CHARS})",
            location=location,
            field=f"{path}id",
        )
    for element, allowed in _codes(resource):
        if element[1] is not None and element[1] not in allowed:
            raise ctx.error(_NOT_IN_SET, location=location, field=f"{path}{element[0]}")
    for n, inner in enumerate(getattr(resource, "contained", None) or ()):
        check_resource(inner, ctx, location, f"{path}contained[{n}].")


def _codes(resource: Any) -> list[tuple[tuple[str, str | None], frozenset[str]]]:
    """``((element path, code), allowed codes)`` for the coded elements read of a resource."""
    rtype = resource.get_resource_type()
    out: list[tuple[tuple[str, str | None], frozenset[str]]] = []
    if rtype == "Appointment":
        for n, participant in enumerate(resource.participant or ()):
            out.append(((f"participant[{n}].status", participant.status), _PARTICIPANT_STATUS))
    elif rtype == "Patient":
        out.append((("gender", resource.gender), _GENDER))
        for n, point in enumerate(resource.telecom or ()):
            out.append(((f"telecom[{n}].system", point.system), _TELECOM_SYSTEM))
            out.append(((f"telecom[{n}].use", point.use), _TELECOM_USE))
        for n, name in enumerate(resource.name or ()):
            out.append(((f"name[{n}].use", name.use), _NAME_USE))
    elif rtype == "Coverage":
        out.append((("status", resource.status), _COVERAGE_STATUS))
    return out
