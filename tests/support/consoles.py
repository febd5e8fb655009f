"""Consoles for sync tests: real encrypted profiles, a practice, items carrying PHI canaries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.support.clock import MovableClock
from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.enrolment import enroll
from vmadesk.services.escalation import EscalationService
from vmadesk.services.item_factory import AppointmentWork, Patient, appointment_columns
from vmadesk.services.practice_setup import PracticeContext, add_practice, load_context
from vmadesk.services.work import WorkService
from vmadesk.store import items
from vmadesk.store import profile as profiles
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.settings_store import vma_handle
from vmadesk.sync import enrolment
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.item_events import make_change_hook, make_escalation_hook, record_import

#: A Tuesday, 15:00 UTC.
NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
TEAM_SECRET = bytes(range(100, 132))
TEAM_CODE = enrolment.team_secret_code(TEAM_SECRET)

CANARY_FAMILY = "Zebulon"
CANARY_GIVEN = "Quackenbush"
CANARY_PHONE = "+15558675309"
CANARY_PHONE_RAW = "555-867-5309"
CANARY_DOB = date(1961, 7, 4)
CANARY_MEMBER = "MBR88771234"
CANARY_MRN = "MRNCANARY77"
CANARY_SOURCE = "APPTCANARY"
# The "." keeps this name out of any base64 or hex text the hub stores by chance.
CANARY_SOURCE_SYSTEM = "ehr.canary"
CANARY_PAYER = "Gringotts Mutual"
CANARIES = [
    CANARY_FAMILY,
    CANARY_GIVEN,
    CANARY_PHONE,
    CANARY_PHONE_RAW,
    "5558675309",
    "1961-07-04",
    CANARY_MEMBER,
    CANARY_MRN,
    CANARY_SOURCE,
    CANARY_PAYER,
]


def add_test_practice(conn: Connection, code: str = "p1") -> PracticeContext:
    day = ((time(0, 0), time(23, 59)),)
    with transaction(conn):
        pid = add_practice(
            conn,
            code=code,
            name=f"Practice {code}",
            hours=BusinessHours(tz="America/New_York", weekly={d: day for d in range(7)}),
        )
    return load_context(conn, pid)


@dataclass
class Console:
    """One VMA's console: an unlocked profile, a practice, a clock."""

    profile: profiles.UnlockedProfile
    hub_handle: str
    clock: MovableClock
    ctx: PracticeContext
    clients: list[HubClient] = field(default_factory=list)

    @property
    def conn(self) -> Connection:
        return self.profile.conn

    @property
    def vma(self) -> str:
        """The profile's handle, read now: enrolment makes it the hub handle."""
        return vma_handle(self.conn)

    def work(self, conn: Connection | None = None) -> WorkService:
        conn = conn or self.conn
        return WorkService(
            conn, vma=vma_handle(conn), clock=self.clock, on_change=make_change_hook(conn)
        )

    def escalations(self) -> EscalationService:
        return EscalationService(
            self.conn, vma=self.vma, clock=self.clock, on_change=make_escalation_hook(self.conn)
        )

    def client(self, transport: httpx.BaseTransport | None = None) -> HubClient:
        config = enrolment.hub_config(self.conn)
        assert config is not None
        client = HubClient(config.url, config.token, 10.0, transport=transport)
        self.clients.append(client)
        return client

    def import_appointments(
        self,
        numbers: range | list[int],
        lane: Lane = Lane.CONFIRMATION,
        *,
        conn: Connection | None = None,
        canary: bool = True,
    ) -> list[int]:
        """Insert appointment items and call the change hook, one transaction for all."""
        conn = conn or self.conn
        hook = make_change_hook(conn)
        ids = []
        with transaction(conn):
            for n in numbers:
                patient = Patient(
                    CANARY_FAMILY if canary else f"Family{n}",
                    CANARY_GIVEN if canary else "Ann",
                    birth_date=CANARY_DOB,
                    phone=CANARY_PHONE,
                    phone_raw=CANARY_PHONE_RAW,
                    ref=CANARY_MRN,
                )
                work = AppointmentWork(
                    CANARY_SOURCE_SYSTEM,
                    f"{CANARY_SOURCE}-{n}",
                    patient,
                    self.clock() + timedelta(days=2, hours=n % 7),
                    payer=CANARY_PAYER,
                    member_id=CANARY_MEMBER,
                    appointment_type="Annual physical",
                )
                item_id = items.insert_item(
                    conn,
                    appointment_columns(
                        self.ctx, lane, work, owner=vma_handle(conn), now=self.clock()
                    ),
                )
                record_import(conn, item_id, hook)
                ids.append(item_id)
        return ids

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.profile.close()


def new_console(
    directory: Path,
    hub_handle: str,
    *,
    hub_url: str | None = None,
    token: str | None = None,
    code: str | None = TEAM_CODE,
    clock: MovableClock | None = None,
) -> Console:
    """A fresh profile; enrolled at ``hub_url`` (for real) when given."""
    profile, _ = profiles.create(
        directory, PASSPHRASE, vma_handle=f"{hub_handle}.r", keychain_choice="no", kdf=FAST_KDF
    )
    ctx = add_test_practice(profile.conn)
    if hub_url is not None:
        assert token is not None
        enroll(profile.conn, hub_url, token, team_secret_code=code)
    return Console(profile, hub_handle, clock or MovableClock(NOW), ctx)


def offline_enrol(conn: Connection, url: str = "http://127.0.0.1:9", handle: str = "ana") -> None:
    """Store an enrolment without a hub (for tests of the console side alone)."""
    with transaction(conn):
        for key, value in (("hub.url", url), ("hub.handle", handle), ("hub.role", "vma")):
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
        conn.execute("INSERT INTO secrets (name, value) VALUES ('hub_token', ?)", (b"t" * 43,))
        enrolment.store_team_secret(conn, TEAM_SECRET)


class RecordingTransport(httpx.HTTPTransport):
    """Records every request and response body; ``after`` may act (and raise) per response."""

    def __init__(self, after: Callable[[httpx.Request, httpx.Response], None] | None = None):
        super().__init__()
        self.bodies: list[bytes] = []
        self.urls: list[str] = []
        self.after = after
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = super().handle_request(request)
        response.read()
        with self.lock:
            self.urls.append(str(request.url))
            self.bodies.append(body)
            self.bodies.append(response.content)
        if self.after is not None:
            self.after(request, response)
        return response
