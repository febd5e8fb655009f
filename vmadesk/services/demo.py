"""A demo profile: obviously fake work in every lane and state (``vmadesk demo``).

Practices are labelled "(demo)", phone numbers sit in the fictional 555-01xx range, and
patient references start with ``DEMO-``.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.vocabulary import (
    CloseReason,
    EscalationCategory,
    HoldReason,
    Lane,
    Outcome,
    Urgency,
)
from vmadesk.services.escalation import EscalationService, Sbar
from vmadesk.services.item_factory import (
    AppointmentWork,
    CallbackRequest,
    Patient,
    appointment_columns,
    callback_columns,
)
from vmadesk.services.lane_items import add_lane_demo
from vmadesk.services.practice_setup import PracticeContext, add_practice, load_context
from vmadesk.services.work import WorkService
from vmadesk.store import audit, items, practices, settings_store
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import transaction
from vmadesk.store.profile import UnlockedProfile

DEMO_PASSPHRASE = "vmadesk-demo"
DEMO_SOURCE = "demo"
_PRACTICES = (
    ("riverside", "Riverside Family Medicine (demo)", "America/New_York"),
    ("sunset", "Sunset Pediatrics (demo)", "America/Los_Angeles"),
    ("lakeview", "Lakeview Cardiology (demo)", "America/Chicago"),
)
_REASONS = (
    "Question about lab results",
    "Prescription refill request",
    "Wants to reschedule",
    "Billing question",
    "Referral status",
    "Forms to be completed",
    "Medication side effects",
)
_TYPES = ("Annual physical", "Follow-up", "New patient", "Telehealth visit", "Sick visit")
_PAYERS = (
    "Aetna (demo)",
    "BlueCross (demo)",
    "Cigna (demo)",
    "UnitedHealthcare (demo)",
    "Medicare (demo)",
)


def _round_the_clock(tz: str) -> BusinessHours:
    # Demo practices never close, so the demo shows the same mix of due states whatever
    # hour it is run (real practices get Mon-Fri 08:00-17:00 by default).
    day = ((time(0, 0), time(23, 59)),)
    return BusinessHours(tz=tz, weekly={d: day for d in range(7)})


def _offset(rng: random.Random, k: int, lane: Lane) -> timedelta:
    """How far past its SLA anchor an item sits, so each lane shows every due state.

    One in five items is overdue, one in five due soon, the rest on track.
    """
    target = (k // 3) % 5
    soon = {Lane.CALLBACK: 25, Lane.CONFIRMATION: 200, Lane.ELIGIBILITY: 420}[lane]
    if target == 0:
        minutes = -rng.randrange(20, 600)
    elif target == 1:
        minutes = rng.randrange(5, soon)
    else:
        minutes = rng.randrange(soon + 30, soon + 60 * 24 * 4)
    return timedelta(minutes=minutes)


def ensure_practices(profile: UnlockedProfile) -> list[PracticeContext]:
    """The demo practices, created on first use."""
    conn = profile.conn
    with transaction(conn):
        for code, name, tz in _PRACTICES:
            if practices.find_practice(conn, code) is None:
                add_practice(conn, code=code, name=name, hours=_round_the_clock(tz))
    return [
        load_context(conn, practices.find_practice(conn, c).id)  # type: ignore[union-attr]
        for c, _, _ in _PRACTICES
    ]


def _patient(fake: Faker, rng: random.Random, n: int) -> Patient:
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    line = rng.randrange(100, 200)
    return Patient(
        family=fake.last_name(),
        given=fake.first_name(),
        birth_date=birth,
        phone=f"+1{rng.choice(('212', '312', '415', '617'))}555{line:04d}"[:12],
        phone_raw=None,
        ref=f"DEMO-{n:05d}",
    )


def fill_demo(
    profile: UnlockedProfile, *, items: int = 60, seed: int = 7, now: datetime | None = None
) -> dict[str, int]:
    """Add ``items`` demo work items (once per profile) with history in every state.

    Returns:
        Counts of what exists after filling, by lane.
    """
    conn = profile.conn
    vma = settings_store.vma_handle(conn)
    contexts = ensure_practices(profile)
    already = conn.execute(
        "SELECT count(*) FROM items WHERE source_system = ?", (DEMO_SOURCE,)
    ).fetchone()[0]
    if already == 0:
        _add_items(profile, contexts, vma, items, seed, now or datetime.now(UTC))
        add_lane_demo(conn, contexts[0], vma, now or datetime.now(UTC))
    rows = conn.execute("SELECT lane, count(*) FROM items WHERE is_open = 1 GROUP BY lane")
    return {lane: n for lane, n in rows}


def _add_items(
    profile: UnlockedProfile,
    contexts: list[PracticeContext],
    vma: str,
    n: int,
    seed: int,
    now: datetime,
) -> None:
    conn = profile.conn
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    created: list[tuple[int, Lane]] = []
    with transaction(conn):
        for i in range(n):
            ctx = contexts[i % len(contexts)]
            lane = (Lane.CALLBACK, Lane.CONFIRMATION, Lane.ELIGIBILITY)[i % 3]
            patient = _patient(fake, rng, i)
            if lane is Lane.CALLBACK:
                request = CallbackRequest(
                    DEMO_SOURCE,
                    f"cb-{i}",
                    patient,
                    rng.choice(_REASONS),
                    requested_at=now - ctx.policies[lane].due_offset + _offset(rng, i, lane),
                )
                values = callback_columns(ctx, request, owner=vma, now=now)
            else:
                start = now + ctx.policies[lane].due_offset + _offset(rng, i, lane)
                # In the practice's zone, as its system would write it.
                start = start.replace(second=0, microsecond=0).astimezone(ctx.hours.zone)
                work = AppointmentWork(
                    DEMO_SOURCE,
                    f"appt-{i}",
                    patient,
                    start,
                    start + timedelta(minutes=30),
                    rng.choice(_TYPES),
                    f"Dr. {fake.last_name()}",
                    ctx.name.split(" (")[0],
                    rng.choice(_PAYERS),
                    f"DEMO{rng.randrange(10**6, 10**7)}",
                    "PPO (demo)",
                )
                # Imported long ago, as a shift's worth of work is: every due state shows.
                arrived = now - timedelta(days=30)
                values = appointment_columns(ctx, lane, work, owner=vma, now=now, arrived=arrived)
            item_id = items.insert_item(conn, values)
            created.append((item_id, lane))
        audit.append(conn, AuditEvent.IMPORT, details={"source": "demo", "created": n})
    _add_history(profile, created, vma, rng, now)


def _add_history(
    profile: UnlockedProfile,
    created: list[tuple[int, Lane]],
    vma: str,
    rng: random.Random,
    now: datetime,
) -> None:
    """Give some items attempts, holds, outcomes and escalations, as a real shift would."""
    past = {"t": now - timedelta(hours=3)}
    work = WorkService(profile.conn, vma=vma, clock=lambda: past["t"])
    esc = EscalationService(profile.conn, vma=vma, clock=lambda: past["t"])
    states: Counter[str] = Counter()
    for k, (item_id, lane) in enumerate(created):
        past["t"] = now - timedelta(minutes=30 + (k * 7) % 150)
        role = k % 10
        if role in (1, 4):
            work.log_attempt(
                item_id,
                Outcome.NO_ANSWER,
                number_dialled=None,
                note="Rang out, no voicemail set up.",
            )
            states["attempted"] += 1
        if role == 4:
            past["t"] += timedelta(minutes=5)
            work.log_attempt(item_id, Outcome.VOICEMAIL, note="Left callback number only.")
        elif role == 2:
            work.hold(
                item_id,
                now + timedelta(hours=2),
                HoldReason.WAITING_ON_PAYER
                if lane is Lane.ELIGIBILITY
                else HoldReason.WAITING_ON_PATIENT,
                note="Waiting for a call back.",
            )
            states["on_hold"] += 1
        elif role == 5 and lane is Lane.CONFIRMATION:
            work.record_outcome(item_id, Outcome.CONFIRMED, identity_verified=True)
            states["completed"] += 1
        elif role == 5 and lane is Lane.ELIGIBILITY:
            work.record_outcome(
                item_id,
                Outcome.COVERAGE_ACTIVE,
                details={
                    "plan": "PPO (demo)",
                    "copay": "25.00",
                    "deductible_remaining": "300.00",
                    "reference_number": f"REF{rng.randrange(10**5, 10**6)}",
                },
            )
            states["completed"] += 1
        elif role == 7:
            work.cancel(item_id, CloseReason.NO_LONGER_NEEDED, note="Patient already seen.")
        elif role in (3, 8) and k < 40:
            category = (
                EscalationCategory.PAYER_BILLING
                if lane is Lane.ELIGIBILITY
                else EscalationCategory.PATIENT_COMPLAINT
            )
            esc_id = esc.raise_(
                item_id,
                category,
                Urgency.URGENT if role == 3 else Urgency.ROUTINE,
                Sbar(
                    "Patient upset about a bill they did not expect (demo).",
                    "Second call this week.",
                    "Needs a billing specialist.",
                    "Please call the patient back today.",
                ),
            )
            if role == 8:
                esc.acknowledge(esc_id)
            states["escalated"] += 1
