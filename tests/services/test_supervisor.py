"""Supervisor assembly: hub data -> board rows with capacity signals, chart series, token."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from vmadesk import wire
from vmadesk.domain.capacity import Recommendation, SignalCode
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.session import Session
from vmadesk.services.supervisor import TOKEN_ENV, supervisor_token
from vmadesk.services.supervisor_board import assess_capacity, build_board, day_stats, trend_data
from vmadesk.store import secrets_store
from vmadesk.store.connection import transaction

TODAY = date(2026, 3, 4)  # a Wednesday
START = TODAY - timedelta(days=27)


def points(make) -> list[wire.TrendPoint]:  # type: ignore[no-untyped-def]
    return [make(i, START + timedelta(days=i)) for i in range(28)]


def calm(_i: int, day: date) -> wire.TrendPoint:
    return wire.TrendPoint(
        day=day.isoformat(), opened=10, completed_on_time=10, open=4, first_attempt_median_s=1800
    )


def stretched(_i: int, day: date) -> wire.TrendPoint:
    # the work gets done, a bit late: carried over while due soon, first attempt > 2 h
    return wire.TrendPoint(
        day=day.isoformat(),
        opened=10,
        completed_on_time=10,
        open=6,
        due_soon=2,
        carried_over=3,
        first_attempt_median_s=9000,
    )


def slipping(i: int, day: date) -> wire.TrendPoint:
    # late share rising week over week, and work dropped
    week = i // 7
    return wire.TrendPoint(
        day=day.isoformat(),
        opened=10,
        completed_on_time=10 - 2 * week,
        completed_late=2 * week,
        overdue=week,
        dropped=1,
        first_attempt_median_s=600,
    )


def test_day_stats_mapping() -> None:
    (row,) = day_stats(Lane.CALLBACK, [stretched(0, TODAY)])
    assert row.day == TODAY and row.carried_over == 3
    assert row.carried_over_time_sensitive == 2  # only what was due soon/overdue
    assert row.first_attempt_minutes_median == 150 and row.sla_minutes == 120


@pytest.mark.parametrize(
    ("make", "firing", "overloaded", "advice"),
    [
        (calm, set(), False, Recommendation.NONE),
        (
            stretched,
            {SignalCode.CARRY_OVER, SignalCode.RESPONSE_STRETCHING},
            True,
            Recommendation.MORE_HOURS,
        ),
        (
            slipping,
            {SignalCode.LATE_RISING, SignalCode.ATTEMPTS_DROPPED},
            True,
            Recommendation.SPECIALIST_FOR_LANE,
        ),
    ],
)
def test_capacity_per_lane(make, firing, overloaded, advice) -> None:  # type: ignore[no-untyped-def]
    result = assess_capacity(_t(make), TODAY)
    assessment = result[("ana", Lane.CALLBACK)]
    assert assessment.firing == firing
    assert assessment.overloaded is overloaded
    assert assessment.recommendation is advice


def _t(make) -> wire.Trends:  # type: ignore[no-untyped-def]
    return wire.Trends(
        days=28,
        start=START.isoformat(),
        end=TODAY.isoformat(),
        series=[wire.TrendSeries(vma="ana", lane=Lane.CALLBACK, points=points(make))],
    )


def board(*vmas: str) -> wire.Board:
    def lane(name: Lane, overdue: int) -> wire.BoardLane:
        return wire.BoardLane(
            lane=name,
            open=5 + overdue,
            due_soon=1,
            overdue=overdue,
            completed_on_time=8,
            completed_late=2,
            first_attempt_median_s=1200,
            carried_over=1,
            escalations_open=1,
        )

    return wire.Board(
        generated_at=datetime.now(UTC),
        window_days=7,
        vmas=[
            wire.BoardVma(
                vma=v,
                lanes=[lane(Lane.CALLBACK, 3), lane(Lane.ELIGIBILITY, 0)],
                escalations_open=2,
                handoffs_awaiting_ack=4,
            )
            for v in vmas
        ],
    )


def test_board_rows_with_signals_and_advice() -> None:
    data = wire.Trends(
        days=28,
        start=START.isoformat(),
        end=TODAY.isoformat(),
        series=[
            wire.TrendSeries(vma="ana", lane=Lane.CALLBACK, points=points(slipping)),
            wire.TrendSeries(vma="ana", lane=Lane.ELIGIBILITY, points=points(slipping)),
            wire.TrendSeries(vma="ben", lane=Lane.CALLBACK, points=points(stretched)),
            wire.TrendSeries(vma="ben", lane=Lane.ELIGIBILITY, points=points(calm)),
        ],
    )
    rows = build_board(board("ana", "ben"), assess_capacity(data, TODAY))
    assert [(r.vma, r.lane) for r in rows] == [
        ("ana", None),
        ("ana", Lane.CALLBACK),
        ("ana", Lane.ELIGIBILITY),
        ("ben", None),
        ("ben", Lane.CALLBACK),
        ("ben", Lane.ELIGIBILITY),
    ]
    ana_total, ana_cb = rows[0], rows[1]
    assert ana_total.open == 13 and ana_total.overdue == 3 and ana_total.handoffs_awaiting_ack == 4
    assert ana_cb.on_time_rate == pytest.approx(0.8)
    assert ana_cb.first_attempt_median_min == 20
    assert {s.code for s in ana_cb.signals} == {SignalCode.LATE_RISING, SignalCode.ATTEMPTS_DROPPED}
    assert "since" in ana_cb.signals_text
    # two lanes slipping without volume growth: time first
    assert ana_total.recommendation is Recommendation.MORE_HOURS
    assert rows[3].recommendation is Recommendation.MORE_HOURS  # ben: only mild signals
    assert rows[5].signals == () and rows[5].recommendation is Recommendation.NONE


def test_volume_growth_across_lanes_asks_for_a_generalist() -> None:
    def growing(i: int, day: date) -> wire.TrendPoint:
        base = slipping(i, day)
        return base.model_copy(update={"opened": 10 if i < 7 else 16})

    data = wire.Trends(
        days=35,
        start=(TODAY - timedelta(days=34)).isoformat(),
        end=TODAY.isoformat(),
        series=[
            wire.TrendSeries(
                vma="ana",
                lane=lane,
                points=[
                    growing(i - 7, TODAY - timedelta(days=34 - i))
                    if i >= 7
                    else calm(0, TODAY - timedelta(days=34 - i))
                    for i in range(35)
                ],
            )
            for lane in (Lane.CALLBACK, Lane.ELIGIBILITY)
        ],
    )
    capacity = assess_capacity(data, TODAY)
    assert SignalCode.VOLUME_GROWN in capacity[("ana", Lane.CALLBACK)].firing
    (total, *_lanes) = build_board(board("ana"), capacity)
    assert total.recommendation is Recommendation.GENERALIST_VMA


def test_trend_data_fills_every_day() -> None:
    data = wire.Trends(
        days=3,
        start="2026-03-02",
        end="2026-03-04",
        series=[
            wire.TrendSeries(
                vma="ana",
                lane=Lane.CALLBACK,
                points=[
                    wire.TrendPoint(
                        day="2026-03-02",
                        completed_on_time=3,
                        completed_late=1,
                        open=5,
                        carried_over=2,
                        escalations=1,
                    )
                ],
            ),
            wire.TrendSeries(
                vma="ben",
                lane=Lane.CALLBACK,
                points=[wire.TrendPoint(day="2026-03-04", completed_on_time=1, open=2)],
            ),
        ],
    )
    team = trend_data(data)
    assert team.days == (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))
    assert team.on_time_rate == (0.75, None, 1.0)
    # a day without any point is "no data" (None), not a day of zeros
    assert team.backlog == (5, None, 2) and team.escalations == (1, None, 0)
    assert trend_data(data, vma="ben").backlog == (None, None, 2)
    assert trend_data(data, lane=Lane.ELIGIBILITY).backlog == (None, None, None)


def test_supervisor_token_env_then_profile(new_profile, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    session = Session(new_profile)
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert supervisor_token(session) is None
    with transaction(new_profile.conn):
        secrets_store.put(new_profile.conn, "hub_token", b"stored-token-abcdefghijklmnop")
    assert supervisor_token(session) == "stored-token-abcdefghijklmnop"
    monkeypatch.setenv(TOKEN_ENV, "env-token-abcdefghijklmnopqrs")
    assert supervisor_token(session) == "env-token-abcdefghijklmnopqrs"
