"""The supervisor's board and trends endpoints over a real hub."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.ui.supervisor.simulate import fill_team, lane_summary
from vmadesk import wire
from vmadesk.domain.vocabulary import Lane
from vmadesk.hub.routes.board import StoredSummary, effective_summaries
from vmadesk.sync.hub_client import HubRejected


def test_board_per_vma_and_lane(hub) -> None:  # type: ignore[no-untyped-def]
    hub.add("cat")  # an account that never synced still shows
    fill_team(hub)
    sue = hub.client("sue")
    board = sue.board()
    assert [v.vma for v in board.vmas] == ["ana", "ben", "cat"]
    ana = board.vmas[0]
    lanes = {lane.lane: lane for lane in ana.lanes}
    callback = lanes[Lane.CALLBACK]
    assert callback.overdue == 2 + 20 // 4 and callback.due_soon == 1 and callback.carried_over == 2
    assert callback.open == 2 + 1 + callback.overdue
    # seven daily summaries (the window) of 3 on time, 2 late
    assert callback.completed_on_time in (21, 24) and callback.completed_late in (14, 16)
    assert callback.escalations_open == 2 and ana.escalations_open == 2
    assert callback.first_attempt_median_s == 9_000
    assert ana.last_sync_at is not None
    assert board.vmas[2].lanes == [] and board.vmas[2].last_sync_at is None
    assert sue.board(vma="ben").vmas[0].vma == "ben"


def test_trends_daily_series(hub) -> None:  # type: ignore[no-untyped-def]
    fill_team(hub)
    trends = hub.client("sue").trends(days=28)
    assert trends.days == 28
    series = {(s.vma, s.lane): s for s in trends.series}
    callback = series[("ana", Lane.CALLBACK)]
    assert len(callback.points) == 21
    assert [p.overdue for p in callback.points] == [2 + i // 4 for i in range(21)]
    today = callback.points[-1]
    assert today.day == datetime.now(UTC).date().isoformat()
    confirmation = series[("ana", Lane.CONFIRMATION)].points[-1]
    assert confirmation.opened == 6  # six imports received today
    assert today.escalations == 2
    assert series[("ben", Lane.ELIGIBILITY)].points[-1].escalations == 1
    week = hub.client("sue").trends(days=7, vma="ana")
    assert {s.vma for s in week.series} == {"ana"}
    assert all(len(s.points) <= 7 for s in week.series)


def test_dropped_counts_late_failures_without_patient_reason(hub) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.supervisor.simulate import env, pn

    ana = hub.client("ana")
    failed = wire.ItemEventKind.FAILED
    ana.send(
        [
            env(
                wire.ItemEvent(
                    pseudonym=pn("ana", 1),
                    lane=Lane.CALLBACK,
                    event=failed,
                    close_reason=wire.CloseReason.ATTEMPTS_EXHAUSTED,
                    seconds_from_due=600,
                )
            ),
            env(
                wire.ItemEvent(
                    pseudonym=pn("ana", 2),
                    lane=Lane.CALLBACK,
                    event=failed,
                    close_reason=wire.CloseReason.PATIENT_DECLINED,
                    seconds_from_due=600,
                )
            ),
            env(
                wire.ItemEvent(
                    pseudonym=pn("ana", 3),
                    lane=Lane.CALLBACK,
                    event=failed,
                    close_reason=wire.CloseReason.ATTEMPTS_EXHAUSTED,
                    seconds_from_due=-600,
                )
            ),
        ]
    )
    (series,) = hub.client("sue").trends(days=1).series
    assert series.points[0].dropped == 1


def test_vma_cannot_read_the_team(hub) -> None:  # type: ignore[no-untyped-def]
    fill_team(hub)
    for call in (lambda c: c.board(), lambda c: c.trends(), lambda c: c.board(vma="ana")):
        with pytest.raises(HubRejected) as caught:
            call(hub.client("ana"))
        assert caught.value.status == 403
    assert httpx.get(hub.base_url + "/v1/board", timeout=5).status_code == 401
    bad = httpx.get(
        hub.base_url + "/v1/trends",
        params={"days": "0"},
        headers={"Authorization": f"Bearer {hub.tokens['sue']}"},
        timeout=5,
    )
    assert bad.status_code == 422
    assert bad.json() == {"error": "validation_failed", "detail": ["query.days"]}


def test_growing_snapshots_count_once() -> None:
    base = datetime(2026, 3, 2, 8, tzinfo=UTC)

    def stored(start_h: int, end_h: int) -> StoredSummary:
        start, end = base + timedelta(hours=start_h), base + timedelta(hours=end_h)
        body = wire.Summary(
            interval_start=start,
            interval_end=end,
            lanes=[lane_summary(Lane.CALLBACK)],
            audit_head=wire.AuditHead(seq=1, hash="c" * 64),
        )
        return StoredSummary(
            "ana", int(start.timestamp() * 1000), int(end.timestamp() * 1000), body
        )

    snapshots = [stored(0, 1), stored(0, 2), stored(0, 3)]
    assert effective_summaries(snapshots) == [snapshots[2]]
    disjoint = [stored(0, 1), stored(1, 2), stored(2, 3)]
    assert effective_summaries(disjoint) == disjoint


def test_spot_check_draw_reproducible_from_recorded_seed(hub) -> None:  # type: ignore[no-untyped-def]
    team = fill_team(hub)
    for i in range(10, 30):
        team["ana"].completed(i)
    sue = hub.client("sue")
    week = "{}-W{:02d}".format(*datetime.now(UTC).isocalendar()[:2])
    first = sue.draw_sample(wire.SampleRequest(vma="ana", week=week, per_stratum=3))
    again = sue.draw_sample(
        wire.SampleRequest(vma="ana", week=week, per_stratum=3, seed=first.seed)
    )
    assert again.items == first.items and again.sample_id != first.sample_id
    assert str(uuid.UUID(first.sample_id)) == first.sample_id


def test_hub_board_cli_prints_the_api_document(hub, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from vmadesk import cli

    fill_team(hub)
    served = httpx.get(
        hub.base_url + "/v1/board",
        headers={"Authorization": f"Bearer {hub.tokens['sue']}"},
        timeout=10,
    ).json()
    # the URL comes from the environment: the test database's password stays off argv
    monkeypatch.setenv("VMADESK_HUB_DB", hub.db_url)
    assert cli.main(["hub", "board", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    wire.Board.model_validate_json(json.dumps(printed))
    for document in (served, printed):
        del document["generated_at"]
    assert printed == served
    assert cli.main(["hub", "board"]) == 0
    text = capsys.readouterr().out
    assert "ana:" in text and "  Callbacks: " in text and "callback" not in text


def test_an_appointment_imported_by_several_vmas_opens_once(hub) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.supervisor.simulate import env, pn

    def imported(number: int) -> wire.Envelope:
        return env(
            wire.ItemEvent(
                pseudonym=pn("shared", number),
                lane=Lane.CONFIRMATION,
                event=wire.ItemEventKind.IMPORTED,
                seconds_from_due=-3600,
            )
        )

    hub.client("ana").send([imported(1), imported(2)])
    hub.client("ben").send([imported(1), imported(3)])  # 1 is the same appointment
    series = {s.vma: s for s in hub.client("sue").trends(days=1).series}
    opened = {vma: sum(p.opened for p in s.points) for vma, s in series.items()}
    assert opened == {"ana": 2, "ben": 1}
