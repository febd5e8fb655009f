"""Resolving FHIR references inside one file.

A reference may take any shape R4 allows, and a file may mix them:

- relative ``Patient/123`` (optionally ``/_history/2``), matched by type and id, or against
  the referencing entry's ``fullUrl`` base;
- absolute ``https://host/fhir/Patient/123``, matched against ``fullUrl`` or by type and id;
- ``urn:uuid:…`` / ``urn:oid:…``, matched against ``fullUrl`` only;
- contained ``#p1``, looked up in the referencing resource's ``contained`` (``#`` alone is
  the container itself).

A reference that does not resolve is not an error here: the caller decides (a patient
known only by ``display`` is still a patient).
"""

from __future__ import annotations

import re
from typing import Any

# Type/id at the end of a URL, with an optional version: the R4 regex for literal references.
_TAIL = re.compile(
    r"(?:^|/)(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})"
    r"(?:/_history/[A-Za-z0-9\-.]{1,64})?$"
)


def reference_type(reference: Any) -> str | None:
    """The resource type a ``Reference`` points at, from its ``type`` or its URL.

    Args:
        reference: A :class:`~vmadesk.ingest.fhir_extract.Ref` (or None).

    Returns:
        E.g. ``"Patient"``, or None when neither the type nor the URL says.
    """
    if reference is None:
        return None
    if getattr(reference, "type", None):
        declared = str(reference.type)
        # Reference.type is a URI; the R4 core types are written bare ("Patient").
        return declared.rsplit("/", 1)[-1]
    url = getattr(reference, "reference", None)
    if url and (m := _TAIL.search(url.split("?", 1)[0])):
        return m["type"]
    return None


def reference_id(reference: Any) -> str | None:
    """The logical id at the end of a reference's URL (``Patient/123`` → ``123``)."""
    url = getattr(reference, "reference", None) if reference is not None else None
    if url and (m := _TAIL.search(url.split("?", 1)[0])):
        return m["id"]
    return None


def _base_of(full_url: str | None) -> str | None:
    """The service base of a RESTful fullUrl (``https://h/fhir/Patient/1`` → ``https://h/fhir/``)."""
    if not full_url or not (m := _TAIL.search(full_url)):
        return None
    return full_url[: m.start("type")]


class ReferenceIndex:
    """Every resource of one file, findable by ``fullUrl`` and by type and id."""

    def __init__(self) -> None:
        self._by_url: dict[str, Any] = {}
        self._by_key: dict[tuple[str, str], Any] = {}
        self._urls: dict[int, str] = {}
        # A file names the same few practitioners and locations thousands of times: the
        # regex work on each such reference is done once.
        self._tails: dict[str, tuple[str, str] | None] = {}

    def add(self, resource: Any, full_url: str | None) -> None:
        """Index one top-level resource (a Bundle entry's ``resource``).

        Args:
            resource: The resource, extracted (:mod:`vmadesk.ingest.fhir_extract`).
            full_url: The entry's ``fullUrl``, if any.
        """
        if full_url:
            self._by_url.setdefault(full_url, resource)
            self._urls[id(resource)] = full_url
        rid = getattr(resource, "id", None)
        if rid:
            # First wins: a transaction may carry the same resource twice; both are the same.
            self._by_key.setdefault((resource.rtype, rid), resource)

    def full_url_of(self, resource: Any) -> str | None:
        """The ``fullUrl`` a resource was indexed with, if any."""
        return self._urls.get(id(resource))

    def resolve(self, reference: Any, container: Any) -> Any | None:
        """Find the resource a ``Reference`` points at.

        Args:
            reference: A :class:`~vmadesk.ingest.fhir_extract.Ref` (or None).
            container: The top-level resource holding the reference (for ``#id`` and for
                the ``fullUrl`` base that relative references resolve against).

        Returns:
            The resource, or None if the file does not hold it.
        """
        url = getattr(reference, "reference", None) if reference is not None else None
        if not url:
            return None
        if url.startswith("#"):
            return self._contained(url[1:], container)
        if (found := self._by_url.get(url)) is not None:
            return found
        if url.startswith("urn:"):
            return None  # a urn names exactly one fullUrl; no other match is legal
        base = _base_of(self.full_url_of(container))
        if base and (found := self._by_url.get(base + url)) is not None:
            return found
        key = self._tails.get(url, False)
        if key is False:
            m = _TAIL.search(url.split("?", 1)[0])
            key = self._tails[url] = (m["type"], m["id"]) if m is not None else None
        return self._by_key.get(key) if key is not None else None

    @staticmethod
    def _contained(local_id: str, container: Any) -> Any | None:
        if container is None:
            return None
        if not local_id:
            return container
        for inner in getattr(container, "contained", None) or ():
            if getattr(inner, "id", None) == local_id:
                return inner
        return None
