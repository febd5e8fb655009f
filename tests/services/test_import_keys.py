"""Which stored item a record is: keyed by source system (per practice when unnamed) and id."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.services.helpers import practice
from tests.services.import_samples import NOW, bundle, patient, run, visit, write
from vmadesk.store.profile import UnlockedProfile


def _unnamed(*resources: dict[str, Any]) -> dict[str, Any]:
    """A bundle naming no source system (no meta.source, no identifier system)."""
    doc = bundle(*resources)
    del doc["meta"]
    return doc


def _items(profile: UnlockedProfile) -> list[tuple[Any, ...]]:
    return profile.conn.execute(
        "SELECT practice_id, source_system, source_id, lane, patient_family, appointment_start"
        " FROM items ORDER BY id"
    ).fetchall()


def test_two_practices_unnamed_exports_reusing_ids_stay_apart(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    east, west = practice(new_profile.conn, "east"), practice(new_profile.conn, "west")
    run(new_profile, write(tmp_path / "e.json", _unnamed(*visit("a1"))), practice_id=east.id)
    before = _items(new_profile)
    other = visit("a1", start=NOW + timedelta(days=4))  # west's own Appointment/a1
    other[1] = {**patient(), "name": [{"family": "Westerly", "given": ["Wanda"]}]}
    report = run(new_profile, write(tmp_path / "w.json", _unnamed(*other)), practice_id=west.id)
    assert report.created == 2 and report.updated == 0
    rows = _items(new_profile)
    assert rows[:2] == before  # east's items untouched
    assert {(r[0], r[1], r[4]) for r in rows[2:]} == {(west.id, "fhir:west", "Westerly")}


def test_items_stored_before_unnamed_sources_were_qualified_still_match(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    east = practice(new_profile.conn, "east")
    path = write(tmp_path / "e.json", _unnamed(*visit("a1")))
    run(new_profile, path, practice_id=east.id)
    new_profile.conn.execute("UPDATE items SET source_system = 'fhir'")  # as an older version
    report = run(new_profile, path, practice_id=east.id)
    assert (report.created, report.updated, report.skipped) == (0, 0, 2)


def test_the_same_named_source_in_another_practice_is_skipped_not_overwritten(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    east, west = practice(new_profile.conn, "east"), practice(new_profile.conn, "west")
    run(new_profile, write(tmp_path / "e.json", bundle(*visit("a1"))), practice_id=east.id)
    before = _items(new_profile)
    moved = bundle(*visit("a1", start=NOW + timedelta(days=5)))
    report = run(new_profile, write(tmp_path / "w.json", moved), practice_id=west.id)
    assert report.skipped_reasons == {"other_practice": 2}
    assert _items(new_profile) == before


def test_a_bundle_mixing_source_systems_imports_again_idempotently(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    a1, a2 = visit("a1"), visit("a2", pid="p2")
    a1[0]["identifier"] = [{"system": "urn:example:ehr-a", "value": "a1"}]
    a2[0]["identifier"] = [{"system": "urn:example:ehr-b", "value": "a2"}]
    path = write(tmp_path / "mixed.json", _unnamed(*a1, *a2))
    assert run(new_profile, path).created == 4
    again = run(new_profile, path)  # once a UNIQUE constraint failure: both systems are read
    assert (again.created, again.updated, again.skipped, again.missing) == (0, 0, 4, 0)


def test_a_report_for_one_provider_misses_nothing_of_another(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    def seen_by(aid: str, pid: str, doctor: str, hours: int) -> list[dict[str, Any]]:
        resources = visit(aid, pid=pid, start=NOW + timedelta(days=3, hours=hours))
        resources[0]["participant"][1]["actor"]["display"] = doctor
        return resources

    day = bundle(*seen_by("a1", "p1", "Ng, Nora", 0), *seen_by("a2", "p2", "Quimby, Q", 1))
    run(new_profile, write(tmp_path / "day.json", day))
    nora_only = bundle(*seen_by("a1", "p1", "Ng, Nora", 0))
    assert run(new_profile, write(tmp_path / "ng.json", nora_only)).missing == 0
    quimby_dropped = bundle(
        *seen_by("a1", "p1", "Ng, Nora", 0), *seen_by("a3", "p3", "Quimby, Q", 2)
    )
    assert run(new_profile, write(tmp_path / "both.json", quimby_dropped)).missing == 2


def test_enrolled_profile_hooks_items_of_unnamed_and_mixed_sources(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    from tests.support.consoles import offline_enrol
    from vmadesk.sync.item_events import make_change_hook

    conn = new_profile.conn
    offline_enrol(conn)
    a1, a2 = visit("a1"), visit("a2", pid="p2")
    a1[0]["identifier"] = [{"system": "urn:example:ehr-a", "value": "a1"}]
    path = write(tmp_path / "mixed.json", _unnamed(*a1, *a2))  # a2 names no system
    assert run(new_profile, path, on_change=make_change_hook(conn)).created == 4
    claims = conn.execute("SELECT count(*) FROM outbox WHERE kind = 'claim'").fetchone()[0]
    assert claims == 4
