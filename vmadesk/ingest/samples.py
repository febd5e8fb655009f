"""Obviously fake exports for benchmarks, demos and tests.

Names come from Faker; every phone number is in the fictional 555-0100…555-0199 range;
ids are prefixed ``demo-``. Faker is imported inside the functions: it is a dependency of
the demo and the benchmarks, not of reading real files.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

_AREA_CODES = ("212", "312", "415", "617", "713")
_PAYERS = ("Demo Health Plan", "Example Mutual", "Sample Care PPO", "Fictional Medicaid")
_TYPES = ("Follow-up", "New patient", "Annual physical", "Telehealth")
_STATUSES = ("booked", "booked", "booked", "pending", "cancelled", "noshow", "fulfilled")
_TZ = timezone(timedelta(hours=-5))


def _faker(seed: int) -> Any:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    return fake


def _phone(rng: random.Random) -> str:
    return f"({rng.choice(_AREA_CODES)}) 555-01{rng.randrange(100):02d}"


def _when(rng: random.Random, i: int) -> datetime:
    day = date(2026, 3, 9) + timedelta(days=i // 40)
    minutes = 8 * 60 + 15 * rng.randrange(36)
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=_TZ)


def make_fhir_bundle(n: int, seed: int = 0) -> dict[str, Any]:
    """A FHIR R4 searchset Bundle of ``n`` Appointments with their Patients and Coverages.

    Patients and coverages are referenced by ``urn:uuid`` fullUrls, practitioners as
    relative ``Practitioner/…`` references, so readers exercise several reference shapes.

    Args:
        n: Number of appointments.
        seed: Same seed, same bundle.

    Returns:
        The Bundle as a JSON-ready dict (``json.dumps`` it to get a file).
    """
    fake, rng = _faker(seed), random.Random(seed)
    ids = uuid.UUID(int=rng.getrandbits(128))
    entries: list[dict[str, Any]] = []
    practitioners = []
    for p in range(5):
        pid = f"demo-pr{p}"
        practitioners.append((pid, fake.last_name(), fake.first_name()))
        entries.append(
            {
                "fullUrl": f"https://demo.invalid/fhir/Practitioner/{pid}",
                "resource": {
                    "resourceType": "Practitioner",
                    "id": pid,
                    "name": [{"family": practitioners[-1][1], "given": [practitioners[-1][2]]}],
                },
                "search": {"mode": "include"},
            }
        )
    for i in range(n):
        patient_url = f"urn:uuid:{uuid.uuid5(ids, f'patient-{i}')}"
        start = _when(rng, i)
        pract = practitioners[rng.randrange(len(practitioners))]
        entries.append(
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(ids, f'appointment-{i}')}",
                "resource": {
                    "resourceType": "Appointment",
                    "id": f"demo-a{i}",
                    "status": rng.choice(_STATUSES),
                    "appointmentType": {"text": rng.choice(_TYPES)},
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=20)).isoformat(),
                    "participant": [
                        {"actor": {"reference": patient_url}, "status": "accepted"},
                        {"actor": {"reference": f"Practitioner/{pract[0]}"}, "status": "accepted"},
                        {
                            "actor": {"reference": "Location/demo-l1", "display": "Demo Clinic"},
                            "status": "accepted",
                        },
                    ],
                },
                "search": {"mode": "match"},
            }
        )
        entries.append(
            {
                "fullUrl": patient_url,
                "resource": {
                    "resourceType": "Patient",
                    "id": f"demo-p{i}",
                    "name": [
                        {
                            "use": "official",
                            "family": fake.last_name(),
                            "given": [fake.first_name()],
                        }
                    ],
                    "birthDate": fake.date_of_birth(minimum_age=1, maximum_age=95).isoformat(),
                    "telecom": [
                        {"system": "phone", "value": _phone(rng), "use": "mobile"},
                        {"system": "phone", "value": _phone(rng), "use": "home"},
                    ],
                },
                "search": {"mode": "include"},
            }
        )
        entries.append(
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(ids, f'coverage-{i}')}",
                "resource": {
                    "resourceType": "Coverage",
                    "id": f"demo-c{i}",
                    "status": "active",
                    "beneficiary": {"reference": patient_url},
                    "subscriberId": f"DEMO{rng.randrange(10**8):08d}",
                    "payor": [{"display": rng.choice(_PAYERS)}],
                },
                "search": {"mode": "include"},
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "meta": {"source": "demo"},
        "total": n,
        "entry": entries,
    }


def make_csv(n: int, seed: int = 0) -> str:
    r"""An appointment report CSV of ``n`` rows, headers as a common PM system writes them.

    Args:
        n: Number of rows.
        seed: Same seed, same file.

    Returns:
        The CSV text (comma-delimited, ``\\r\\n`` line ends).
    """
    fake, rng = _faker(seed), random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Appt ID",
            "Appt Date",
            "Appt Time",
            "Patient Name",
            "DOB",
            "Cell Phone",
            "Home Phone",
            "Provider",
            "Appt Type",
            "Primary Insurance",
            "Member ID",
            "Status",
        ]
    )
    for i in range(n):
        start = _when(rng, i)
        writer.writerow(
            [
                f"demo-{i}",
                start.strftime("%m/%d/%Y"),
                start.strftime("%I:%M %p").lstrip("0"),
                f"{fake.last_name()}, {fake.first_name()}",
                fake.date_of_birth(minimum_age=1, maximum_age=95).strftime("%m/%d/%Y"),
                _phone(rng),
                _phone(rng),
                f"Dr. {fake.last_name()}",
                rng.choice(_TYPES),
                rng.choice(_PAYERS),
                f"DEMO{rng.randrange(10**8):08d}",
                rng.choice(("Scheduled", "Confirmed", "Cancelled", "No Show", "Checked In")),
            ]
        )
    return out.getvalue()
