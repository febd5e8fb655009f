"""Builders of small FHIR R4 documents for the ingest tests."""

from __future__ import annotations

import json
import traceback
from typing import Any

from vmadesk.ingest import ImportBatch, IngestError, read_bytes

CANARY = "Zyxwvutsky"
CANARY_PHONE = "2125550142"


def patient(pid: str = "p1", **extra: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"use": "official", "family": CANARY, "given": ["Quentin", "Q"]}],
        "birthDate": "1970-01-31",
        "telecom": [{"system": "phone", "value": "(212) 555-0142", "use": "mobile"}],
    }
    resource.update(extra)
    return resource


def appointment(ref: str, aid: str = "a1", **extra: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "Appointment",
        "id": aid,
        "status": "booked",
        "start": "2026-03-08T09:00:00-05:00",
        "end": "2026-03-08T09:30:00-05:00",
        "participant": [
            {"actor": {"reference": ref}, "status": "accepted"},
            {"actor": {"reference": "Practitioner/dr1"}, "status": "accepted"},
            {
                "actor": {"reference": "Location/l1", "display": "Main St Clinic"},
                "status": "accepted",
            },
        ],
    }
    resource.update(extra)
    return resource


def bundle(*entries: tuple[str | None, dict[str, Any]], btype: str = "collection") -> dict:
    out: list[dict[str, Any]] = []
    for full_url, resource in entries:
        entry: dict[str, Any] = {"resource": resource}
        if full_url:
            entry["fullUrl"] = full_url
        out.append(entry)
    return {"resourceType": "Bundle", "type": btype, "entry": out}


PRACTITIONER = {
    "resourceType": "Practitioner",
    "id": "dr1",
    "name": [{"family": "Demo", "given": ["Dana"]}],
}


def read(doc: dict[str, Any], name: str = "export.json", **kw: Any) -> ImportBatch:
    return read_bytes(json.dumps(doc).encode(), name, **kw)


def assert_no_phi(err: IngestError) -> None:
    rendered = "".join(traceback.format_exception(err))
    for text in (str(err), repr(err), rendered, *map(str, err.args)):
        assert CANARY not in text
        assert CANARY_PHONE not in text
        assert "555-0142" not in text
