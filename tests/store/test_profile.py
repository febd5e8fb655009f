import json
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.store import audit, key_change, profile_checks, unlock_guard
from vmadesk.store import profile as profiles
from vmadesk.store.errors import (
    AuthenticationError,
    ProfileExistsError,
    ProfileMissingError,
    StoreError,
)
from vmadesk.store.keyslots import KeySlots


def _create(directory: Path) -> tuple[profiles.UnlockedProfile, str]:
    return profiles.create(
        directory, PASSPHRASE, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )


def test_create_writes_only_wrapped_keys(profile_dir: Path) -> None:
    profile, recovery = _create(profile_dir)
    key = profile.key
    profile.close()
    slots_text = (profile_dir / "keyslots.json").read_text()
    assert key.hex() not in slots_text
    for path in profile_dir.iterdir():
        assert key not in path.read_bytes()
        assert key.hex().encode() not in path.read_bytes()
    assert [s.type for s in KeySlots.load(profile_dir).slots] == ["passphrase", "recovery"]
    assert len(recovery.replace("-", "")) == 52
    assert (profile_dir.stat().st_mode & 0o777) == 0o700


def test_unlock_with_passphrase_and_recovery(profile_dir: Path) -> None:
    profile, recovery = _create(profile_dir)
    key = profile.key
    profile.close()
    by_pass = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    assert by_pass.key == key and by_pass.method == "passphrase"
    by_pass.close()
    by_recovery = profiles.unlock(profile_dir, recovery_key=recovery.lower().replace("-", " "))
    assert by_recovery.key == key and by_recovery.method == "recovery"
    events = [r[0] for r in by_recovery.conn.execute("SELECT event FROM audit ORDER BY seq")]
    assert events == ["profile_created", "unlock_ok", "unlock_ok"]
    by_recovery.close()


def test_passphrase_from_environment(profile_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _create(profile_dir)[0].close()
    monkeypatch.setenv("VMADESK_PASSPHRASE", PASSPHRASE)
    profiles.unlock(profile_dir).close()


@pytest.mark.logs_warnings
def test_wrong_passphrase_touches_no_data_and_is_audited_later(profile_dir: Path) -> None:
    _create(profile_dir)[0].close()
    db_before = (profile_dir / "vmadesk.db").read_bytes()
    slots_before = (profile_dir / "keyslots.json").read_bytes()
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="Wrong passphrase"):
            profiles.unlock(profile_dir, passphrase="not the passphrase")
    assert (profile_dir / "vmadesk.db").read_bytes() == db_before
    assert (profile_dir / "keyslots.json").read_bytes() == slots_before
    assert unlock_guard.load(profile_dir).failures == 2
    profile = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    rows = profile.conn.execute(
        "SELECT event, details FROM audit WHERE event = 'unlock_failed'"
    ).fetchall()
    assert rows == [("unlock_failed", json.dumps({"count": 2}, separators=(",", ":")))]
    assert unlock_guard.load(profile_dir).failures == 0
    profile.close()


@pytest.mark.logs_warnings
def test_repeated_failures_back_off(profile_dir: Path) -> None:
    _create(profile_dir)[0].close()
    waits: list[float] = []
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            profiles.unlock(profile_dir, passphrase="wrong wrong", sleep=waits.append)
    # Three free tries, then 1 s, 2 s (minus the few ms the test took).
    assert len(waits) == 2
    assert 0.5 < waits[0] <= 1.0 and 1.5 < waits[1] <= 2.0
    state = unlock_guard.load(profile_dir)
    assert state.delay_before_next(state.last_failure) == 4.0


@pytest.mark.logs_warnings
def test_wrong_recovery_key(profile_dir: Path) -> None:
    _create(profile_dir)[0].close()
    with pytest.raises(AuthenticationError, match="recovery"):
        profiles.unlock(profile_dir, recovery_key="AAAA-" * 12 + "AAAA")
    with pytest.raises(AuthenticationError, match="not a vmadesk recovery key"):
        profiles.unlock(profile_dir, recovery_key="hello")


def test_no_passphrase_and_no_prompt_is_an_authentication_error(profile_dir: Path) -> None:
    _create(profile_dir)[0].close()
    with pytest.raises(AuthenticationError, match="VMADESK_PASSPHRASE"):
        profiles.unlock(profile_dir)


