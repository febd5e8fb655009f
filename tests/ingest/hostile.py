"""Shared by the hostile-input tests: documents to break, a whole-store dump, refusal checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from vmadesk import paths
from vmadesk.ingest import ImportBatch, IngestError, read_bytes
from vmadesk.store.connection import Connection

CANARY = "Zyxwvutsky"
#: A valid Bundle: one appointment (entry 0), its patient (entry 1) and coverage (entry 2).
GOOD_BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:0b5f9c8e-0000-4000-8000-000000000001",
            "resource": {
                "resourceType": "Appointment",
                "id": "a1",
                "status": "booked",
                "start": "2026-03-09T09:00:00-05:00",
                "end": "2026-03-09T09:30:00-05:00",
                "participant": [
                    {"actor": {"reference": "Patient/p1"}, "status": "accepted"},
                    {"actor": {"reference": "Practitioner/dr1"}, "status": "accepted"},
                ],
            },
        },
        {
            "fullUrl": "urn:uuid:0b5f9c8e-0000-4000-8000-000000000002",
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "name": [{"use": "official", "family": CANARY, "given": ["Quentin"]}],
                "birthDate": "1970-01-31",
                "telecom": [{"system": "phone", "value": "(212) 555-0142", "use": "mobile"}],
            },
        },
        {
            "fullUrl": "urn:uuid:0b5f9c8e-0000-4000-8000-000000000003",
            "resource": {
                "resourceType": "Coverage",
                "id": "c1",
                "status": "active",
                "beneficiary": {"reference": "Patient/p1"},
                "payor": [{"display": "Acme Health"}],
                "subscriberId": "MEMB98765Q",
            },
        },
    ],
}
CSV_HEADER = "Appt ID,Appt Date,Appt Time,Patient Name,DOB,Cell Phone,Status\r\n"
CSV_ROW = f'A1,03/09/2026,9:00 AM,"{CANARY}, Quentin",01/31/1970,(212) 555-0142,Scheduled\r\n'
GOOD_CSV = CSV_HEADER + CSV_ROW


def bundle_with(**changes: Any) -> dict[str, Any]:
    """The good Bundle with ``entry<N>_<element>=value`` changes (None removes the element)."""
    doc = copy.deepcopy(GOOD_BUNDLE)
    for key, value in changes.items():
        entry, element = key.split("_", 1)
        resource = doc["entry"][int(entry.removeprefix("entry"))]["resource"]
        if value is None:
            resource.pop(element, None)
        else:
            resource[element] = value
    return doc


def encoded(doc: dict[str, Any] | str | bytes) -> bytes:
    if isinstance(doc, dict):
        return json.dumps(doc).encode()
    return doc.encode() if isinstance(doc, str) else doc


def read(doc: dict[str, Any] | str | bytes, name: str = "hostile.json", **kw: Any) -> ImportBatch:
    return read_bytes(encoded(doc), name, **kw)


def refusal(
    doc: dict[str, Any] | str | bytes, name: str = "hostile.json", **kw: Any
) -> IngestError:
    """The refusal of a document (fails the test if it is read, or anything else is raised)."""
    try:
        read(doc, name, **kw)
    except IngestError as exc:
        assert str(exc).startswith(name)
        assert CANARY not in str(exc)
        return exc
    raise AssertionError("the document was read")


def crash_reports() -> list[Path]:
    return sorted(paths.log_dir().glob("crash-*.txt"))


def store_dump(conn: Connection) -> dict[str, Any]:
    """Every row of every table, and the schema version: what "writes nothing" compares.

    Each unlock of the profile (the CLI's, and this dump's own) appends an ``unlock_ok``
    audit entry by design: those are left out, every other row counts.
    """
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    dump: dict[str, Any] = {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    dump["audit"] = conn.execute(
        "SELECT seq, event, item_id, details FROM audit WHERE event != 'unlock_ok' ORDER BY seq"
    ).fetchall()
    dump["user_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
    return dump
