"""A CSV export that gains or loses a column still updates the same items (no duplicates)."""

from datetime import timedelta
from pathlib import Path

from tests.services.helpers import NOW, practice
from vmadesk.services import importer
from vmadesk.store import item_queries

FULL = (
    "Appt ID,Appt Date,Appt Time,Patient Name,DOB,Cell Phone,Insurance,Member ID\n"
    'A1,{d},10:00 AM,"Zyxwvutsky, Ann",04/05/1961,(212) 555-0187,Acme Health,M1\n'
    'A2,{d},11:30 AM,"Qwertyson, Bo",01/02/1970,(212) 555-0188,Acme Health,M2\n'
)
FEWER = (
    "Appt ID,Appt Date,Appt Time,Patient Name,DOB\n"
    'A1,{d},10:00 AM,"Zyxwvutsky, Ann",04/05/1961\n'
    'A2,{d},11:30 AM,"Qwertyson, Bo",01/02/1970\n'
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    day = (NOW + timedelta(days=3)).strftime("%m/%d/%Y")
    path = tmp_path / name
    path.write_text(text.format(d=day), encoding="utf-8")
    return path


def test_dropped_column_updates_instead_of_duplicating(new_profile, tmp_path) -> None:
    ctx = practice(new_profile.conn)
    first = importer.import_file(
        new_profile, _write(tmp_path, "week1.csv", FULL), practice_id=ctx.id, now=NOW
    )
    created = first.created
    assert created > 0
    open_items = item_queries.count(new_profile.conn, item_queries.ItemQuery())
    second = importer.import_file(
        new_profile, _write(tmp_path, "week2.csv", FEWER), practice_id=ctx.id, now=NOW
    )
    assert second.created == 0
    assert item_queries.count(new_profile.conn, item_queries.ItemQuery()) == open_items
    rows = item_queries.page(new_profile.conn, item_queries.ItemQuery(), offset=0, limit=50)
    assert {r.source_system for r in rows} == {f"csv:{ctx.code}"}
    # A column the new export lacks is no news: it does not erase what the VMA had.
    assert all(r.phone == "+12125550187" for r in rows if r.source_id == "A1")
