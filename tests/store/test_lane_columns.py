"""Schema v6: lanes are codes the store no longer lists, and items keep a lane state and fields."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import sqlcipher3

from vmadesk.domain.vocabulary import ItemStatus, Lane
from vmadesk.store import items
from vmadesk.store.connection import connect, transaction
from vmadesk.store.migrations import migrate, schema_version
from vmadesk.store.schema import LATEST

_T = "'2026-03-02T15:00:00.000000+00:00'"  # times as the store writes them
_ITEM = (
    "INSERT INTO items (practice_id, lane, source_system, source_id, subject_kind,"
    " patient_family, due_at, effective_due, due_soon_at, status, owner, created_at, updated_at)"
    f" VALUES (1, ?, 's', ?, 'callback', 'Testperson', {_T}, {_T}, {_T}, ?, 'ana.r', {_T}, {_T})"
)


def _v5_database(path: Path) -> bytes:
    """A database as the release before lane definitions wrote it, with an item in it."""
    key = secrets.token_bytes(32)
    conn = connect(path, key, create=True)
    migrate(conn, path, target=5)
    with transaction(conn):
        conn.execute(
            "INSERT INTO practices (code, name, timezone, region, hours_json, created_at)"
            " VALUES ('p1', 'Demo Practice', 'America/New_York', 'US', '{}', 'now')"
        )
        conn.execute(_ITEM, ("callback", "1", "on-hold"))
    with pytest.raises(sqlcipher3.IntegrityError):
        conn.execute(_ITEM, ("prior_auth", "2", "requested"))
    conn.close()
    return key


def test_v6_accepts_any_lane_code_on_the_migrating_connection_and_the_next(tmp_path: Path):
    path = tmp_path / "vmadesk.db"
    key = _v5_database(path)
    conn = connect(path, key)
    assert migrate(conn, path) == LATEST >= 6
    assert len(list(tmp_path.glob("vmadesk.db.v5-*.bak"))) == 1  # backup first
    with transaction(conn):
        conn.execute(_ITEM, ("prior_auth", "2", "requested"))  # the schema was reparsed here
    conn.close()
    conn = connect(path, key)
    assert schema_version(conn) == LATEST
    with transaction(conn):
        conn.execute(_ITEM, ("referral", "3", "requested"))
        conn.execute(
            "INSERT INTO lane_policies (practice_id, lane, policy_json)"
            " VALUES (1, 'referral', '{}')"
        )
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA writable_schema").fetchone()[0] == 0


@pytest.mark.parametrize("code", ["", "Prior Auth", "referral'; --", "x1"])
def test_v6_still_refuses_what_is_not_a_lane_code(tmp_path: Path, code: str):
    path = tmp_path / "vmadesk.db"
    conn = connect(path, _v5_database(path))
    migrate(conn, path)
    with pytest.raises(sqlcipher3.IntegrityError):
        conn.execute(_ITEM, (code, "9", "requested"))


def test_an_item_keeps_its_lane_state_and_fields_and_reads_as_enums(tmp_path: Path):
    path = tmp_path / "vmadesk.db"
    conn = connect(path, _v5_database(path))
    migrate(conn, path)
    with transaction(conn):
        items.update_item(
            conn, 1, {"lane_state": "submitted", "lane_fields_json": '{"urgency": "expedited"}'}
        )
    item = items.get_item(conn, 1)
    assert (item.lane_state, item.lane_fields_json) == ("submitted", '{"urgency": "expedited"}')
    assert item.lane is Lane.CALLBACK and item.status is ItemStatus.ON_HOLD
    assert item.status == "on-hold"  # string enums still compare with stored codes


def test_v7_accepts_a_lanes_own_subject_kind_and_still_refuses_a_non_code(tmp_path: Path):
    path = tmp_path / "vmadesk.db"
    conn = connect(path, _v5_database(path))
    migrate(conn, path)
    prior_auth = _ITEM.replace("'callback', 'Testperson'", "'prior_auth', 'Testperson'")
    with transaction(conn):
        conn.execute(prior_auth, ("prior_auth", "4", "requested"))
    broken = _ITEM.replace("'callback', 'Testperson'", "'Prior Auth', 'Testperson'")
    with pytest.raises(sqlcipher3.IntegrityError):
        conn.execute(broken, ("prior_auth", "5", "requested"))
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
