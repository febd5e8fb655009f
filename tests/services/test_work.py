from datetime import timedelta

import pytest

from tests.services.helpers import NOW, MovableClock, appointment, callback, practice
from vmadesk.domain.vocabulary import CloseReason, DueState, HoldReason, Lane, Outcome
from vmadesk.services.errors import ActionRefused
from vmadesk.services.work import WorkService
from vmadesk.services.worklist import WorkList
from vmadesk.store import audit, history, item_queries, items
from vmadesk.store.profile import UnlockedProfile


@pytest.fixture
def svc(new_profile: UnlockedProfile) -> tuple[WorkService, MovableClock]:
    clock = MovableClock(NOW)
    return WorkService(new_profile.conn, vma="ana.r", clock=clock), clock


def test_callback_due_two_business_hours_after_request(new_profile, svc) -> None:
    ctx = practice(new_profile.conn)
    item = items.get_item(new_profile.conn, callback(new_profile.conn, ctx))
    assert item.due_at == NOW + timedelta(hours=2)
    assert item.due_soon_at == NOW + timedelta(hours=1, minutes=30)


def test_no_answer_attempt_sets_next_try_and_proposes_after_limit(new_profile, svc) -> None:
    work, clock = svc
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    first = work.log_attempt(item_id, Outcome.NO_ANSWER, number_dialled="+12125550187")
    assert first.proposal == "retry"
    assert first.next_attempt_at == NOW + timedelta(hours=2)
    assert items.get_item(new_profile.conn, item_id).status == "in-progress"
    clock.advance(hours=2)
    work.log_attempt(item_id, Outcome.VOICEMAIL)
    clock.advance(hours=2)
    third = work.log_attempt(item_id, Outcome.BUSY)
    assert third.proposal == "fail_or_escalate" and third.unsuccessful == 3
    assert [a.outcome for a in history.attempts_for(new_profile.conn, item_id)] == [
        "no_answer",
        "voicemail",
        "busy",
    ]


def test_reached_needs_identity_check(new_profile, svc) -> None:
    work, _ = svc
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    with pytest.raises(ActionRefused, match="identity"):
        work.log_attempt(item_id, Outcome.REACHED)
    assert history.attempts_for(new_profile.conn, item_id) == []
    result = work.log_attempt(item_id, Outcome.REACHED, identity_verified=True)
    assert result.status.value == "completed"


def test_confirmation_outcome(new_profile, svc) -> None:
    work, _ = svc
    item_id = appointment(new_profile.conn, practice(new_profile.conn), Lane.CONFIRMATION)
    with pytest.raises(ActionRefused, match="not an outcome"):
        work.record_outcome(item_id, Outcome.COVERAGE_ACTIVE, identity_verified=True)
    work.record_outcome(item_id, Outcome.CONFIRMED, identity_verified=True)
    row = items.get_item(new_profile.conn, item_id)
    assert (row.status, row.outcome) == ("completed", "confirmed")


def test_eligibility_active_needs_details_and_keeps_date_of_service(new_profile, svc) -> None:
    work, _ = svc
    item_id = appointment(new_profile.conn, practice(new_profile.conn), Lane.ELIGIBILITY)
    with pytest.raises(ActionRefused, match="reference_number"):
        work.record_outcome(item_id, Outcome.COVERAGE_ACTIVE, details={"plan": "PPO"})
    work.record_outcome(
        item_id,
        Outcome.COVERAGE_ACTIVE,
        details={
            "plan": "PPO",
            "copay": "20",
            "deductible_remaining": "150",
            "reference_number": "R1",
        },
    )
    import json

    details = json.loads(items.get_item(new_profile.conn, item_id).outcome_json)
    assert details["date_of_service"] == (NOW + timedelta(days=3)).date().isoformat()


def test_hold_pauses_the_sla_clock(new_profile, svc) -> None:
    work, clock = svc
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    due_before = items.get_item(new_profile.conn, item_id).effective_due
    clock.advance(minutes=30)
    work.hold(item_id, clock.now + timedelta(hours=3), HoldReason.WAITING_ON_PAYER)
    row = items.get_item(new_profile.conn, item_id)
    assert work.state_of(row, clock.now + timedelta(hours=5)) is DueState.PAUSED
    counts = item_queries.lane_counts(new_profile.conn, clock.now + timedelta(hours=5))
    assert counts[Lane.CALLBACK].overdue == 0
    clock.advance(hours=3)
    assert work.resume_expired_holds() == [item_id]
    row = items.get_item(new_profile.conn, item_id)
    assert row.status == "requested"
    assert row.effective_due == due_before + timedelta(hours=3)
    assert row.held_seconds == 3 * 3600


def test_hold_in_the_past_refused(new_profile, svc) -> None:
    work, clock = svc
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    with pytest.raises(ActionRefused, match="future"):
        work.hold(item_id, clock.now - timedelta(minutes=1), HoldReason.WAITING_ON_PATIENT)


