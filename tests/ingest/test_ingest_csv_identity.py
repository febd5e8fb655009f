"""Callback lists without an id column: keyed by phone, name and window day, not by content."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.ingest.test_ingest_csv import CANARY, read
from tests.services.helpers import NOW, practice
from vmadesk.ingest import IngestError
from vmadesk.services import importer
from vmadesk.store import item_queries

HEADER = "Name,Phone,Reason,Requested Window\n"
ROW = '"{name}",{phone},{reason},{window}\n'
QUENTIN = {
    "name": f"{CANARY}, Quentin",
    "phone": "(212) 555-0142",
    "reason": "Refill question",
    "window": "2026-11-24 13:00-15:00",
}


def _ids(*rows: dict[str, str]) -> list[str]:
    text = HEADER + "".join(ROW.format(**row) for row in rows)
    return [cb.source_id for cb in read(text, "callbacks.csv").callbacks]


def test_edited_reason_or_times_keep_the_key() -> None:
    (first,) = _ids(QUENTIN)
    assert _ids({**QUENTIN, "reason": "Refill question - pharmacy changed"}) == [first]
    assert _ids({**QUENTIN, "window": "11/24/2026 9:00 AM - 11:00 AM"}) == [first]
    # The same person, written another way.
    assert _ids({**QUENTIN, "name": f"Quentin {CANARY.upper()}", "phone": "+1 212-555-0142"}) == [
        first
    ]


def test_another_person_number_or_day_is_another_request() -> None:
    (first,) = _ids(QUENTIN)
    for change in (
        {"name": f"{CANARY}, Ann"},
        {"phone": "(212) 555-0143"},
        {"window": "2026-11-25 13:00-15:00"},
        {"window": ""},
    ):
        assert _ids({**QUENTIN, **change}) != [first], change


def test_two_requests_of_one_day_both_import_and_repeats_once() -> None:
    text = HEADER + "".join(
        ROW.format(**row)
        for row in (QUENTIN, {**QUENTIN, "reason": "Billing"}, QUENTIN, {**QUENTIN, "window": ""})
    )
    batch = read(text, "callbacks.csv")
    ids = [cb.source_id for cb in batch.callbacks]
    assert [cb.location_in_file for cb in batch.callbacks] == ["row 2", "row 3", "row 5"]
    assert ids[1] == ids[0] + "-2" and len(set(ids)) == 3
    (repeat,) = [w for w in batch.warnings if "same callback request" in w.reason]
    assert (repeat.location, repeat.reason) == (
        "row 4",
        "the same callback request as row 2; kept once",
    )


def test_id_column_wins_and_its_duplicates_are_refused() -> None:
    text = (
        "Callback ID,Name,Phone,Reason\n"
        "CB1,Ann Example,2125550101,Results\n"
        ",Bo Example,2125550102,Billing\n"  # a blank id: keyed by who and when
    )
    cb1, cb2 = read(text, "callbacks.csv").callbacks
    assert cb1.source_id == "CB1" and cb2.source_id.startswith("cb-")
    with pytest.raises(IngestError) as info:
        read(text + "CB1,Cy Example,2125550103,Other\n", "callbacks.csv")
    assert (info.value.location, info.value.field) == ("row 4", "column 1 (callback id)")


def test_reimport_with_edited_reason_updates_the_item(new_profile, tmp_path: Path) -> None:
    ctx = practice(new_profile.conn)
    window = (NOW + timedelta(days=1)).strftime("%m/%d/%Y 1:00 PM - 3:00 PM")
    path = tmp_path / "callbacks.csv"
    for reason in ("Refill question", "Refill question (pharmacy changed)"):
        path.write_text(HEADER + ROW.format(**{**QUENTIN, "reason": reason, "window": window}))
        report = importer.import_file(new_profile, path, practice_id=ctx.id, now=NOW)
    assert (report.created, report.updated, report.closed) == (0, 1, 0)
    assert item_queries.count(new_profile.conn, item_queries.ItemQuery()) == 1


def test_without_a_window_a_new_reason_is_a_new_request(new_profile, tmp_path: Path) -> None:
    # Monday's request was called back and closed; Thursday's list, again without a window,
    # carries a new request from the same person: it must become work, not match Monday's.
    assert _ids({**QUENTIN, "window": ""}) == _ids(
        {**QUENTIN, "window": "", "reason": "refill QUESTION!"}
    )
    ctx = practice(new_profile.conn)
    path = tmp_path / "callbacks.csv"
    path.write_text(HEADER + ROW.format(**{**QUENTIN, "window": ""}))
    importer.import_file(new_profile, path, practice_id=ctx.id, now=NOW)
    (first,) = new_profile.conn.execute("SELECT id FROM items").fetchall()
    new_profile.conn.execute("UPDATE items SET status = 'completed' WHERE id = ?", (first[0],))
    path.write_text(HEADER + ROW.format(**{**QUENTIN, "window": "", "reason": "Billing"}))
    report = importer.import_file(new_profile, path, practice_id=ctx.id, now=NOW)
    assert report.created == 1
    open_items = "SELECT count(*) FROM items WHERE status = 'requested'"
    assert new_profile.conn.execute(open_items).fetchone()[0] == 1
