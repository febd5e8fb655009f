"""Team-wide practice identity: one practice filed under two local codes still conflicts.

Consoles over loopback on SQLite and PostgreSQL; the supervisor registers the practice once at
the hub, with the local codes consoles use.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.support.consoles import TEAM_CODE, TEAM_SECRET, Console, add_test_practice, new_console
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.item_factory import AppointmentWork, Patient, appointment_columns
from vmadesk.services.sync_service import sync_once
from vmadesk.store import items
from vmadesk.store.connection import transaction
from vmadesk.sync.hub_client import HubRejected
from vmadesk.sync.item_events import item_pseudonym, make_change_hook, record_import
from vmadesk.sync.practice_identity import team_system


def import_csv(console: Console, code: str, numbers: range) -> list[int]:
    """Appointments from a CSV report (keyed ``csv:<local code>``) under practice ``code``."""
    ctx = add_test_practice(console.conn, code)
    hook = make_change_hook(console.conn)
    ids = []
    with transaction(console.conn):
        for n in numbers:
            work = AppointmentWork(
                f"csv:{code}",
                f"A{n}",
                Patient(f"Family{n}", "Ann", phone="+15550000000"),
                console.clock() + timedelta(days=2),
            )
            columns = appointment_columns(
                ctx, Lane.CONFIRMATION, work, owner=console.vma, now=console.clock()
            )
            item_id = items.insert_item(console.conn, columns)
            record_import(console.conn, item_id, hook)
            ids.append(item_id)
    return ids


@pytest.fixture
def team(hub, tmp_path) -> Iterator[dict[str, Console]]:  # type: ignore[no-untyped-def]
    hub.add("cat")
    made = {
        name: new_console(
            tmp_path / name, name, hub_url=hub.base_url, token=hub.tokens[name], code=TEAM_CODE
        )
        for name in ("ana", "ben", "cat")
    }
    yield made
    for console in made.values():
        console.close()


def holders(hub) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with hub.engine.connect() as conn:
        return dict(conn.execute(text("SELECT pseudonym, holder FROM claims")).all())


def test_team_system_maps_only_registered_practice_codes() -> None:
    aliases = {"rvs": "riverside-fm", "riverside": "riverside-fm"}
    assert team_system("csv:rvs", aliases) == "csv:riverside-fm"
    assert team_system("fhir:riverside", aliases) == "fhir:riverside-fm"
    assert team_system("csv:lakeview", aliases) == "csv:lakeview"  # unknown: as before
    assert team_system("http://ehr.example/appt", aliases) == "http://ehr.example/appt"


def test_two_local_codes_one_practice_conflict_once_registered(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben, cat = team["ana"], team["ben"], team["cat"]
    ana_ids = import_csv(ana, "rvs", range(4))
    ben_ids = import_csv(ben, "riverside", range(4))
    sync_once(ana.profile)
    assert sync_once(ben.profile).conflicts == 0  # two codes: the hub cannot tell (yet)
    assert len(holders(hub)) == 8
    # the supervisor sets the practice's identity once, at the hub
    sue = hub.client("sue")
    with pytest.raises(HubRejected) as refused:
        hub.client("ana").register_practice("riverside-fm", ["rvs"])
    assert refused.value.status == 403
    sue.register_practice("riverside-fm", ["rvs", "riverside"])
    with pytest.raises(HubRejected) as moved:
        sue.register_practice("lakeview", ["rvs"])
    assert moved.value.status == 409
    assert [(p.practice, p.aliases) for p in hub.client("ben").practices().practices] == [
        ("riverside-fm", ["riverside", "riverside-fm", "rvs"])
    ]
    # ana's claims move to the team-wide keys; ben's then conflict: one owner per appointment
    sync_once(ana.profile)
    result = sync_once(ben.profile)
    assert result.conflicts == 4
    owners = holders(hub)
    assert len(owners) == 4 and set(owners.values()) == {"ana"}
    expected = {
        item_pseudonym(TEAM_SECRET, items.get_item(ana.conn, i), {"rvs": "riverside-fm"})
        for i in ana_ids
    }
    assert set(owners) == expected
    states = {
        ben.conn.execute("SELECT state, held_by FROM claims WHERE item_id = ?", (i,)).fetchone()
        for i in ben_ids
    }
    assert states == {("taken_over", "ana")}
    # a third console filing it under a code of its own after registration: conflicts at once
    sue.register_practice("riverside-fm", ["RFM"])
    cat_ids = import_csv(cat, "RFM", range(2))
    assert sync_once(cat.profile).conflicts == 2
    assert {
        cat.conn.execute("SELECT held_by FROM claims WHERE item_id = ?", (i,)).fetchone()[0]
        for i in cat_ids
    } == {"ana"}
    # the hub holds codes, not names
    assert "Practice rvs" not in hub.dump()


def test_done_work_keeps_its_owner_through_a_new_key(hub, team) -> None:  # type: ignore[no-untyped-def]
    ana, ben = team["ana"], team["ben"]
    (a,) = import_csv(ana, "rvs", range(1))
    sync_once(ana.profile)
    ana.work().complete(a)
    sync_once(ana.profile)
    hub.client("sue").register_practice("riverside-fm", ["rvs", "riverside"])
    sync_once(ana.profile)
    with hub.engine.connect() as conn:
        rows = conn.execute(text("SELECT holder, state FROM claims")).all()
    assert rows == [("ana", "done")]
    import_csv(ben, "riverside", range(1))
    sync_once(ben.profile)
    (row,) = ben.conn.execute("SELECT state, held_by, held_status FROM claims").fetchall()
    assert row == ("conflict", "ana", "done")
