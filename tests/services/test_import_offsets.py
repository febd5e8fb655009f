"""Imports keep each appointment's time zone as given; the date of service is the local date."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.services.import_samples import NOW, appointment, bundle, by_lane, run, visit, write
from vmadesk.domain.vocabulary import Outcome
from vmadesk.services.work import WorkService
from vmadesk.store import items
from vmadesk.store.profile import UnlockedProfile

EST = timezone(timedelta(hours=-5))
IST = timezone(timedelta(hours=5, minutes=30))
#: 23:30 in New York on Thursday 5 March: already Friday in UTC.
EVENING = datetime(2026, 3, 5, 23, 30, tzinfo=EST)
#: 09:00 at +05:30: the export's own offset, not the practice's.
MORNING_IST = datetime(2026, 3, 6, 9, 0, tzinfo=IST)


def _import(profile: UnlockedProfile, tmp_path: Path, name: str = "1.json") -> None:
    doc = bundle(*visit("a1", start=EVENING), appointment("a2", start=MORNING_IST))
    run(profile, write(tmp_path / name, doc))


def test_the_given_offset_is_kept_beside_the_utc_instant(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    _import(new_profile, tmp_path)
    conn = new_profile.conn
    evening = items.get_item(conn, by_lane(conn, "a1")["eligibility"][0])
    morning = items.get_item(conn, by_lane(conn, "a2")["confirmation"][0])
    assert evening.appointment_start == EVENING  # the same instant...
    assert evening.appointment_offset_min == -300  # ...and the offset it was written in
    assert morning.appointment_offset_min == 330
    assert evening.date_of_service() == "2026-03-05"  # not the UTC date, 2026-03-06
    assert morning.date_of_service() == "2026-03-06"


def test_the_outcome_records_the_local_date_of_service(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    _import(new_profile, tmp_path)
    conn = new_profile.conn
    elig = by_lane(conn, "a1")["eligibility"][0]
    WorkService(conn, vma="ana.r", clock=lambda: NOW).record_outcome(
        elig,
        Outcome.COVERAGE_ACTIVE,
        details={"plan": "x", "copay": "1", "deductible_remaining": "0", "reference_number": "r"},
    )
    details = json.loads(items.get_item(conn, elig).outcome_json or "{}")
    assert details["date_of_service"] == "2026-03-05"


def test_a_new_offset_for_the_same_instant_updates_without_moving(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    _import(new_profile, tmp_path)
    conn = new_profile.conn
    before = by_lane(conn, "a2")
    doc = bundle(*visit("a1", start=EVENING), appointment("a2", start=MORNING_IST.astimezone(EST)))
    report = run(new_profile, write(tmp_path / "2.json", doc))
    assert report.updated >= 1
    after = by_lane(conn, "a2")
    assert items.get_item(conn, after["confirmation"][0]).appointment_offset_min == -300
    assert {lane: row[3] for lane, row in after.items()} == {
        lane: row[3] for lane, row in before.items()
    }  # same instant: the due times did not move


def test_items_from_before_offsets_were_kept_use_the_practice_zone(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    _import(new_profile, tmp_path)
    conn = new_profile.conn
    conn.execute("UPDATE items SET appointment_offset_min = NULL")
    evening = items.get_item(conn, by_lane(conn, "a1")["eligibility"][0])
    assert evening.date_of_service("America/New_York") == "2026-03-05"