def test_callback_requested_holds_until_the_time(new_profile, svc) -> None:
    work, clock = svc
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    when = clock.now + timedelta(hours=4)
    with pytest.raises(ActionRefused, match="time"):
        work.log_attempt(item_id, Outcome.CALLBACK_REQUESTED)
    work.log_attempt(item_id, Outcome.CALLBACK_REQUESTED, callback_at=when)
    row = items.get_item(new_profile.conn, item_id)
    assert row.status == "on-hold" and row.hold_until == when


def test_cancel_fail_complete_and_closed_items_refuse_attempts(new_profile, svc) -> None:
    work, _ = svc
    ctx = practice(new_profile.conn)
    a, b, c = (callback(new_profile.conn, ctx, n) for n in (1, 2, 3))
    work.cancel(a, CloseReason.DUPLICATE, note="Same as another request")
    work.fail(b)
    work.complete(c)
    assert [items.get_item(new_profile.conn, i).status for i in (a, b, c)] == [
        "cancelled",
        "failed",
        "completed",
    ]
    with pytest.raises(ActionRefused):
        work.log_attempt(a, Outcome.NO_ANSWER)
    with pytest.raises(ActionRefused):
        work.complete(a)


def test_every_change_is_audited_in_one_transaction(new_profile, svc) -> None:
    work, _ = svc
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    before = audit.head(new_profile.conn).seq
    work.log_attempt(item_id, Outcome.NO_ANSWER)
    work.add_note(item_id, "Patient prefers mornings")
    rows = new_profile.conn.execute(
        "SELECT event, item_id, details FROM audit WHERE seq > ?", (before,)
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("item_changed", item_id)] * 2
    assert "Patient prefers" not in "".join(r[2] for r in rows)
    assert audit.verify(new_profile.conn).ok


def test_failed_change_leaves_nothing(new_profile, svc) -> None:
    work, _ = svc
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    seq = audit.head(new_profile.conn).seq

    def boom(*_args: object) -> None:
        raise RuntimeError("disk unplugged")

    work.on_change = boom
    with pytest.raises(RuntimeError):
        work.log_attempt(item_id, Outcome.NO_ANSWER)
    assert history.attempts_for(new_profile.conn, item_id) == []
    assert items.get_item(new_profile.conn, item_id).attempt_count == 0
    assert audit.head(new_profile.conn).seq == seq


def test_urgency_order_overdue_first_paused_last(new_profile, svc) -> None:
    work, clock = svc
    ctx = practice(new_profile.conn)
    late = callback(new_profile.conn, ctx, 1, requested_at=NOW - timedelta(hours=30))
    soon = callback(new_profile.conn, ctx, 2, requested_at=NOW)
    held = callback(new_profile.conn, ctx, 3, requested_at=NOW - timedelta(hours=8))
    work.hold(held, clock.now + timedelta(hours=1), HoldReason.WAITING_ON_PATIENT)
    q = item_queries.ItemQuery(lane=Lane.CALLBACK)
    assert [r.id for r in item_queries.page(new_profile.conn, q, offset=0, limit=10)] == [
        late,
        soon,
        held,
    ]
    assert item_queries.first_id(new_profile.conn, q) == late
    counts = item_queries.lane_counts(new_profile.conn, clock.now)
    assert (counts[Lane.CALLBACK].open, counts[Lane.CALLBACK].overdue) == (3, 1)


def test_next_most_urgent_skips_items_waiting_for_their_next_attempt(new_profile, svc) -> None:
    work, clock = svc
    ctx = practice(new_profile.conn)
    late = callback(new_profile.conn, ctx, 1, requested_at=NOW - timedelta(hours=30))
    soon = callback(new_profile.conn, ctx, 2, requested_at=NOW)
    held = callback(new_profile.conn, ctx, 3, requested_at=NOW - timedelta(hours=40))
    work.hold(held, clock.now + timedelta(hours=1), HoldReason.WAITING_ON_PATIENT)
    worklist = WorkList(new_profile.conn, vma="ana.r", clock=clock)
    query = worklist.query(Lane.CALLBACK)
    assert worklist.next_most_urgent(query) == late
    retry = work.log_attempt(late, Outcome.NO_ANSWER).next_attempt_at
    assert retry is not None and retry > clock.now
    # The item just called is still the most overdue, but it cannot be worked before retry.
    assert worklist.next_most_urgent(query) == soon
    assert item_queries.first_id(new_profile.conn, query) == late  # the plain list keeps its order
    work.log_attempt(soon, Outcome.BUSY)
    assert worklist.next_most_urgent(query) is None
    assert worklist.next_retry_at(query) == clock.now + timedelta(hours=1)  # the hold ends
    clock.now = retry
    assert worklist.next_most_urgent(query) == late
