"""Item lists from the store: slim list rows, search words, and plans served by the queues."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.services.helpers import callback
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.demo import fill_demo
from vmadesk.services.practice_setup import load_context
from vmadesk.store import escalations, item_queries, items, practices, settings_store
from vmadesk.store.connection import connect
from vmadesk.store.item_queries import ItemQuery
from vmadesk.store.items import TIME_COLUMNS, ListRow
from vmadesk.store.migrations import migrate
from vmadesk.store.profile import UnlockedProfile

NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def demo(new_profile: UnlockedProfile) -> UnlockedProfile:
    fill_demo(new_profile, items=60, seed=7, now=NOW)
    return new_profile


def _queries(conn) -> list[ItemQuery]:
    owner = settings_store.vma_handle(conn)
    practice = conn.execute("SELECT min(practice_id) FROM items").fetchone()[0]
    base = ItemQuery(owner=owner)
    return [
        base,
        replace(base, lane=Lane.CALLBACK),
        replace(base, practice_id=practice),
        replace(base, lane=Lane.CONFIRMATION, practice_id=practice),
        replace(base, open_only=False),
    ]


def test_list_page_is_page_in_the_same_order_with_the_shown_columns(demo) -> None:
    conn = demo.conn
    for query in _queries(conn):
        full = item_queries.page(conn, query, offset=0, limit=1000)
        slim = item_queries.list_page(conn, query, offset=0, limit=1000)
        assert [r.id for r in slim] == [r.id for r in full]
        badges = escalations.latest_states(conn, [r.id for r in full])
        for f, s in zip(full, slim, strict=True):
            shown = {name: getattr(f, name) for name in ListRow._fields if name != "escalation"}
            assert s._asdict() == {**shown, "escalation": badges.get(f.id)}
            assert s.patient_display == f.patient_display
    query = _queries(conn)[0]
    everything = item_queries.list_page(conn, query, offset=0, limit=1000)
    second = item_queries.list_page(conn, query, offset=5, limit=7)
    assert second == everything[5:12]


def test_escalated_items_carry_their_latest_escalation_state(demo) -> None:
    conn = demo.conn
    rows = item_queries.list_page(conn, ItemQuery(open_only=False), offset=0, limit=1000)
    badges = escalations.latest_states(conn, [r.id for r in rows])
    assert badges, "the demo profile has escalations"
    assert {r.id: r.escalation for r in rows if r.escalation} == badges


@pytest.mark.parametrize("few", [item_queries.FEW_MATCHES, 0])
@pytest.mark.parametrize("length", [1, 2, 3, 5])
def test_search_words_match_substrings_of_the_search_text(
    demo, length: int, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Either plan (few trigram matches read by id, or the queue walked for many) agrees.
    monkeypatch.setattr(item_queries, "FEW_MATCHES", few)
    conn = demo.conn
    every = item_queries.page(conn, ItemQuery(), offset=0, limit=1000)
    probe = every[0].patient_family.lower()[:length]
    hits = item_queries.list_page(conn, ItemQuery(search=probe.upper()), offset=0, limit=1000)
    assert [r.id for r in hits] == [r.id for r in every if probe in r.search_text]
    assert item_queries.list_page(conn, ItemQuery(search=probe), offset=1, limit=2) == hits[1:3]
    both = f"{probe} {every[0].phone[-2:]}" if every[0].phone else probe
    expected = [r.id for r in every if all(w in r.search_text for w in both.split())]
    assert [
        r.id for r in item_queries.list_page(conn, ItemQuery(search=both), offset=0, limit=999)
    ] == (expected)
    assert item_queries.list_page(conn, ItemQuery(search="zzqzzq"), offset=0, limit=10) == []


def _plan(conn, sql: str, params: list) -> list[str]:
    # Top-level steps only: the badge subquery sorts one item's few escalations.
    return [r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params) if r[1] == 0]


@pytest.mark.parametrize("search", ["", "a", "sm", "smith"])
def test_list_queries_walk_a_queue_index_in_urgency_order(demo, search: str) -> None:
    conn = demo.conn
    for query in _queries(conn):
        if not query.open_only:
            continue  # closed items are listed by reports, not by the console's queues
        where, params = item_queries._where(replace(query, search=search))
        plan = _plan(
            conn,
            f"{item_queries._LIST_SELECT}{where}{item_queries._URGENCY_ORDER} LIMIT 80",
            params,
        )
        assert any("USING INDEX items_queue_" in step for step in plan), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan


def test_a_rare_word_is_read_by_id_not_by_walking_the_queue(demo) -> None:
    conn = demo.conn
    where, params = item_queries._where(replace(_queries(conn)[0], search="smith"))
    sql = f"{item_queries._LIST_SELECT} NOT INDEXED{where}{item_queries._URGENCY_ORDER} LIMIT 80"
    plan = _plan(conn, sql, params)
    assert any("INTEGER PRIMARY KEY" in step for step in plan), plan


def test_held_items_whose_time_has_come_are_found_by_an_index(demo) -> None:
    plan = [
        row[-1]
        for row in demo.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM items WHERE status = 'on-hold' AND hold_until <= ?",
            ("2026-03-03T15:00:00Z",),
        )
    ]
    assert any("items_holds" in step for step in plan), plan


def test_a_v2_profile_migrates_to_queues_that_carry_the_search_text(tmp_path) -> None:
    path = tmp_path / "v2.db"
    conn = connect(path, secrets.token_bytes(32), create=True)
    migrate(conn, path, target=2)
    # A v2 profile accepts only the first three lanes' policies; the rest fall to defaults.
    pid = practices.insert_practice(
        conn, code="p1", name="Practice p1", timezone="America/New_York", region="US", hours={}
    )
    ctx = load_context(conn, pid)
    ids = [callback(conn, ctx, n, family=f"Family{n}") for n in range(5)]
    migrate(conn, path)
    hits = item_queries.list_page(conn, ItemQuery(owner="ana.r", search="ly3"), offset=0, limit=10)
    assert [r.id for r in hits] == [ids[3]]
    indexes = {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master")}
    assert "search_text" in indexes["items_queue_lane"]
    assert "items_holds" in indexes
    conn.close()


def test_an_item_carries_aware_datetimes_and_writes_them_back_as_stored(demo) -> None:
    """Times are read once at the store boundary; writing them back leaves the text as it was."""
    conn = demo.conn
    cols = ", ".join(TIME_COLUMNS)
    ids = [r[0] for r in conn.execute("SELECT id FROM items ORDER BY id")]
    before = {
        i: conn.execute(f"SELECT {cols} FROM items WHERE id = ?", (i,)).fetchone() for i in ids
    }
    held = 0
    for item_id in ids:
        item = items.get_item(conn, item_id)
        for name in TIME_COLUMNS:
            value = getattr(item, name)
            assert value is None or (
                isinstance(value, datetime) and value.utcoffset() == timedelta(0)
            ), name
        held += item.hold_until is not None
        assert tuple(item.stored()[name] for name in TIME_COLUMNS) == before[item_id]
        items.update_item(conn, item_id, {name: getattr(item, name) for name in TIME_COLUMNS})
        after = conn.execute(f"SELECT {cols} FROM items WHERE id = ?", (item_id,)).fetchone()
        assert after == before[item_id]
    assert held  # the demo has items on hold: an optional time is among those checked
    for row in item_queries.list_page(conn, ItemQuery(open_only=False), offset=0, limit=1000):
        assert isinstance(row.effective_due, datetime) and isinstance(row.due_soon_at, datetime)
