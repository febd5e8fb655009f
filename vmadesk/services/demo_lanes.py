"""Demo work for the prior-authorization and referral lanes: obviously fake, every state.

Pure functions (no database): they return the same records the importers produce, so the
demo profile can add them through the ordinary import path once the lanes are wired. As in
:mod:`vmadesk.services.demo`, payers and practices are labelled "(demo)", phone numbers sit
in the fictional 555-01xx range and patient references start with ``DEMO-``. Times hang off
``now`` so that both clocks show something live: a payer still within its window, one late,
an approval whose re-authorization is near, a referral overdue for scheduling.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from faker import Faker

from vmadesk.domain.instants import as_utc
from vmadesk.domain.medical_codes import ServiceLine
from vmadesk.domain.payer_programs import PaChannel, PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.domain.referral_rules import (
    IncomingState,
    OutgoingState,
    ReferralDirection,
    ReferralFields,
    ReferralState,
    ReferralUrgency,
)
from vmadesk.ingest.lane_records import PriorAuthRecord, ReferralRecord
from vmadesk.ingest.records import PatientRecord

DEMO_SOURCE = "demo"
_SERVICES = (
    (("72148", 1),),  # MRI lumbar spine
    (("97110", 12), ("97140", 4)),  # physical therapy
    (("J1745", 3),),  # infliximab infusion
    (("E0601", 1),),  # CPAP device
    (("0042T", 1),),  # CT perfusion (Category III)
    (("95810", 1),),  # sleep study
)
_DIAGNOSES = (("M54.16",), ("M62.81", "R26.89"), ("K50.90",), ("G47.33",), ("I63.9",), ("E11.9",))
_PAYERS = (
    ("Senior Advantage (demo)", PayerProgram.MEDICARE_ADVANTAGE),
    ("State Medicaid Plan (demo)", PayerProgram.MEDICAID),
    ("Kids CHIP (demo)", PayerProgram.CHIP),
    ("Marketplace Silver (demo)", PayerProgram.EXCHANGE),
    ("Employer PPO (demo)", PayerProgram.COMMERCIAL),
    ("Workers Comp (demo)", PayerProgram.OTHER),
)
_PROVIDERS = ("Dr. Avery Demo", "Dr. Jordan Sample", "Dr. Riley Example")
_SPECIALISTS = (
    ("Dr. Morgan Bone", "Orthopedics (demo)", "Orthopedics", "Knee pain, evaluate for surgery"),
    ("Dr. Casey Heart", "Cardiology (demo)", "Cardiology", "Exertional chest pain"),
    ("Dr. Sam Skin", "Dermatology (demo)", "Dermatology", "Changing mole"),
    ("Dr. Lee Gut", "Gastroenterology (demo)", "Gastroenterology", "Screening colonoscopy"),
)


def _patients(seed: int, count: int, prefix: str) -> list[PatientRecord]:
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return [
        PatientRecord(
            source_id=f"DEMO-{prefix}{n:04d}",
            family=fake.last_name(),
            given=fake.first_name(),
            birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80)),
            phone_e164=f"+1{rng.choice(('212', '312', '415', '617'))}5550{rng.randrange(100, 200)}",
            phone_raw=None,
        )
        for n in range(count)
    ]


def demo_prior_auths(now: datetime, seed: int = 7) -> tuple[PriorAuthRecord, ...]:
    """One demo PA per state (two for "submitted": one within the payer's window, one late).

    Args:
        now: The demo's present (timezone-aware).
        seed: Seeds the fake names.
    """
    now = as_utc(now, "now")
    today = now.date()
    plans: list[tuple[PaState, dict[str, object]]] = [
        (PaState.NEEDS_SUBMISSION, {}),
        (PaState.GATHERING_DOCUMENTS, {}),
        (PaState.SUBMITTED, {"submitted_at": now - timedelta(days=2)}),
        # Past the 7 calendar days of the CMS rule: the payer is late.
        (PaState.SUBMITTED, {"submitted_at": now - timedelta(days=9),
                             "program": PayerProgram.MEDICARE_ADVANTAGE}),
        (PaState.PENDED, {"submitted_at": now - timedelta(hours=30),
                          "urgency": PaUrgency.EXPEDITED}),
        (PaState.MORE_INFO_REQUESTED, {"submitted_at": now - timedelta(days=3)}),
        (PaState.APPROVED, {"auth_number": "DEMO-A1001", "valid_from": today,
                            "valid_to": today + timedelta(days=10)}),  # re-auth near
        (PaState.PARTIALLY_APPROVED, {"auth_number": "DEMO-A1002", "units_approved": 8,
                                      "valid_from": today, "valid_to": today + timedelta(days=60),
                                      "denial_reason": "A6"}),
        (PaState.DENIED, {"denial_reason": "A3", "appeal_deadline": now + timedelta(days=40)}),
        (PaState.APPEAL_SUBMITTED, {"denial_reason": "A3",
                                    "submitted_at": now - timedelta(days=5)}),
        (PaState.CLOSED, {"denial_reason": "A3"}),
        (PaState.NOT_REQUIRED, {}),
        (PaState.EXPIRED, {"auth_number": "DEMO-A1003", "valid_from": today - timedelta(days=90),
                           "valid_to": today - timedelta(days=1)}),
        (PaState.EXHAUSTED, {"auth_number": "DEMO-A1004", "units_used": 12,
                             "valid_from": today - timedelta(days=30),
                             "valid_to": today + timedelta(days=60)}),
    ]  # fmt: skip
    patients = _patients(seed, len(plans), "PA")
    records = []
    for n, ((state, extra), patient) in enumerate(zip(plans, patients, strict=True)):
        payer, program = _PAYERS[n % len(_PAYERS)]
        values: dict[str, object] = {
            "program": program,
            "payer": payer if "program" not in extra else "Senior Advantage (demo)",
            "services": tuple(ServiceLine(c, u) for c, u in _SERVICES[n % len(_SERVICES)]),
            "diagnoses": _DIAGNOSES[n % len(_DIAGNOSES)],
            "ordering_provider": _PROVIDERS[n % len(_PROVIDERS)],
            "service_from": today + timedelta(days=7 + n),
            "urgency": PaUrgency.STANDARD,
        }
        values.update(extra)
        if values.get("submitted_at") is not None or values.get("auth_number"):
            values.setdefault(
                "channel", (PaChannel.PORTAL, PaChannel.FAX, PaChannel.X12_278)[n % 3]
            )
            values.setdefault("submitted_at", now - timedelta(days=6))
            values["payer_reference"] = f"DEMO-T{n:04d}"
        fields = PriorAuthFields(**values)  # type: ignore[arg-type]
        records.append(PriorAuthRecord(DEMO_SOURCE, f"DEMO-PA-{n:04d}", patient, state, fields,
                                       f"demo {n}"))  # fmt: skip
    return tuple(records)


def demo_referrals(now: datetime, seed: int = 11) -> tuple[ReferralRecord, ...]:
    """One demo referral per outgoing and incoming state, plus one overdue for scheduling.

    Args:
        now: The demo's present (timezone-aware).
        seed: Seeds the fake names.
    """
    now = as_utc(now, "now")
    day = timedelta(days=1)
    out: list[tuple[ReferralState, dict[str, object]]] = [
        (OutgoingState.SENT, {"sent_at": now - day}),
        (OutgoingState.SENT, {"sent_at": now - 20 * day}),  # no visit by its due time
        (OutgoingState.RECEIVED_BY_SPECIALIST, {"sent_at": now - 5 * day,
                                                "urgency": ReferralUrgency.URGENT}),
        (OutgoingState.APPOINTMENT_SCHEDULED, {"sent_at": now - 6 * day,
                                               "appointment_at": now + 4 * day}),
        (OutgoingState.VISIT_DONE, {"sent_at": now - 30 * day, "appointment_at": now - 12 * day,
                                    "visit_on": (now - 12 * day).date()}),
        (OutgoingState.LOOP_CLOSED, {"sent_at": now - 45 * day, "appointment_at": now - 30 * day,
                                     "visit_on": (now - 30 * day).date(),
                                     "report_received_on": (now - 20 * day).date()}),
        (OutgoingState.DECLINED, {"sent_at": now - 8 * day}),
        (OutgoingState.PATIENT_DECLINED, {"sent_at": now - 9 * day}),
        (OutgoingState.CANCELLED, {"sent_at": now - 10 * day}),
    ]  # fmt: skip
    incoming: list[tuple[ReferralState, dict[str, object]]] = [
        (IncomingState.RECEIVED, {"sent_at": now - timedelta(hours=3),
                                  "urgency": ReferralUrgency.STAT}),
        (IncomingState.TRIAGED, {"sent_at": now - day}),
        (IncomingState.PATIENT_CONTACTED, {"sent_at": now - 4 * day}),
        (IncomingState.SCHEDULED, {"sent_at": now - 6 * day, "appointment_at": now + 3 * day}),
        (IncomingState.DECLINED, {"sent_at": now - 2 * day}),
        (IncomingState.CANCELLED, {"sent_at": now - 7 * day}),
    ]  # fmt: skip
    patients = _patients(seed, len(out) + len(incoming), "RF")
    records = []
    for n, ((state, extra), patient) in enumerate(zip(out + incoming, patients, strict=True)):
        person, practice, specialty, reason = _SPECIALISTS[n % len(_SPECIALISTS)]
        outgoing = isinstance(state, OutgoingState)
        values: dict[str, object] = {
            "direction": ReferralDirection.OUTGOING if outgoing else ReferralDirection.INCOMING,
            "reason": reason,
            "specialty": specialty,
            "referred_to_practitioner": person if outgoing else None,
            "referred_to_organization": practice if outgoing else None,
            "referred_by": None if outgoing else _PROVIDERS[n % len(_PROVIDERS)],
        }
        values.update(extra)
        fields = ReferralFields(**values)  # type: ignore[arg-type]
        records.append(ReferralRecord(DEMO_SOURCE, f"DEMO-RF-{n:04d}", patient, state, fields,
                                      f"demo {n}"))  # fmt: skip
    return tuple(records)
