"""Import rules: appointments the practice confirmed, the eligibility horizon, item counts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.services.import_samples import NOW, bundle, by_lane, run, visit, write
from tests.support.consoles import offline_enrol
from vmadesk import wire
from vmadesk.domain.vocabulary import HoldReason, Lane, Outcome
from vmadesk.ingest import read_file
from vmadesk.services import importer, practice_settings
from vmadesk.services.work import WorkService
from vmadesk.store import history, items
from vmadesk.store.profile import UnlockedProfile
from vmadesk.sync.item_events import make_change_hook


def _confirmed_import(
    profile: UnlockedProfile, path: Path, *, now: datetime = NOW, hook: bool = False
) -> importer.ImportReport:
    """Import ``path`` as an export that marks every appointment confirmed by the patient."""
    conn = profile.conn
    batch = read_file(path)
    confirmed = tuple(replace(r, confirmed_by_source=True) for r in batch.appointments)
    plan = importer.plan_import(
        conn,
        replace(batch, appointments=confirmed),
        practice_id=importer.resolve_practice(conn).id,
        vma="ana.r",
        now=now,
    )
    return importer.apply_import(conn, plan, on_change=make_change_hook(conn) if hook else None)


def _outbox(profile: UnlockedProfile) -> list[tuple[str, dict[str, Any]]]:
    rows = profile.conn.execute("SELECT kind, payload_json FROM outbox ORDER BY id").fetchall()
    return [(kind, json.loads(payload)) for kind, payload in rows]


# -- confirmed in the practice system -------------------------------------------------------


def test_a_confirmed_appointment_gets_its_eligibility_check_but_no_confirmation_call(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    report = _confirmed_import(new_profile, write(tmp_path / "1.json", bundle(*visit("a1"))))
    assert set(by_lane(new_profile.conn, "a1")) == {"eligibility"}
    assert (report.created, report.skipped) == (1, 1)
    assert report.skipped_reasons == {"already_confirmed": 1}


def test_the_practice_confirming_completes_the_open_confirmation_item(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    conn = new_profile.conn
    offline_enrol(conn)
    path = write(tmp_path / "1.json", bundle(*visit("a1")))
    run(new_profile, path, on_change=make_change_hook(conn))
    conf_id, elig_id = (by_lane(conn, "a1")[lane][0] for lane in ("confirmation", "eligibility"))
    # The VMA left a voicemail and waits on the patient for an hour of it.
    WorkService(conn, vma="ana.r", clock=lambda: NOW).hold(
        conf_id, NOW + timedelta(hours=5), HoldReason.WAITING_ON_PATIENT
    )
    sent = len(_outbox(new_profile))

    later = NOW + timedelta(hours=1)
    report = _confirmed_import(new_profile, path, now=later, hook=True)
    assert (report.created, report.updated, report.closed, report.skipped) == (0, 0, 1, 1)
    assert report.to_dict()["closed_reasons"] == {"confirmed_by_source": 1}
    assert report.skipped_reasons == {"unchanged": 1}  # the eligibility check goes on
    item = items.get_item(conn, conf_id)
    assert (item.status, item.outcome, item.status_reason) == ("completed", "confirmed", None)
    assert json.loads(item.outcome_json or "{}") == {"confirmed_by": "practice_system"}
    assert (item.held_seconds, item.hold_started, item.hold_until) == (3600, None, None)
    assert item.closed_at is not None
    assert items.get_item(conn, elig_id).status == "requested"
    notes = [(n.kind, n.text) for n in history.notes_for(conn, conf_id)]
    assert ("import", "confirmed in the practice system; closed by import") in notes
    # the hub hears a completion with its outcome, and the claim is released
    messages = _outbox(new_profile)[sent:]
    events = [
        wire.ItemEvent.model_validate_json(json.dumps(p))
        for kind, p in messages
        if kind == "item_event"
    ]
    assert [(e.event, e.outcome, e.lane) for e in events] == [
        (wire.ItemEventKind.COMPLETED, Outcome.CONFIRMED, Lane.CONFIRMATION)
    ]
    assert [p["reason"] for kind, p in messages if kind == "release"] == ["completed"]
    (details,) = [
        json.loads(d)
        for (d,) in conn.execute("SELECT details FROM audit WHERE event = 'import' ORDER BY seq")
    ][-1:]
    assert details["closed_reasons"] == {"confirmed_by_source": 1}

    again = _confirmed_import(new_profile, path, now=later)
    assert (again.closed, again.skipped) == (0, 2)
    assert again.skipped_reasons == {"already_confirmed": 1, "unchanged": 1}


# -- eligibility horizon ------------------------------------------------------------------------


def test_eligibility_items_wait_for_the_horizon(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    # NOW is 3 March (New York): 2 April is 30 days before its date of service, 3 April 31.
    doc = bundle(
        *visit("inside", start=NOW + timedelta(days=30, hours=8), pid="p1"),
        *visit("beyond", start=NOW + timedelta(days=31), pid="p2"),
        *visit("next-year", start=datetime.fromisoformat("2027-02-01T09:00:00-05:00"), pid="p3"),
    )
    path = write(tmp_path / "1.json", doc)
    report = run(new_profile, path)
    assert set(by_lane(new_profile.conn, "inside")) == {"eligibility"}
    assert by_lane(new_profile.conn, "beyond") == {}
    assert by_lane(new_profile.conn, "next-year") == {}
    assert (report.created, report.skipped) == (1, 5)
    assert report.skipped_reasons == {"outside_window": 3, "beyond_eligibility_horizon": 2}
    # a day later the next one is inside: a later import creates it
    later = run(new_profile, path, now=NOW + timedelta(days=1))
    assert later.created == 1
    assert set(by_lane(new_profile.conn, "beyond")) == {"eligibility"}


def test_an_open_eligibility_item_moved_beyond_the_horizon_stays_open(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    run(new_profile, write(tmp_path / "1.json", bundle(*visit("a1"))))
    moved = NOW + timedelta(days=90)
    report = run(new_profile, write(tmp_path / "2.json", bundle(*visit("a1", start=moved))))
    assert report.updated == 2  # both follow the move; nothing is closed or dropped
    lanes = by_lane(new_profile.conn, "a1")
    assert {lane: v[1] for lane, v in lanes.items()} == {
        "confirmation": "requested",
        "eligibility": "requested",
    }


def test_the_horizon_is_a_practice_setting(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    conn = new_profile.conn
    pid = importer.resolve_practice(conn).id
    path = write(tmp_path / "1.json", bundle(*visit("a1", start=NOW + timedelta(days=45))))
    assert run(new_profile, path, dry_run=True).skipped_reasons == {
        "outside_window": 1,
        "beyond_eligibility_horizon": 1,
    }
    settings = practice_settings.load(conn, pid)
    assert settings.policies[Lane.ELIGIBILITY].horizon_days == 30
    policies = dict(settings.policies)
    policies[Lane.ELIGIBILITY] = practice_settings.policy_from_fields(
        Lane.ELIGIBILITY,
        due_offset_hours=48,
        due_soon_minutes=480,
        max_attempts=3,
        attempt_gap_minutes=120,
        horizon_days=60,
    )
    practice_settings.save(conn, pid, replace(settings, policies=policies))
    assert practice_settings.load(conn, pid).policies[Lane.ELIGIBILITY].horizon_days == 60
    report = run(new_profile, path)
    assert set(by_lane(conn, "a1")) == {"eligibility"}
    assert report.skipped_reasons == {"outside_window": 1}


# -- counting -----------------------------------------------------------------------------------


def test_every_count_is_of_items(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    four_weeks = [visit(f"a{i}", pid=f"p{i}", start=NOW + timedelta(days=28)) for i in range(5)]
    path = write(tmp_path / "1.json", bundle(*(r for v in four_weeks for r in v)))
    report = run(new_profile, path)
    # five eligibility items created, five confirmations not yet (outside the window)
    assert (report.created, report.skipped) == (5, 5)
    assert report.skipped_reasons == {"outside_window": 5}
    mixed = bundle(
        *visit("a0", pid="p0", start=NOW + timedelta(days=2)),  # moved into the window
        *visit("a1", pid="p1", start=NOW + timedelta(days=28), status="cancelled"),
        *visit("a2", pid="p2", start=NOW + timedelta(days=28)),  # as it was
        *visit("new", pid="p9", start=NOW + timedelta(days=3)),
        *visit("gone", pid="p8", start=NOW - timedelta(days=2)),
    )
    again = run(new_profile, write(tmp_path / "2.json", mixed))
    assert (again.created, again.updated, again.closed) == (3, 1, 1)
    assert again.skipped_reasons == {"cancelled": 1, "outside_window": 1, "unchanged": 1, "past": 2}
    assert again.created + again.updated + again.closed + again.skipped == 2 * 5
