"""Builders shared by service tests: a practice and items on a real encrypted profile."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from tests.support.clock import MovableClock
from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.item_factory import (
    AppointmentWork,
    CallbackRequest,
    Patient,
    appointment_columns,
    callback_columns,
)
from vmadesk.services.practice_setup import PracticeContext, add_practice, load_context
from vmadesk.store import items
from vmadesk.store.connection import Connection, transaction

#: A Tuesday, 15:00 UTC = 10:00 in New York.
NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
CANARY_FAMILY = "Zyxwvutsky"
CANARY_PHONE = "+12125550187"


def practice(conn: Connection, code: str = "p1", tz: str = "America/New_York") -> PracticeContext:
    day = ((time(8, 0), time(17, 0)),)
    with transaction(conn):
        pid = add_practice(
            conn,
            code=code,
            name=f"Practice {code}",
            hours=BusinessHours(tz=tz, weekly={d: day for d in range(5)}),
        )
    return load_context(conn, pid)


def callback(
    conn: Connection,
    ctx: PracticeContext,
    n: int = 1,
    *,
    owner: str = "ana.r",
    family: str = CANARY_FAMILY,
    requested_at: datetime = NOW,
) -> int:
    request = CallbackRequest(
        "test",
        f"cb-{n}",
        Patient(family, "Ann", phone=CANARY_PHONE),
        "Question about results",
        requested_at,
    )
    with transaction(conn):
        return items.insert_item(conn, callback_columns(ctx, request, owner=owner, now=NOW))


def appointment(
    conn: Connection,
    ctx: PracticeContext,
    lane: Lane,
    n: int = 1,
    *,
    owner: str = "ana.r",
    start: datetime | None = None,
) -> int:
    work = AppointmentWork(
        "test",
        f"appt-{n}",
        Patient(CANARY_FAMILY, "Ann", phone=CANARY_PHONE),
        start or NOW + timedelta(days=3),
        payer="Acme Health",
        member_id="M123",
    )
    with transaction(conn):
        return items.insert_item(conn, appointment_columns(ctx, lane, work, owner=owner, now=NOW))


__all__ = ["NOW", "MovableClock"]
