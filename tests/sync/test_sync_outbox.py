"""The outbox and what feeds it, on a real encrypted profile (no hub needed)."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from tests.support.consoles import (
    CANARIES,
    NOW,
    MovableClock,
    add_test_practice,
    offline_enrol,
)
from tests.support.consoles import Console as _Console
from vmadesk import wire
from vmadesk.domain.vocabulary import (
    CloseReason,
    EscalationCategory,
    Lane,
    Outcome,
    Urgency,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.escalation import Sbar
from vmadesk.store import audit, items
from vmadesk.store.connection import transaction
from vmadesk.store.timestamps import from_db
from vmadesk.sync import outbox
from vmadesk.sync.item_events import item_pseudonym, make_change_hook
from vmadesk.sync.summary import build_summary


@pytest.fixture
def console(new_profile):  # type: ignore[no-untyped-def]
    offline_enrol(new_profile.conn)
    ctx = add_test_practice(new_profile.conn)
    return _Console(new_profile, "ana", MovableClock(NOW), ctx)


def _rows(conn):  # type: ignore[no-untyped-def]
    return conn.execute("SELECT kind, payload_json FROM outbox ORDER BY id").fetchall()


def test_not_enrolled_means_no_hook(new_profile) -> None:  # type: ignore[no-untyped-def]
    assert make_change_hook(new_profile.conn) is None


def test_import_queues_event_and_claim(console) -> None:  # type: ignore[no-untyped-def]
    (item_id,) = console.import_appointments([1])
    rows = _rows(console.conn)
    assert [k for k, _ in rows] == ["item_event", "claim"]
    event = wire.ItemEvent.model_validate_json(rows[0][1])
    item = items.get_item(console.conn, item_id)
    assert event.event is wire.ItemEventKind.IMPORTED
    assert event.pseudonym == item_pseudonym(bytes(range(100, 132)), item)
    # times relative to due: the item was imported two days (and some hours) before it is due
    assert event.seconds_from_due == round((NOW - item.effective_due).total_seconds())
    assert event.seconds_from_due < 0
    assert json.loads(rows[1][1]) == {"pseudonym": event.pseudonym}
    claim = console.conn.execute("SELECT state FROM claims WHERE item_id = ?", (item_id,))
    assert claim.fetchone()[0] == "pending"
    for _, payload in rows:
        for canary in CANARIES:
            assert canary not in payload


def test_change_and_outbox_share_one_transaction(console) -> None:  # type: ignore[no-untyped-def]
    (item_id,) = console.import_appointments([1], Lane.CONFIRMATION)
    before = len(_rows(console.conn))
    seq = audit.head(console.conn).seq
    work = console.work()
    inner = work.on_change
    assert inner is not None

    def failing(conn, item, action, details):  # type: ignore[no-untyped-def]
        inner(conn, item, action, details)  # the outbox row is written …
        raise RuntimeError("disk full")  # … and the change fails afterwards

    work.on_change = failing
    with pytest.raises(RuntimeError):
        work.log_attempt(item_id, Outcome.NO_ANSWER)
    assert len(_rows(console.conn)) == before
    assert audit.head(console.conn).seq == seq
    assert items.get_item(console.conn, item_id).attempt_count == 0
    # a refused change writes nothing either
    with pytest.raises(ActionRefused):
        console.work().record_outcome(item_id, Outcome.COVERAGE_ACTIVE, identity_verified=True)
    assert len(_rows(console.conn)) == before
    # a good change writes item, audit and outbox together
    console.work().log_attempt(item_id, Outcome.NO_ANSWER)
    kinds = [k for k, _ in _rows(console.conn)][before:]
    assert kinds == ["item_event"]
    assert audit.head(console.conn).seq == seq + 1


def test_lifecycle_events_and_release(console) -> None:  # type: ignore[no-untyped-def]
    a, b, c = console.import_appointments([1, 2, 3], Lane.CONFIRMATION)
    start = len(_rows(console.conn))
    work = console.work()
    work.log_attempt(a, Outcome.NO_ANSWER)
    console.clock.advance(hours=1)
    work.log_attempt(a, Outcome.VOICEMAIL)
    work.record_outcome(a, Outcome.CONFIRMED, identity_verified=True)
    work.cancel(b, CloseReason.APPOINTMENT_CANCELLED)
    work.fail(c)
    rows = _rows(console.conn)[start:]
    events = [
        (wire.ItemEvent.model_validate_json(p).event.value, wire.ItemEvent.model_validate_json(p))
        for k, p in rows
        if k == "item_event"
    ]
    assert [e for e, _ in events] == [
        "first_attempt",
        "attempt",
        "completed",
        "cancelled",
        "failed",
    ]
    assert events[2][1].outcome is Outcome.CONFIRMED and events[2][1].attempt_count == 2
    assert events[3][1].close_reason is CloseReason.APPOINTMENT_CANCELLED
    releases = [json.loads(p)["reason"] for k, p in rows if k == "release"]
    assert releases == ["completed", "cancelled", "failed"]


def test_escalation_hook_queues_codes_only(console) -> None:  # type: ignore[no-untyped-def]
    (item_id,) = console.import_appointments([1])
    console.clock.advance(hours=3)
    esc = console.escalations().raise_(
        item_id, EscalationCategory.PAYER_BILLING, Urgency.URGENT, Sbar(f"{CANARIES[0]} upset")
    )
    rows = [(k, p) for k, p in _rows(console.conn) if k == "escalation"]
    assert len(rows) == 1
    message = wire.EscalationRaised.model_validate_json(rows[0][1])
    assert (message.category, message.urgency, message.lane) == (
        EscalationCategory.PAYER_BILLING,
        Urgency.URGENT,
        Lane.CONFIRMATION,
    )
    assert message.age_seconds == 3 * 3600
    link = console.conn.execute(
        "SELECT hub_id FROM escalation_links WHERE escalation_id = ?", (esc,)
    ).fetchone()
    assert link[0] == message.escalation_id
    assert CANARIES[0] not in rows[0][1]


def test_backoff_and_counts(console) -> None:  # type: ignore[no-untyped-def]
    console.import_appointments(range(3))
    conn = console.conn
    ids = [r.id for r in outbox.pending(conn, 100, now=NOW)]
    assert len(ids) == 6
    rng = random.Random(1)
    delays = []
    for _ in range(10):
        with transaction(conn):
            outbox.mark_failed(conn, ids[:1], "unavailable", now=NOW, rng=rng)
        row = conn.execute("SELECT next_try_at, attempts FROM outbox WHERE id = ?", (ids[0],))
        next_try, attempts = row.fetchone()
        delays.append((from_db(next_try) - NOW).total_seconds())
    assert attempts == 10
    assert 2.5 <= delays[0] <= 5 and delays[1] <= 10 and max(delays) <= outbox.BACKOFF_MAX
    assert delays[-1] >= outbox.BACKOFF_MAX / 2
    assert ids[0] not in [r.id for r in outbox.pending(conn, 100, now=NOW)]
    assert ids[0] in [r.id for r in outbox.pending(conn, 100, now=NOW, due_only=False)]
    with transaction(conn):
        outbox.mark_sent(conn, ids[1:3], now=NOW)
        outbox.record_failure(conn, "unavailable", now=NOW)
    status = outbox.counts(conn, now=NOW + timedelta(minutes=5))
    assert (status.pending, status.rejected) == (4, 0)
    assert status.oldest_pending_age_s == 300
    assert status.offline_since == NOW and status.last_success_at is None
    with transaction(conn):
        outbox.record_success(conn, now=NOW + timedelta(minutes=6))
    status = outbox.counts(conn)
    assert status.offline_since is None and status.last_success_at == NOW + timedelta(minutes=6)
    with pytest.raises(RuntimeError):
        outbox.enqueue(conn, "claim", {"pseudonym": "0" * 64})  # outside a transaction


def test_summary_figures(console) -> None:  # type: ignore[no-untyped-def]
    a, b, c, d = console.import_appointments(range(4), Lane.CONFIRMATION)
    (e,) = console.import_appointments([10], Lane.ELIGIBILITY)
    work = console.work()
    console.clock.advance(minutes=10)
    work.log_attempt(a, Outcome.NO_ANSWER)
    console.clock.advance(minutes=20)
    work.log_attempt(b, Outcome.VOICEMAIL)
    work.log_attempt(a, Outcome.BUSY)
    work.record_outcome(a, Outcome.CONFIRMED, identity_verified=True)
    work.cancel(c, CloseReason.DUPLICATE)
    console.escalations().raise_(
        d, EscalationCategory.SCHEDULING_CONFLICT, Urgency.ROUTINE, Sbar("x")
    )
    summary = build_summary(console.conn, now=console.clock() + timedelta(minutes=1), since=NOW)
    lanes = {lane.lane: lane for lane in summary.lanes}
    conf = lanes[Lane.CONFIRMATION]
    assert conf.by_status == {
        wire.ItemStatus.COMPLETED: 1,
        wire.ItemStatus.CANCELLED: 1,
        wire.ItemStatus.IN_PROGRESS: 1,
        wire.ItemStatus.REQUESTED: 1,
    }
    assert sum(conf.by_due_state.values()) == 2
    assert (conf.completed_on_time, conf.completed_late) == (1, 0)
    assert conf.first_attempt_median_s == 600 and conf.first_attempt_p90_s == 1800
    # three contact tries; recording "confirmed" finished the item and is not a fourth attempt
    assert conf.attempts_total == 3 and conf.items_attempted == 2
    assert conf.attempts_per_item == 1.5
    assert conf.outcomes == {
        Outcome.NO_ANSWER: 1,
        Outcome.VOICEMAIL: 1,
        Outcome.BUSY: 1,
        Outcome.CONFIRMED: 1,
    }
    assert lanes[Lane.ELIGIBILITY].by_status == {wire.ItemStatus.REQUESTED: 1}
    assert [(x.category, x.urgency, x.count) for x in summary.escalations] == [
        (EscalationCategory.SCHEDULING_CONFLICT, Urgency.ROUTINE, 1)
    ]
    assert summary.audit_head.seq == audit.head(console.conn).seq
    text = summary.model_dump_json()
    for canary in CANARIES:
        assert canary not in text
    assert e
