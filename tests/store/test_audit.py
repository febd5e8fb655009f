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


# -- the key and the anchor live outside the database ----------------------------------------


def _verify_fresh(directory: Path) -> audit.VerifyResult:
    from tests.conftest import PASSPHRASE
    from vmadesk.store import profile as profiles

    profile = profiles.unlock(directory, passphrase=PASSPHRASE)
    try:
        return audit.verify(profile.conn)
    finally:
        profile.close()


def test_the_database_holds_no_audit_key(new_profile: UnlockedProfile) -> None:
    rows = new_profile.conn.execute("SELECT name FROM secrets").fetchall()
    assert ("audit_key",) not in rows
    assert audit.legacy_key(new_profile.conn) is None


def test_cutting_entries_off_the_end_is_detected(new_profile: UnlockedProfile) -> None:
    _fill(new_profile, 6)
    top = audit.head(new_profile.conn).seq
    raw = _raw(new_profile)
    raw.execute("DELETE FROM audit WHERE seq > ?", (top - 3,))
    raw.close()
    result = audit.verify(new_profile.conn)
    assert not result.ok
    assert result.first_broken == top - 2
    assert "cut short" in result.reason


def test_a_chain_rewritten_with_a_key_of_ones_own_is_detected(
    new_profile: UnlockedProfile,
) -> None:
    """What a copy of the database allows: rebuild every hash with a key one chose."""
    _fill(new_profile, 4)
    forged_key = secrets.token_bytes(32)
    raw = _raw(new_profile)
    rows = raw.execute("SELECT seq, at, event, item_id, details FROM audit ORDER BY seq").fetchall()
    raw.execute("DELETE FROM audit")
    forger = audit.AuditContext("x", [(1, forged_key)], lambda: None, lambda _a: None)
    audit.bind(raw, forger)
    for seq, at, event, item_id, details in rows:
        if seq == 2:
            details = '{"n":42}'
        prev = raw.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        prev_hash = prev[0] if prev else audit.GENESIS
        digest = audit._digest(
            forged_key, prev_hash, audit._canonical(seq, at, event, item_id, details)
        )
        raw.execute(
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, at, event, item_id, details, prev_hash, digest),
        )
    raw.close()
    result = audit.verify(new_profile.conn)
    assert (result.ok, result.first_broken) == (False, 1)


def test_an_anchor_edited_in_the_slot_file_is_not_authentic(new_profile: UnlockedProfile) -> None:
    import json

    _fill(new_profile, 3)
    path = new_profile.directory / "keyslots.json"
    data = json.loads(path.read_text())
    data["audit"]["anchor"]["seq"] = 1
    path.write_text(json.dumps(data))
    result = audit.verify(new_profile.conn)
    assert not result.ok and "not authentic" in result.reason
    del data["audit"]["anchor"]
    path.write_text(json.dumps(data))
    result = audit.verify(new_profile.conn)
    assert not result.ok and "anchor is missing" in result.reason


def test_the_anchor_follows_every_commit_and_never_goes_back(
    new_profile: UnlockedProfile,
) -> None:
    from vmadesk.store.keyslots import KeySlots

    _fill(new_profile, 2)
    other = new_profile.connect()  # another thread's connection, same audit key
    with transaction(other):
        audit.append(other, AuditEvent.SYNC)
    anchor = KeySlots.load(new_profile.directory).audit.anchor  # type: ignore[union-attr]
    assert anchor is not None and anchor.seq == audit.head(new_profile.conn).seq
    with pytest.raises(ZeroDivisionError), transaction(other):
        audit.append(other, AuditEvent.SYNC)
        raise ZeroDivisionError  # rolled back: the anchor must not count it
    other.close()
    assert KeySlots.load(new_profile.directory).audit.anchor == anchor  # type: ignore[union-attr]
    assert audit.verify(new_profile.conn).ok


def test_a_missing_audit_table_is_damage_not_a_traceback(new_profile: UnlockedProfile) -> None:
    from vmadesk.store.errors import AuditDamagedError

    raw = _raw(new_profile)
    raw.execute("DROP TABLE audit")
    raw.close()
    with pytest.raises(AuditDamagedError, match="audit trail is damaged: its table is missing"):
        audit.verify(new_profile.conn)
    with pytest.raises(AuditDamagedError, match="table is missing"), transaction(new_profile.conn):
        audit.append(new_profile.conn, AuditEvent.LOCK)
    new_profile.close()
    from tests.conftest import PASSPHRASE
    from vmadesk.store import profile as profiles

    again = profiles.unlock(new_profile.directory, passphrase=PASSPHRASE)
    assert any("audit trail is damaged" in n for n in again.notices)
    again.close()


def test_a_missing_audit_key_is_damage_and_refuses_writes(profile_dir: Path) -> None:
    import json

    from tests.conftest import FAST_KDF, PASSPHRASE
    from vmadesk.store import profile as profiles
    from vmadesk.store.errors import AuditDamagedError

    profiles.create(
        profile_dir, PASSPHRASE, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )[0].close()
    path = profile_dir / "keyslots.json"
    data = json.loads(path.read_text())
    del data["audit"]
    path.write_text(json.dumps(data))
    profile = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    assert any("its key is missing" in n for n in profile.notices)
    with pytest.raises(AuditDamagedError, match="key is missing"):
        audit.verify(profile.conn)
    with pytest.raises(AuditDamagedError), transaction(profile.conn):
        profile.conn.execute("INSERT INTO settings VALUES ('x', 'y')")
        audit.append(profile.conn, AuditEvent.SETTINGS_CHANGED)
    assert profile.conn.execute("SELECT 1 FROM settings WHERE key = 'x'").fetchone() is None
    profile.close()


def test_the_anchor_is_written_only_after_the_entries_it_names_are_on_disk(
    new_profile: UnlockedProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With synchronous=NORMAL a commit is not yet durable: a power cut after an anchor
    written first would read as a chain cut short."""
    import os

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to name file descriptors")
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    with transaction(new_profile.conn):
        audit.append(new_profile.conn, AuditEvent.ITEM_VIEWED, item_id=1)
    wal = synced.index("vmadesk.db-wal")
    slots = next(i for i, name in enumerate(synced) if name.startswith(".keyslots-"))
    assert wal < slots
