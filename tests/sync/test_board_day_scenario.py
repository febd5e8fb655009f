"""A simulated team day: the board's figures equal what the consoles hold, one owner per item.

Three VMAs and a supervisor on one hub process over loopback (SQLite and PostgreSQL): imports of
overlapping exports, attempts, outcomes, completions, a handoff acknowledged in part, a takeover,
a console offline for part of the day and the hub SIGKILLed in the middle of a sync round (its
answer lost after it committed). Then the board per VMA × lane (open, due soon, overdue, done,
and the attempts of the summaries it is built from) must equal the consoles' own counts, read
through their services, and every distinct appointment must have exactly one holder at the hub:
the VMA whose console counts it.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.support.consoles import TEAM_CODE, TEAM_SECRET, Console, MovableClock, new_console
from tests.support.hub import free_port, start_hub_process
from vmadesk import wire
from vmadesk.domain.handoff_notes import HandoffNote, Priority
from vmadesk.domain.vocabulary import (
    CONTACT_OUTCOMES,
    DeclineReason,
    EscalationCategory,
    Lane,
    Outcome,
    Urgency,
)
from vmadesk.hub.db import make_engine
from vmadesk.hub.routes.board import StoredSummary, effective_summaries
from vmadesk.services.escalation import Sbar
from vmadesk.services.handoff import HandoffService
from vmadesk.services.item_factory import AppointmentWork, Patient, appointment_columns
from vmadesk.services.item_listing import HeldBy, ListFilter, list_items
from vmadesk.services.sync_service import SyncResult, send_handoff, sync_once, takeover
from vmadesk.services.worklist import WorkList
from vmadesk.store import history, items
from vmadesk.store.connection import transaction
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.item_events import item_pseudonym, make_change_hook, record_import

pytestmark = pytest.mark.slow


class Hub:
    """The hub as a child process that can be SIGKILLed and started again on its port."""

    def __init__(self, db_url: str, log_path: Path) -> None:
        self.db_url = db_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_path.open("wb")
        self.proc = start_hub_process(db_url, self.port, self.log)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def restart(self) -> None:
        self.proc = start_hub_process(self.db_url, self.port, self.log)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


class KillAfterCommit(httpx.HTTPTransport):
    """Kills the hub once the first write of a round was committed, before its answer arrives."""

    def __init__(self, hub: Hub) -> None:
        super().__init__()
        self.hub = hub
        self.killed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if not self.killed and request.method == "POST":
            response.read()
            self.killed = True
            self.hub.kill()
            raise httpx.ReadError("the hub died before answering", request=request)
        return response


def import_exports(console: Console, numbers: list[int], hours_ahead: dict[int, int]) -> None:
    """One export's appointments, as the importer stores them (one transaction, change hook)."""
    hook = make_change_hook(console.conn)
    with transaction(console.conn):
        for n in numbers:
            work = AppointmentWork(
                "ehr.day",
                f"APPT-{n}",
                Patient(f"Family{n}", "Ann", phone="+15550000000"),
                console.clock() + timedelta(hours=hours_ahead.get(n, 50 + n % 5)),
            )
            columns = appointment_columns(
                console.ctx, Lane.CONFIRMATION, work, owner=console.vma, now=console.clock()
            )
            record_import(console.conn, items.insert_item(console.conn, columns), hook)


def item_of(console: Console, n: int) -> int:
    row = items.find_by_source(console.conn, "ehr.day", f"APPT-{n}", Lane.CONFIRMATION)
    assert row is not None
    return row.id


def console_figures(console: Console, now: datetime) -> dict[Lane, tuple[int, int, int, int, int]]:
    """(open, due soon, overdue, done, attempts) per lane, from the console's services."""
    counts = WorkList(console.conn, vma=console.vma, clock=lambda: now).lane_counts(now=now)
    done = Counter(i.lane for i in list_items(console.conn, vma=console.vma, which=ListFilter.DONE))
    attempts: Counter[Lane] = Counter()
    for item in list_items(console.conn, vma=console.vma, which=ListFilter.ALL):
        attempts[item.lane] += sum(
            a.author == console.vma and a.outcome in CONTACT_OUTCOMES
            for a in history.attempts_for(console.conn, item.id)
        )
    return {
        lane: (c.open, c.due_soon, c.overdue, done[lane], attempts[lane])
        for lane, c in counts.items()
        if c.open or done[lane] or attempts[lane]
    }