def test_create_refuses_existing_and_short(profile_dir: Path, tmp_path: Path) -> None:
    _create(profile_dir)[0].close()
    with pytest.raises(ProfileExistsError):
        _create(profile_dir)
    with pytest.raises(AuthenticationError, match="at least"):
        profiles.create(tmp_path / "p2", "short", vma_handle="x", keychain_choice="no")
    with pytest.raises(ProfileMissingError):
        profiles.unlock(tmp_path / "nowhere", passphrase=PASSPHRASE)


@pytest.mark.logs_warnings
def test_change_passphrase(profile_dir: Path) -> None:
    profile, _ = _create(profile_dir)
    key_change.change_passphrase(profile, "a brand new passphrase", kdf=FAST_KDF)
    profile.close()
    with pytest.raises(AuthenticationError):
        profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    again = profiles.unlock(profile_dir, passphrase="a brand new passphrase")
    assert audit.verify(again.conn).ok
    again.close()


@pytest.mark.logs_warnings
def test_rotate_key_rewrites_every_slot(profile_dir: Path) -> None:
    profile, old_recovery = _create(profile_dir)
    with profile.conn:
        profile.conn.execute("INSERT INTO settings (key, value) VALUES ('kept', 'yes')")
    old_key = profile.key
    new_recovery = key_change.rotate_key(profile, PASSPHRASE, kdf=FAST_KDF)
    assert profile.key != old_key
    profile.close()
    with pytest.raises(AuthenticationError):
        profiles.unlock(profile_dir, recovery_key=old_recovery)
    reopened = profiles.unlock(profile_dir, recovery_key=new_recovery)
    assert reopened.key != old_key
    value = reopened.conn.execute("SELECT value FROM settings WHERE key = 'kept'").fetchone()
    assert value == ("yes",)
    events = [r[0] for r in reopened.conn.execute("SELECT event FROM audit")]
    assert "key_rotated" in events
    assert audit.verify(reopened.conn).ok
    reopened.close()
    assert not (profile_dir / profiles.PENDING_SLOTS_FILE).exists()


def test_interrupted_rotation_still_opens(profile_dir: Path) -> None:
    """Crash after rekey but before the new slots replaced the old: nothing is lost."""
    from vmadesk.store.connection import rekey
    from vmadesk.store.keyslots import passphrase_slot, recovery_slot

    profile, _ = _create(profile_dir)
    import secrets

    new_key = secrets.token_bytes(32)
    pending = KeySlots(profile.profile_id)
    pending.put(passphrase_slot(new_key, PASSPHRASE, FAST_KDF))
    pending.put(recovery_slot(new_key, "A" * 52))
    pending.save(profile_dir, profiles.PENDING_SLOTS_FILE)
    rekey(profile.conn, new_key)
    profile.close()  # "crash": keyslots.json still wraps the old key
    reopened = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    assert reopened.key == new_key
    assert not (profile_dir / profiles.PENDING_SLOTS_FILE).exists()
    reopened.close()
    profiles.unlock(profile_dir, passphrase=PASSPHRASE).close()


def test_integrity_check_passes_then_catches_damage(profile_dir: Path) -> None:
    profile, _ = _create(profile_dir)
    assert profile_checks.integrity_check(profile) == []
    profile.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    profile.close()
    db = profile_dir / "vmadesk.db"
    data = bytearray(db.read_bytes())
    data[4096 + 100] ^= 0xFF  # flip a byte in page 2
    db.write_bytes(bytes(data))
    try:
        damaged = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    except StoreError:
        return  # refusing to open a damaged file is also a correct outcome
    assert profile_checks.integrity_check(damaged) != []
    damaged.close()


def test_new_passphrase_must_differ(profile_dir: Path) -> None:
    profile, _ = _create(profile_dir)
    with pytest.raises(AuthenticationError, match="is the current one"):
        key_change.change_passphrase(profile, PASSPHRASE, kdf=FAST_KDF)
    key_change.change_passphrase(profile, "something else entirely", kdf=FAST_KDF)
    assert unlock_guard.load(profile_dir).failures == 0
    profile.close()
