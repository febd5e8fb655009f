import secrets
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.store import audit
from vmadesk.store import profile as profiles
from vmadesk.store.connection import connect, transaction
from vmadesk.store.errors import SchemaTooNewError
from vmadesk.store.keyslots import KeySlots, passphrase_slot, recovery_slot
from vmadesk.store.migrations import migrate, schema_version
from vmadesk.store.schema import LATEST


def _v1_profile(directory: Path) -> bytes:
    """A profile as the first release wrote it (schema v1), with data in it."""
    directory.mkdir(parents=True)
    key = secrets.token_bytes(32)
    conn = connect(directory / profiles.DB_FILE, key, create=True)
    migrate(conn, directory / profiles.DB_FILE, target=1)
    legacy_key = secrets.token_bytes(32)
    # Releases before the sealed audit key kept it in the database and signed with it.
    audit.bind(
        conn, audit.AuditContext("test-profile", [(1, legacy_key)], lambda: None, lambda _a: None)
    )
    with transaction(conn):
        conn.execute("INSERT INTO secrets VALUES (?, ?)", (audit.LEGACY_KEY_NAME, legacy_key))
        conn.execute("INSERT INTO settings VALUES ('vma_handle', 'ana.r')")
        conn.execute(
            "INSERT INTO practices (code, name, timezone, region, hours_json, created_at)"
            " VALUES ('p1', 'Demo Practice', 'America/New_York', 'US', '{}', 'now')"
        )
        audit.append(conn, audit.AuditEvent.PROFILE_CREATED)
    conn.close()
    slots = KeySlots("test-profile")
    slots.put(passphrase_slot(key, PASSPHRASE, FAST_KDF))
    slots.put(recovery_slot(key, "A" * 52))
    slots.save(directory)
    return key


def test_old_profile_migrates_with_backup_and_data_kept(profile_dir: Path) -> None:
    key = _v1_profile(profile_dir)
    profile = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    assert schema_version(profile.conn) == LATEST
    names = profile.conn.execute("SELECT name FROM practices").fetchall()
    assert names == [("Demo Practice",)]
    tables = {r[0] for r in profile.conn.execute("SELECT name FROM sqlite_master")}
    assert {"outbox", "claims"} <= tables
    events = [r[0] for r in profile.conn.execute("SELECT event FROM audit ORDER BY seq")]
    assert events == ["profile_created", "schema_migrated", "unlock_ok"]
    assert audit.verify(profile.conn).ok
    profile.close()
    backups = list(profile_dir.glob("vmadesk.db.v1-*.bak"))
    assert len(backups) == 1
    assert not backups[0].read_bytes().startswith(b"SQLite format 3")
    old = connect(backups[0], key)
    assert schema_version(old) == 1
    assert old.execute("SELECT count(*) FROM practices").fetchone()[0] == 1


def test_newer_schema_is_refused(new_profile: profiles.UnlockedProfile) -> None:
    new_profile.conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(SchemaTooNewError, match="Update vmadesk"):
        migrate(new_profile.conn, new_profile.db_path)


def test_fresh_profile_has_no_backup(new_profile: profiles.UnlockedProfile) -> None:
    assert list(new_profile.directory.glob("*.bak")) == []


def test_an_old_profile_moves_its_audit_key_out_of_the_database(profile_dir: Path) -> None:
    from vmadesk.store.keyslots import KeySlots

    _v1_profile(profile_dir)
    legacy = None
    raw = connect(profile_dir / profiles.DB_FILE, _v1_key(profile_dir))
    legacy = audit.legacy_key(raw)
    raw.close()
    assert legacy is not None
    profile = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    assert audit.legacy_key(profile.conn) is None
    seal = KeySlots.load(profile_dir).audit
    assert seal is not None and [first for first, _ in seal.keys] == [1, 2]
    assert audit.verify(profile.conn).ok
    # The old key, still in any copy of the old database, cannot sign what came after.
    assert profile.audit_context is not None
    assert profile.audit_context.key_for(1) == legacy
    assert profile.audit_context.key_for(2) != legacy
    profile.close()
    again = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    assert audit.verify(again.conn).ok
    again.close()


def _v1_key(directory: Path) -> bytes:
    from vmadesk.store.keyslots import KeySlots, derive_from_passphrase

    slot = KeySlots.load(directory).get("passphrase")
    assert slot is not None and slot.kdf is not None
    return slot.unwrap(derive_from_passphrase(PASSPHRASE, slot.salt, slot.kdf))
