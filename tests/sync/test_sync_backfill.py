"""The one-time backfill: work from before enrolment reaches a real hub, once per enrolment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.consoles import TEAM_SECRET, Console, new_console
from tests.support.hub import HubFixture, ThreadedHub
from vmadesk.domain.vocabulary import EscalationCategory, Outcome, Urgency
from vmadesk.hub import auth
from vmadesk.hub.db import make_engine
from vmadesk.services.backfill import BACKFILL_SETTING, backfill_due, run_backfill
from vmadesk.services.enrolment import enroll
from vmadesk.services.escalation import Sbar
from vmadesk.services.sync_service import sync_once
from vmadesk.store import settings_store
from vmadesk.store.connection import transaction
from vmadesk.sync import enrolment, outbox
from vmadesk.sync.item_events import make_change_hook, make_escalation_hook
from vmadesk.sync.worker import SyncWorker, read_status

SBAR = Sbar("Situation.", "Background.", "Assessment.", "Request.")


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """A VMA's profile that has worked for a while without being enrolled anywhere."""
    c = new_console(tmp_path / "ana", "ana")
    yield c
    c.close()


def _work_before_enrolment(c: Console) -> list[int]:
    """Five items (one completed, four open), one raised and one acknowledged escalation."""
    assert make_change_hook(c.conn) is None  # not enrolled: nothing can be queued
    ids = c.import_appointments(range(5))
    c.work().record_outcome(ids[0], Outcome.CONFIRMED, identity_verified=True)
    esc = c.escalations()
    esc.raise_(ids[1], EscalationCategory.PATIENT_COMPLAINT, Urgency.URGENT, SBAR)
    second = esc.raise_(ids[2], EscalationCategory.PAYER_BILLING, Urgency.ROUTINE, SBAR)
    esc.acknowledge(second)
    assert outbox.pending_count(c.conn) == 0
    return ids


def _outbox_kinds(c: Console) -> list[str]:
    return [row[0] for row in c.conn.execute("SELECT kind FROM outbox ORDER BY id")]


def test_work_before_enrolment_reaches_the_hub_once(console, hub) -> None:  # type: ignore[no-untyped-def]
    _work_before_enrolment(console)
    # enrolled, but the team secret is not there yet: nothing can be pseudonymised
    result = enroll(console.conn, hub.base_url, hub.tokens["ana"])
    assert result.team_secret_source == "missing"
    assert not backfill_due(console.conn) and outbox.pending_count(console.conn) == 0
    # the supervisor issues the secret; the next sync fetches it and backfills in that round
    enrolment.issue_team_secret(None, hub.client("sue"), ["ana"], secret=TEAM_SECRET)
    first = sync_once(console.profile)
    assert first.error is None and first.pending == 0
    assert hub.count("claims") == 4  # the four open items this VMA owns
    assert hub.count("escalations") == 2  # raised and acknowledged: both open
    assert hub.count("summaries") == 1
    assert _outbox_kinds(console).count("claim") == 4
    assert not backfill_due(console.conn)
    # a second round adds nothing: no new rows, nothing new at the hub
    before = len(_outbox_kinds(console))
    again = sync_once(console.profile, summary_every=None)
    assert (again.sent, again.pending, again.rejected) == (0, 0, 0)
    assert len(_outbox_kinds(console)) == before
    assert (hub.count("claims"), hub.count("escalations")) == (4, 2)
    assert hub.count("item_events") == 2  # the escalated events, nothing twice


def test_enrolment_with_the_secret_backfills_at_once(console, hub) -> None:  # type: ignore[no-untyped-def]
    _work_before_enrolment(console)
    code = enrolment.team_secret_code(TEAM_SECRET)
    enroll(console.conn, hub.base_url, hub.tokens["ana"], team_secret_code=code)
    # queued by enroll itself, in the enrolment's transaction
    assert sorted(_outbox_kinds(console)) == sorted(
        ["claim"] * 4 + ["escalation", "item_event"] * 2 + ["summary"]
    )
    assert not backfill_due(console.conn)
    assert sync_once(console.profile).pending == 0
    assert (hub.count("claims"), hub.count("escalations")) == (4, 2)


def test_enrolment_at_another_hub_backfills_again(console, hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _work_before_enrolment(console)
    code = enrolment.team_secret_code(TEAM_SECRET)
    enroll(console.conn, hub.base_url, hub.tokens["ana"], team_secret_code=code)
    assert sync_once(console.profile).pending == 0
    db = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    second = ThreadedHub(db).start()
    engine = make_engine(db)
    try:
        with engine.begin() as conn:
            token = auth.create_account(conn, "ana", "vma")
        other = HubFixture(second.base_url, db, engine)
        with pytest.raises(enrolment.EnrolmentRefused):
            enroll(console.conn, other.base_url, token, team_secret_code=code)
        enroll(console.conn, other.base_url, token, team_secret_code=code, replace=True)
        marker = settings_store.get(console.conn, BACKFILL_SETTING)
        assert marker == f"{other.base_url} ana"
        assert sync_once(console.profile).pending == 0
        assert other.count("claims") == 4
    finally:
        second.stop()
        engine.dispose()


def test_backfill_needs_a_vma_profile_able_to_send(console) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError):  # its rows and its marker commit together
        run_backfill(console.conn, now=console.clock())
    with transaction(console.conn):
        assert run_backfill(console.conn, now=console.clock()) is None  # not enrolled


def test_hooks_built_before_the_secret_start_queueing_when_it_arrives(console, hub) -> None:  # type: ignore[no-untyped-def]
    enroll(console.conn, hub.base_url, hub.tokens["ana"])
    # a console opened now builds its hooks once, while the secret is still missing
    change_hook, escalation_hook = (
        make_change_hook(console.conn),
        make_escalation_hook(console.conn),
    )
    assert change_hook is not None and escalation_hook is not None
    (early,) = console.import_appointments([1])
    assert outbox.pending_count(console.conn) == 0  # no pseudonyms yet
    enrolment.issue_team_secret(None, hub.client("sue"), ["ana"], secret=TEAM_SECRET)
    assert sync_once(console.profile).pending == 0  # fetched the secret, backfilled `early`
    (late,) = console.import_appointments([2])  # the same console, hooks not rebuilt
    assert _outbox_kinds(console)[-2:] == ["item_event", "claim"]
    assert sync_once(console.profile).pending == 0
    assert hub.count("claims") == 2 and early != late


def test_worker_fetches_a_missing_secret(console, hub) -> None:  # type: ignore[no-untyped-def]
    enroll(console.conn, hub.base_url, hub.tokens["ana"])
    assert read_status(console.conn).state == "no_team_secret"
    enrolment.issue_team_secret(None, hub.client("sue"), ["ana"], secret=TEAM_SECRET)
    rounds: list[object] = []

    def run_round(conn):  # type: ignore[no-untyped-def]
        rounds.append(conn)
        return sync_once(conn, force=False)

    worker = SyncWorker(lambda: console.conn, run_round, lambda _s: None)
    status = worker._round(console.conn)
    assert rounds, "a round runs although the secret was missing"
    assert status.state == "synced" and enrolment.team_secret(console.conn) == TEAM_SECRET