def board_figures(sue: HubClient, vma: str) -> dict[Lane, tuple[int, int, int, int, int]]:
    """The same figures from the board (attempts: the summaries the board is built from)."""
    (row,) = [v for v in sue.board().vmas if v.vma == vma]
    stored = [
        StoredSummary(
            vma,
            int(s.summary.interval_start.timestamp() * 1000),
            int(s.summary.interval_end.timestamp() * 1000),
            s.summary,
        )
        for s in sue.summaries(vma=vma, limit=9999).summaries
    ]
    attempts: Counter[Lane] = Counter()
    for summary in effective_summaries(stored):
        for lane in summary.summary.lanes:
            attempts[lane.lane] += lane.attempts_total
    out = {}
    for lane in row.lanes:
        figures = (
            lane.open,
            lane.due_soon,
            lane.overdue,
            lane.completed_on_time + lane.completed_late,
            attempts[lane.lane],
        )
        if any(figures):
            out[lane.lane] = figures
    return out


def test_a_day_of_team_work_reconciles_with_kills_and_an_offline_console(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.hub.cli import add_user

    tokens = {name: add_user(name, "vma", db_url) for name in ("ana", "ben", "cat")}
    tokens["sue"] = add_user("sue", "supervisor", db_url)
    hub = Hub(db_url, tmp_path / "hub.log")
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5))
    team = {
        name: new_console(
            tmp_path / name,
            name,
            hub_url=hub.url,
            token=tokens[name],
            code=TEAM_CODE,
            clock=clock,
        )
        for name in ("ana", "ben", "cat")
    }
    ana, ben, cat = team["ana"], team["ben"], team["cat"]
    sue = HubClient(hub.url, tokens["sue"], 10.0)
    offline = HubClient(f"http://127.0.0.1:{free_port()}", tokens["cat"], 2.0)

    def sync(console: Console, client: HubClient | None = None) -> SyncResult:
        clock.advance(seconds=2)
        return sync_once(console.profile, client, now=clock())

    soon = {
        3: 1,
        7: 26,
        8: 27,
        12: 1,
        19: 26,
        21: 26,
    }  # some due within the day, some already past due
    try:
        # morning: overlapping exports
        import_exports(ana, list(range(0, 10)), soon)
        sync(ana)
        import_exports(ben, list(range(5, 15)), soon)  # 5-9 are ana's
        sync(ben)
        import_exports(cat, [0, 1, 2, *range(12, 22)], soon)  # 0-2 ana's, 12-14 ben's
        sync(cat)
        # attempts and outcomes
        work = {name: console.work() for name, console in team.items()}
        work["ana"].log_attempt(item_of(ana, 0), Outcome.NO_ANSWER)
        work["ana"].log_attempt(item_of(ana, 1), Outcome.REACHED, identity_verified=True)
        work["ana"].record_outcome(item_of(ana, 1), Outcome.CONFIRMED, identity_verified=True)
        work["ben"].log_attempt(item_of(ben, 10), Outcome.VOICEMAIL)
        work["ben"].complete(item_of(ben, 11))
        for console in (ana, ben):
            sync(console)
        # cat's console goes offline and keeps working
        assert sync(cat, offline).offline
        import_exports(ana, [22, 23], soon)
        sync(ana)
        import_exports(cat, [22, 23], soon)  # offline: it learns they are ana's only later
        work["cat"].log_attempt(item_of(cat, 22), Outcome.NO_ANSWER)
        work["cat"].log_attempt(item_of(cat, 15), Outcome.NO_ANSWER)
        work["cat"].log_attempt(item_of(cat, 16), Outcome.REACHED, identity_verified=True)
        work["cat"].record_outcome(item_of(cat, 16), Outcome.CONFIRMED, identity_verified=True)
        assert sync(cat, offline).offline
        # ana escalates 2, then hands 2, 3 and 4 to ben; ben acknowledges 2, declines the others
        ana.escalations().raise_(
            item_of(ana, 2), EscalationCategory.SCHEDULING_CONFLICT, Urgency.URGENT, Sbar("Two")
        )
        sync(ana)
        notes = {item_of(ana, n): HandoffNote(Priority.ROUTINE, "Not reached") for n in (2, 3, 4)}
        send_handoff(ana.conn, ana.client(), "ben", notes, "Leaving early")
        sync(ben)
        service = HandoffService(ben.conn, vma=ben.vma, clock=clock)
        (incoming,) = service.incoming()
        _, rows = service.packet(incoming.id)
        service.acknowledge(rows[0].id, "Call after lunch")
        for row in rows[1:]:
            service.decline(row.id, DeclineReason.NOT_MY_LANE)
        # the hub dies in the middle of ben's round, after committing, before answering
        killer = KillAfterCommit(hub)
        assert sync(ben, ben.client(transport=killer)).offline
        assert killer.killed
        assert sync(ana).offline  # nobody reaches it while it is down
        hub.restart()
        for console in (ben, ana, ben):
            sync(console)
        work["ben"].log_attempt(item_of(ben, 2), Outcome.NO_ANSWER)  # now ben's
        # afternoon: cat is back, takes over one of ben's items
        sync(cat)
        takeover(cat.conn, cat.client(), item_of(cat, 13), wire.TakeoverReason.PATIENT_CALLED_BACK)
        work["cat"].log_attempt(item_of(cat, 13), Outcome.REACHED, identity_verified=True)
        work["cat"].record_outcome(item_of(cat, 13), Outcome.CONFIRMED, identity_verified=True)
        # end of the day: every console syncs twice (moves learnt, then reported)
        for console in (ana, ben, cat, ana, ben, cat):
            sync(console)
        # each console's last round was at its own time (2 s apart): compare each at that time
        last_round = {"cat": clock(), "ben": clock() - timedelta(seconds=2)}
        last_round["ana"] = clock() - timedelta(seconds=4)
        totals: Counter[str] = Counter()
        for console in (ana, ben, cat):
            mine = console_figures(console, last_round[console.hub_handle])
            assert board_figures(sue, console.hub_handle) == mine, console.hub_handle
            for figures in mine.values():
                totals.update({"open": figures[0], "soon": figures[1], "over": figures[2]})
        # the open escalation went with item 2: the board shows it on ben's row, not ana's
        escalated = {v.vma: v.escalations_open for v in sue.board().vmas}
        assert escalated == {"ana": 0, "ben": 1, "cat": 0}
        assert totals["soon"] and totals["over"]  # the day had urgent work to reconcile
        # distinct appointments 0-23: each held by exactly one console, the hub's holder
        engine = make_engine(db_url)
        try:
            with engine.connect() as conn:
                holders = dict(conn.execute(text("SELECT pseudonym, holder FROM claims")).all())
        finally:
            engine.dispose()
        owners: dict[str, list[str]] = {}
        for console in (ana, ben, cat):
            for item in list_items(console.conn, vma=console.vma, which=ListFilter.ALL):
                if item.held is HeldBy.OTHERS:
                    continue
                code = item_pseudonym(TEAM_SECRET, items.get_item(console.conn, item.id))
                owners.setdefault(code, []).append(console.hub_handle)
        assert len(owners) == 24
        assert {code: who for code, [who] in owners.items()} == {
            code: holders[code] for code in owners
        }
        assert set(holders) == set(owners)
        assert totals["open"] == 24 - 4  # four appointments were completed during the day
    finally:
        sue.close()
        offline.close()
        for console in team.values():
            console.close()
        hub.stop()
