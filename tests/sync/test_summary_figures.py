"""Summary figures the supervisor board shows: carry-over and time to first attempt."""

from __future__ import annotations

from datetime import timedelta

from tests.support.consoles import NOW, Console, MovableClock, add_test_practice
from vmadesk.domain.vocabulary import Lane, Outcome
from vmadesk.sync.summary import build_summary, day_start


def _console(new_profile) -> Console:  # type: ignore[no-untyped-def]
    return Console(new_profile, "ana", MovableClock(NOW), add_test_practice(new_profile.conn))


def _lane(summary, lane: Lane = Lane.CONFIRMATION):  # type: ignore[no-untyped-def]
    return next(s for s in summary.lanes if s.lane is lane)


def test_carried_over_does_not_depend_on_the_interval(new_profile) -> None:  # type: ignore[no-untyped-def]
    c = _console(new_profile)
    c.clock.now = NOW - timedelta(days=1)
    c.import_appointments(range(3))  # yesterday: carried over into today
    c.clock.now = NOW - timedelta(hours=2)
    c.import_appointments(range(10, 14))  # today: not carried over
    now = NOW + timedelta(minutes=1)
    # the board's snapshot and `vmadesk summary` used to disagree: the interval decided it
    for since in (day_start(now), now - timedelta(minutes=15), now - timedelta(days=3)):
        assert _lane(build_summary(c.conn, now=now, since=since)).carried_over == 3


def test_first_attempt_median_is_none_without_a_figure(new_profile) -> None:  # type: ignore[no-untyped-def]
    c = _console(new_profile)
    (item,) = c.import_appointments([1])
    # an attempt dated before the item existed here (history, demo data) is no figure at all
    c.clock.now = NOW - timedelta(minutes=30)
    c.work().log_attempt(item, Outcome.NO_ANSWER)
    lane = _lane(
        build_summary(c.conn, now=NOW + timedelta(hours=1), since=NOW - timedelta(hours=1))
    )
    assert lane.items_attempted == 1
    assert lane.first_attempt_median_s is None and lane.first_attempt_p90_s is None
    c.clock.now = NOW
    (other,) = c.import_appointments([2])
    c.clock.now = NOW + timedelta(minutes=10)
    c.work().log_attempt(other, Outcome.NO_ANSWER)
    lane = _lane(
        build_summary(c.conn, now=NOW + timedelta(hours=1), since=NOW - timedelta(hours=1))
    )
    assert lane.first_attempt_median_s == 600
