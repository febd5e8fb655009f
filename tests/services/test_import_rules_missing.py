"""Missing from a full export: only same source and practice, only the days the file covers."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.services.helpers import practice
from tests.services.import_samples import CANARY, NOW, bundle, by_lane, run, visit, write
from vmadesk.services import importer
from vmadesk.store.profile import UnlockedProfile

NY = ZoneInfo("America/New_York")  # the default practice's zone


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """``day`` days after NOW's date, at a wall time in New York."""
    date = NOW.astimezone(NY).date() + timedelta(days=day)
    return datetime(date.year, date.month, date.day, hour, minute, tzinfo=NY)


def _visits(*appointments: tuple[str, datetime], source: str = "test-ehr") -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    for n, (aid, start) in enumerate(appointments):
        resources += visit(aid, start=start, pid=f"p-{aid}-{n}")
    doc = bundle(*resources)
    doc["meta"]["source"] = source
    return doc


def _ids(profile: UnlockedProfile, *source_ids: str) -> list[int]:
    return sorted(v[0] for sid in source_ids for v in by_lane(profile.conn, sid).values())


def _open_count(profile: UnlockedProfile) -> int:
    row = profile.conn.execute(
        "SELECT count(*) FROM items WHERE status IN ('requested', 'in-progress', 'on-hold')"
    ).fetchone()
    return int(row[0])


def test_only_items_on_the_days_the_export_covers_are_missing(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    first = _visits(
        ("early", _at(2, 23, 30)),  # the day before the export's span
        ("a1", _at(3, 9)),
        ("first-day", _at(3, 0, 30)),  # earlier than the export's first time, same day
        ("mid", _at(4, 11)),
        ("a3", _at(6, 9)),
        ("last-day", _at(6, 23, 30)),  # later than its last time (next day in UTC)
        ("next-day", _at(7, 0, 30)),
        ("later", _at(9, 10)),
    )
    run(new_profile, write(tmp_path / "week.json", first))
    assert _open_count(new_profile) == 16
    span = _visits(("a1", _at(3, 9)), ("a3", _at(6, 9)))  # 3 to 6 days ahead, whole days
    report = run(new_profile, write(tmp_path / "span.json", span))
    assert list(report.missing_ids) == _ids(new_profile, "first-day", "mid", "last-day")
    assert report.missing == 6
    assert report.to_dict()["missing_item_ids"] == list(report.missing_ids)
    assert _open_count(new_profile) == 16  # reported, never closed


def test_a_one_entry_collection_flags_only_its_own_day(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    ten = _visits(*((f"v{d}", _at(d, 10)) for d in range(1, 11)), ("v3b", _at(3, 15)))
    run(new_profile, write(tmp_path / "ten.json", ten))
    report = run(new_profile, write(tmp_path / "one.json", _visits(("v3", _at(3, 10)))))
    assert list(report.missing_ids) == _ids(new_profile, "v3b")


def test_an_export_without_appointments_reports_nothing_missing(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    run(new_profile, write(tmp_path / "1.json", bundle(*visit("a1"))))
    head = "Appt ID,Appt Date,Appt Time,Patient Name\r\n"
    run(new_profile, write(tmp_path / "2.csv", f'{head}c1,03/06/2026,10:00 AM,"{CANARY}, Q"\r\n'))
    assert _open_count(new_profile) == 4
    empty_collection = bundle()
    empty_searchset = {**bundle(), "type": "searchset"}
    for name, doc in (("e.json", empty_collection), ("s.json", empty_searchset), ("h.csv", head)):
        report = run(new_profile, write(tmp_path / name, doc))
        assert (report.missing, report.missing_ids) == (0, ()), name
    assert _open_count(new_profile) == 4


def test_callback_exports_never_report_missing(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    head = "Callback ID,Patient Name,Phone,Reason,Window Start\r\n"
    one = f'{head}cb1,"{CANARY}, Quentin",(212) 555-0142,Refill question,\r\n'
    two = f'{head}cb2,"{CANARY}, Ann",(212) 555-0143,Lab results,\r\n'
    assert run(new_profile, write(tmp_path / "1.csv", one)).created == 1
    report = run(new_profile, write(tmp_path / "2.csv", two))
    assert (report.created, report.missing, report.missing_ids) == (1, 0, ())


def test_other_sources_and_practices_are_never_missing(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    conn = new_profile.conn
    home = importer.resolve_practice(conn).id
    mine = _visits(("a1", _at(3, 9)), ("gone", _at(3, 11)))
    run(new_profile, write(tmp_path / "mine.json", mine), practice_id=home)
    other_system = _visits(("o1", _at(3, 10)), source="other-ehr")
    run(new_profile, write(tmp_path / "other.json", other_system), practice_id=home)
    west = practice(conn, code="west").id
    run(new_profile, write(tmp_path / "west.json", _visits(("w1", _at(3, 12)))), practice_id=west)
    again = _visits(("a1", _at(3, 9)))
    report = run(new_profile, write(tmp_path / "again.json", again), practice_id=home)
    assert list(report.missing_ids) == _ids(new_profile, "gone")
    # the same source for the other practice reports only that practice's own items
    w2 = _visits(("w2", _at(3, 8)))
    again_west = run(new_profile, write(tmp_path / "w2.json", w2), practice_id=west)
    assert list(again_west.missing_ids) == _ids(new_profile, "w1")
