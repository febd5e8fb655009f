"""Simulated consoles: post PHI-free summaries, events and escalations to a real hub."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.hub.conftest import HubFixture, ThreadedHub
from vmadesk import wire
from vmadesk.domain.vocabulary import DueState, EscalationCategory, Lane, Outcome, Urgency
from vmadesk.hub.db import make_engine
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.pseudonym import pseudonym

SECRET = b"t" * 32


def pn(handle: str, i: int | str) -> str:
    return pseudonym(SECRET, "ehr", f"{handle}-{i}")


def env(message) -> wire.Envelope:  # type: ignore[no-untyped-def]
    return wire.Envelope(idempotency_key=str(uuid.uuid4()), message=message)


def lane_summary(
    lane: Lane,
    *,
    on_track: int = 2,
    due_soon: int = 1,
    overdue: int = 0,
    on_time: int = 3,
    late: int = 0,
    carried: int = 0,
    median_s: int | None = 600,
) -> wire.LaneSummary:
    return wire.LaneSummary(
        lane=lane,
        by_due_state={
            DueState.ON_TRACK: on_track,
            DueState.DUE_SOON: due_soon,
            DueState.OVERDUE: overdue,
        },
        completed_on_time=on_time,
        completed_late=late,
        first_attempt_median_s=median_s,
        carried_over=carried,
    )


@dataclass
class Console:
    """One VMA's console talking to the hub with its own token."""

    handle: str
    client: HubClient

    def summary(self, lanes: list[wire.LaneSummary], *, days_ago: int = 0) -> None:
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
        body = wire.Summary(
            interval_start=end - timedelta(hours=8),
            interval_end=end,
            lanes=lanes,
            audit_head=wire.AuditHead(seq=1, hash="b" * 64),
        )
        self.client.send([env(body)])

    def completed(self, i: int, lane: Lane = Lane.CONFIRMATION, *, late: bool = False) -> str:
        p = pn(self.handle, i)
        events = [
            wire.ItemEvent(
                pseudonym=p, lane=lane, event=wire.ItemEventKind.IMPORTED, seconds_from_due=-90_000
            ),
            wire.ItemEvent(
                pseudonym=p,
                lane=lane,
                event=wire.ItemEventKind.FIRST_ATTEMPT,
                outcome=Outcome.VOICEMAIL,
                seconds_from_due=-80_000,
                attempt_count=1,
            ),
            wire.ItemEvent(
                pseudonym=p,
                lane=lane,
                event=wire.ItemEventKind.COMPLETED,
                outcome=Outcome.CONFIRMED if lane is Lane.CONFIRMATION else None,
                seconds_from_due=3_600 if late else -70_000,
                attempt_count=2,
            ),
        ]
        self.client.send([env(e) for e in events])
        return p

    def escalate(
        self,
        i: int,
        urgency: Urgency = Urgency.URGENT,
        category: EscalationCategory = EscalationCategory.PATIENT_COMPLAINT,
        lane: Lane = Lane.CALLBACK,
    ) -> str:
        escalation_id = str(uuid.uuid4())
        self.client.send(
            [
                env(
                    wire.EscalationRaised(
                        escalation_id=escalation_id,
                        category=category,
                        urgency=urgency,
                        lane=lane,
                        pseudonym=pn(self.handle, f"e{i}"),
                        age_seconds=1800,
                    )
                )
            ]
        )
        return escalation_id


def fill_team(hub) -> dict[str, Console]:  # type: ignore[no-untyped-def]
    """ana overloaded in callbacks, ben fine: summaries over three weeks, events, escalations."""
    consoles = {name: Console(name, hub.client(name)) for name in ("ana", "ben")}
    ana, ben = consoles["ana"], consoles["ben"]
    for days_ago in range(20, -1, -1):
        ana.summary(
            [
                lane_summary(
                    Lane.CALLBACK,
                    overdue=2 + (20 - days_ago) // 4,
                    on_time=3,
                    late=2,
                    carried=2,
                    median_s=9_000,
                ),
                lane_summary(Lane.CONFIRMATION, on_time=5),
            ],
            days_ago=days_ago,
        )
        ben.summary([lane_summary(Lane.ELIGIBILITY, on_time=4, late=0)], days_ago=days_ago)
    for i in range(6):
        ana.completed(i)
    ben.completed(100, Lane.ELIGIBILITY, late=True)
    ana.escalate(1, Urgency.ROUTINE)
    ana.escalate(2, Urgency.URGENT, EscalationCategory.DEADLINE_AT_RISK)
    ben.escalate(3, Urgency.URGENT, EscalationCategory.PAYER_BILLING, Lane.ELIGIBILITY)
    return consoles


@contextlib.contextmanager
def sqlite_hub(directory: Path) -> Iterator[HubFixture]:
    """A real hub (uvicorn, loopback) on SQLite with ana, ben (vma) and sue (supervisor)."""
    db_url = f"sqlite:///{directory / 'hub.sqlite3'}"
    server = ThreadedHub(db_url).start()
    engine = make_engine(db_url)
    fixture = HubFixture(server.base_url, db_url, engine)
    for name, role in (("ana", "vma"), ("ben", "vma"), ("sue", "supervisor")):
        fixture.add(name, role)
    try:
        yield fixture
    finally:
        for client in fixture.clients:
            client.close()
        server.stop()
        engine.dispose()
