"""The import and the hub: claims and item events join the import's own transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.services.import_samples import NOW, bundle, visit, write
from tests.support.consoles import (
    CANARIES,
    TEAM_SECRET,
    Console,
    MovableClock,
    add_test_practice,
    new_console,
    offline_enrol,
)
from tests.support.hub import HubFixture, db_url, hub  # noqa: F401 (fixtures used below)
from vmadesk import wire
from vmadesk.ingest import IngestError
from vmadesk.services import importer
from vmadesk.services.sync_service import sync_once
from vmadesk.store import items
from vmadesk.store.connection import Connection
from vmadesk.sync.item_events import item_pseudonym, make_change_hook

N = 6


def _visits(n: int = N, status: str = "booked") -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    for i in range(n):
        resources += visit(f"a{i}", pid=f"p{i}", status=status, start=NOW + timedelta(days=3))
    return bundle(*resources)


def _outbox(conn: Connection) -> list[tuple[str, dict[str, Any]]]:
    rows = conn.execute("SELECT kind, payload_json FROM outbox ORDER BY id").fetchall()
    return [(kind, json.loads(payload)) for kind, payload in rows]


def _import(console: Console, path: Path, **kw: Any) -> importer.ImportReport:
    return importer.import_file(
        console.profile,
        path,
        practice_id=console.ctx.id,
        now=NOW,
        on_change=make_change_hook(console.conn),
        **kw,
    )


@pytest.fixture
def enrolled(hub: HubFixture, tmp_path: Path) -> Iterator[Console]:  # noqa: F811
    """A console enrolled at a real hub on loopback (team secret by enrolment code)."""
    console = new_console(
        tmp_path / "profile-ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"]
    )
    yield console
    console.close()


@pytest.fixture
def offline(new_profile) -> Console:  # type: ignore[no-untyped-def]
    """A console holding an enrolment and the team secret, no hub needed."""
    offline_enrol(new_profile.conn)
    return Console(new_profile, "ana", MovableClock(NOW), add_test_practice(new_profile.conn))


def test_import_queues_a_claim_per_item_and_the_hub_grants_them(
    enrolled: Console,
    hub: HubFixture,  # noqa: F811
    tmp_path: Path,
) -> None:
    report = _import(enrolled, write(tmp_path / "today.json", _visits()))
    assert report.created == 2 * N  # a confirmation and an eligibility item per visit
    created = enrolled.conn.execute("SELECT id FROM items ORDER BY id").fetchall()
    codes = {item_pseudonym(TEAM_SECRET, items.get_item(enrolled.conn, i)) for (i,) in created}
    rows = _outbox(enrolled.conn)
    claims = [p["pseudonym"] for kind, p in rows if kind == "claim"]
    events = [
        wire.ItemEvent.model_validate_json(json.dumps(p))
        for kind, p in rows
        if kind == "item_event"
    ]
    assert sorted(claims) == sorted(codes) and len(claims) == 2 * N
    assert {e.event for e in events} == {wire.ItemEventKind.IMPORTED} and len(events) == 2 * N
    pending = enrolled.conn.execute("SELECT count(*) FROM claims WHERE state = 'pending'")
    assert pending.fetchone()[0] == 2 * N
    for _, payload in rows:
        for canary in CANARIES:
            assert canary not in json.dumps(payload)
    sync_once(enrolled.profile, summary_every=None)
    held = enrolled.conn.execute("SELECT count(*) FROM claims WHERE state = 'held'")
    assert held.fetchone()[0] == 2 * N
    assert hub.count("claims") == 2 * N


def test_a_failing_hook_rolls_back_items_and_messages(offline: Console, tmp_path: Path) -> None:
    hook = make_change_hook(offline.conn)
    assert hook is not None
    calls = []

    def failing(conn: Connection, item: Any, action: str, details: dict[str, Any]) -> None:
        hook(conn, item, action, details)  # the outbox rows are written …
        calls.append(action)
        if len(calls) == N:
            raise RuntimeError("disk full")  # … and the import fails after them

    path = write(tmp_path / "today.json", _visits())
    with pytest.raises(RuntimeError):
        importer.import_file(
            offline.profile, path, practice_id=offline.ctx.id, now=NOW, on_change=failing
        )
    assert offline.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert _outbox(offline.conn) == []
    assert offline.conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 0


def test_a_malformed_file_queues_nothing(offline: Console, tmp_path: Path) -> None:
    text = json.dumps(_visits())
    path = write(tmp_path / "cut.json", text[: len(text) // 2])  # truncated JSON
    with pytest.raises(IngestError):
        _import(offline, path)
    bad_date = _visits()
    bad_date["entry"][-3]["resource"]["start"] = "2026-02-30T10:00:00Z"  # the last appointment
    with pytest.raises(IngestError):
        _import(offline, write(tmp_path / "bad.json", bad_date))
    assert offline.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert _outbox(offline.conn) == []


def test_closed_items_release_and_reopened_items_claim_again(
    offline: Console, tmp_path: Path
) -> None:
    _import(offline, write(tmp_path / "1.json", _visits(1)))
    before = len(_outbox(offline.conn))
    report = _import(offline, write(tmp_path / "2.json", _visits(1, status="cancelled")))
    assert report.closed == 2
    rows = _outbox(offline.conn)[before:]
    events = [
        wire.ItemEvent.model_validate_json(json.dumps(p))
        for kind, p in rows
        if kind == "item_event"
    ]
    assert [e.event for e in events] == [wire.ItemEventKind.CANCELLED] * 2
    assert {e.close_reason for e in events} == {wire.CloseReason.APPOINTMENT_CANCELLED}
    assert [p["reason"] for kind, p in rows if kind == "release"] == ["cancelled"] * 2
    # done work stays claimed (the hub keeps it owned as done): the local claim is kept
    states = offline.conn.execute("SELECT DISTINCT state FROM claims").fetchall()
    assert states == [("pending",)]

    before = len(_outbox(offline.conn))
    report = _import(offline, write(tmp_path / "3.json", _visits(1)))
    assert report.updated == 2  # both reopened: the appointment is booked again
    kinds = [kind for kind, _ in _outbox(offline.conn)[before:]]
    assert kinds.count("claim") == 2 and kinds.count("release") == 0
    states = offline.conn.execute("SELECT DISTINCT state FROM claims").fetchall()
    assert states == [("pending",)]


def test_an_update_in_place_sends_nothing_and_no_hook_means_no_messages(
    offline: Console, tmp_path: Path
) -> None:
    importer.import_file(offline.profile, write(tmp_path / "1.json", _visits(2)), now=NOW)
    assert _outbox(offline.conn) == []  # no hook given: nothing queued (enrolled or not)
    moved = _visits(2)
    moved["entry"][0]["resource"]["start"] = (NOW + timedelta(days=4)).isoformat()
    report = _import(offline, write(tmp_path / "2.json", moved))
    assert report.updated == 2 and _outbox(offline.conn) == []
