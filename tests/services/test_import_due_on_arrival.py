"""Work arriving after its policy deadline is due when it can first be done, not "overdue"."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.services.helpers import practice
from tests.services.import_samples import NOW, bundle, by_lane, run, visit, write
from vmadesk.store.profile import UnlockedProfile
from vmadesk.store.timestamps import from_db

EST, EDT = timezone(timedelta(hours=-5)), timezone(timedelta(hours=-4))


def _due(profile: UnlockedProfile, aid: str) -> dict[str, datetime]:
    return {lane: from_db(row[3]) for lane, row in by_lane(profile.conn, aid).items()}


def test_a_saturday_evening_export_is_due_when_the_practice_opens(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    office = practice(new_profile.conn)  # New York, weekdays 8:00-17:00
    saturday_evening = datetime(2026, 3, 7, 20, 0, tzinfo=EST)
    monday_visit = datetime(2026, 3, 9, 10, 0, tzinfo=EDT)  # its confirmation was due Friday
    path = write(tmp_path / "weekend.json", bundle(*visit("a1", start=monday_visit)))
    run(new_profile, path, practice_id=office.id, now=saturday_evening)
    opening = datetime(2026, 3, 9, 8, 0, tzinfo=EDT)
    assert _due(new_profile, "a1") == {"confirmation": opening, "eligibility": opening}


def test_in_hours_late_work_is_due_at_once_and_timely_work_keeps_its_policy_due(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    office = practice(new_profile.conn)
    tomorrow = datetime(2026, 3, 4, 9, 0, tzinfo=EST)  # NOW is Tuesday 10:00 in New York
    later = NOW + timedelta(days=6)
    doc = bundle(*visit("soon", start=tomorrow), *visit("later", pid="p2", start=later))
    run(new_profile, write(tmp_path / "today.json", doc), practice_id=office.id)
    assert set(_due(new_profile, "soon").values()) == {NOW}
    assert all(due > NOW for due in _due(new_profile, "later").values())


def test_a_move_to_tomorrow_is_due_from_the_move(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    office = practice(new_profile.conn)
    path = write(tmp_path / "1.json", bundle(*visit("a1", start=NOW + timedelta(days=6))))
    run(new_profile, path, practice_id=office.id)
    moved = datetime(2026, 3, 4, 9, 0, tzinfo=EST)
    path = write(tmp_path / "2.json", bundle(*visit("a1", start=moved)))
    run(new_profile, path, practice_id=office.id, now=NOW + timedelta(hours=1))
    assert set(_due(new_profile, "a1").values()) == {NOW + timedelta(hours=1)}
