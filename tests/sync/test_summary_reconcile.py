"""The summary counts this VMA's own work only, so the board's figures reconcile across consoles."""

from __future__ import annotations

from datetime import timedelta

from tests.support.consoles import NOW, Console, MovableClock, add_test_practice
from vmadesk.domain.vocabulary import DueState, Lane, Outcome
from vmadesk.store import items
from vmadesk.store.connection import transaction
from vmadesk.store.timestamps import to_db
from vmadesk.sync.summary import build_summary


def _console(new_profile) -> Console:  # type: ignore[no-untyped-def]
    return Console(new_profile, "ana", MovableClock(NOW), add_test_practice(new_profile.conn))


def _lane(summary, lane: Lane = Lane.CONFIRMATION):  # type: ignore[no-untyped-def]
    return next(s for s in summary.lanes if s.lane is lane)


def _summary(c: Console):  # type: ignore[no-untyped-def]
    return build_summary(c.conn, now=NOW + timedelta(hours=1), since=NOW - timedelta(hours=1))


def test_recording_an_outcome_is_not_a_second_attempt(new_profile) -> None:  # type: ignore[no-untyped-def]
    c = _console(new_profile)
    first, second = c.import_appointments([1, 2])
    c.clock.now = NOW + timedelta(minutes=5)
    c.work().log_attempt(first, Outcome.REACHED, identity_verified=True)
    c.work().record_outcome(first, Outcome.CONFIRMED, identity_verified=True)
    c.work().log_attempt(second, Outcome.VOICEMAIL)
    lane = _lane(_summary(c))
    assert (lane.attempts_total, lane.items_attempted) == (2, 2)
    assert lane.attempts_per_item == 1.0
    assert lane.outcomes[Outcome.CONFIRMED] == 1  # the outcome is still reported as an outcome
    assert lane.completed_on_time == 1


def test_items_held_by_others_or_handed_over_are_not_counted(new_profile) -> None:  # type: ignore[no-untyped-def]
    c = _console(new_profile)
    ids = c.import_appointments(range(5))
    assert sum(_lane(_summary(c)).by_due_state.values()) == 5
    with transaction(c.conn):
        # the hub refused the claim on one (another VMA holds it) and another was taken over
        for item_id, state in ((ids[0], "conflict"), (ids[1], "taken_over")):
            c.conn.execute(
                "INSERT INTO claims (item_id, pseudonym, state, held_by, updated_at)"
                " VALUES (?, ?, ?, 'ben', ?)",
                (item_id, "f" * 63 + str(item_id % 10), state, to_db(NOW)),
            )
        # the receiver acknowledged a handed-off item: it is theirs now
        items.update_item(c.conn, ids[2], {"owner": "ben", "updated_at": to_db(NOW)})
    lane = _lane(_summary(c))
    assert sum(lane.by_due_state.values()) == 2
    assert (
        lane.by_due_state.get(DueState.ON_TRACK, 0) + lane.by_due_state.get(DueState.DUE_SOON, 0)
        == 2
    )
    assert sum(lane.by_status.values()) == 2
