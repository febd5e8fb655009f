import secrets
from pathlib import Path

import pytest
import sqlcipher3

from vmadesk.store import audit
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import connect, transaction
from vmadesk.store.errors import AuditDamagedError
from vmadesk.store.profile import UnlockedProfile


def _fill(profile: UnlockedProfile, n: int) -> None:
    for i in range(n):
        with transaction(profile.conn):
            audit.append(profile.conn, AuditEvent.ITEM_VIEWED, item_id=i, details={"n": i})


def test_chain_verifies_and_head_moves(new_profile: UnlockedProfile) -> None:
    start = audit.head(new_profile.conn)
    _fill(new_profile, 5)
    head = audit.head(new_profile.conn)
    assert head.seq == start.seq + 5
    assert len(head.hash) == 64
    result = audit.verify(new_profile.conn)
    assert result.ok and result.entries == head.seq


def test_triggers_refuse_update_and_delete(new_profile: UnlockedProfile) -> None:
    _fill(new_profile, 2)
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        new_profile.conn.execute("UPDATE audit SET event = 'x' WHERE seq = 1")
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        new_profile.conn.execute("DELETE FROM audit WHERE seq = 1")


def _raw(profile: UnlockedProfile) -> sqlcipher3.Connection:
    """A raw connection, as an attacker with the key would use, triggers dropped."""
    raw = connect(profile.db_path, profile.key)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("DROP TRIGGER audit_no_delete")
    return raw


def test_edited_row_is_named(new_profile: UnlockedProfile) -> None:
    _fill(new_profile, 6)
    raw = _raw(new_profile)
    raw.execute("UPDATE audit SET details = '{\"n\":99}' WHERE seq = 4")
    result = audit.verify(new_profile.conn)
    assert not result.ok
    assert result.first_broken == 4
    assert "does not match" in result.reason


def test_deleted_row_is_a_gap(new_profile: UnlockedProfile) -> None:
    _fill(new_profile, 6)
    _raw(new_profile).execute("DELETE FROM audit WHERE seq = 3")
    result = audit.verify(new_profile.conn)
    assert (result.ok, result.first_broken) == (False, 3)


def test_rehashed_row_breaks_the_next_link(new_profile: UnlockedProfile) -> None:
    _fill(new_profile, 6)
    raw = _raw(new_profile)
    # An attacker who rewrites a row's hash too still breaks the next entry's link.
    raw.execute("UPDATE audit SET hash = ? WHERE seq = 2", ("ab" * 32,))
    result = audit.verify(new_profile.conn)
    assert result.first_broken == 2


def test_append_needs_the_key(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db", secrets.token_bytes(32), create=True)
    from vmadesk.store.migrations import migrate

    migrate(conn, tmp_path / "db")
    with pytest.raises(AuditDamagedError, match="audit trail is damaged"), transaction(conn):
        audit.append(conn, AuditEvent.LOCK)
