"""FHIR resources, bundles and store dumps the import tests share (canary PHI values)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vmadesk.services import importer
from vmadesk.store.connection import Connection

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "fhir"
#: A Tuesday, 15:00 UTC.
NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
CANARY = "Zyxwvutsky"
CANARY_PHONE_DIGITS = "2125550142"
CANARY_DOB = "1970-01-31"
CANARY_MEMBER = "MEMB98765Q"
CANARIES = (CANARY, CANARY_PHONE_DIGITS, "555-0142", CANARY_DOB, CANARY_MEMBER, "Quentin")


# -- document builders ------------------------------------------------------------------------


def patient(pid: str = "p1", phone: str = "(212) 555-0142") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"use": "official", "family": CANARY, "given": ["Quentin"]}],
        "birthDate": CANARY_DOB,
        "telecom": [{"system": "phone", "value": phone, "use": "mobile"}],
    }


def coverage(cid: str = "c1", pid: str = "p1", member: str = CANARY_MEMBER) -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "id": cid,
        "status": "active",
        "beneficiary": {"reference": f"Patient/{pid}"},
        "subscriberId": member,
        "payor": [{"display": "Acme Health"}],
    }


def appointment(
    aid: str = "a1", *, start: datetime, status: str = "booked", pid: str = "p1"
) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": aid,
        "status": status,
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
        "participant": [
            {"actor": {"reference": f"Patient/{pid}"}, "status": "accepted"},
            {
                "actor": {"reference": "Practitioner/dr1", "display": "Demo, Dana"},
                "status": "accepted",
            },
        ],
    }


def bundle(*resources: dict[str, Any], btype: str = "collection") -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": btype,
        "meta": {"source": "test-ehr"},
        "entry": [{"resource": r} for r in resources],
    }


def visit(
    aid: str = "a1",
    *,
    start: datetime | None = None,
    status: str = "booked",
    pid: str = "p1",
    phone: str = "(212) 555-0142",
) -> list[dict[str, Any]]:
    """An appointment with its patient and coverage."""
    start = start or NOW + timedelta(days=3)
    return [
        appointment(aid, start=start, status=status, pid=pid),
        patient(pid, phone),
        coverage(f"c-{pid}", pid),
    ]


def write(path: Path, doc: dict[str, Any] | str | bytes) -> Path:
    if isinstance(doc, dict):
        doc = json.dumps(doc)
    if isinstance(doc, str):
        doc = doc.encode()
    path.write_bytes(doc)
    return path


def run(target: Any, path: Path, **kw: Any) -> importer.ImportReport:
    kw.setdefault("now", NOW)
    return importer.import_file(target, path, **kw)


def dump(conn: Connection) -> tuple[list[tuple[Any, ...]], int]:
    """Every item row and the audit length: what "imports nothing" compares."""
    rows = conn.execute("SELECT * FROM items ORDER BY id").fetchall()
    audit_n = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    return rows, audit_n


def by_lane(conn: Connection, source_id: str) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT lane, id, status, status_reason, due_at, effective_due, phone, held_seconds"
        " FROM items WHERE source_id = ?",
        (source_id,),
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def assert_no_canary(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text, canary


# -- lanes ---------------------------------------------------------------------------------
