"""Key rotation killed between any two writes leaves one complete, working key set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.store import audit, key_change
from vmadesk.store import profile as profiles
from vmadesk.store.errors import AuthenticationError, StoreError


def _create(directory: Path) -> tuple[bytes, str]:
    profile, recovery = profiles.create(
        directory, PASSPHRASE, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )
    key = profile.key
    profile.close()
    return key, recovery


def _rotation_steps(tmp_path: Path) -> list[str]:
    directory = tmp_path / "dry-run"
    _create(directory)
    steps: list[str] = []
    profile = profiles.unlock(directory, passphrase=PASSPHRASE)
    key_change.rotate_key(profile, PASSPHRASE, kdf=FAST_KDF, step=steps.append)
    profile.close()
    return steps


_CHILD = """
import os, sys
from pathlib import Path
from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.store import key_change
from vmadesk.store import profile as profiles

directory, stop, shown_file = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
profile = profiles.unlock(directory, passphrase=PASSPHRASE, use_keychain=False)

def show(recovery):
    shown_file.write_text(recovery)

def step(name):
    if name == stop:
        os._exit(0)  # a kill: no cleanup, no close, no rollback

key_change.rotate_key(profile, PASSPHRASE, kdf=FAST_KDF, show=show, step=step)
os._exit(3)  # the stop was never reached
"""


def _rotate_and_die_at(directory: Path, stop: str, shown_file: Path) -> None:
    """Rotate in a child process that ends on the spot at ``stop``, as ``kill -9`` would."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(directory), stop, str(shown_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"the child did not stop at {stop!r}: {done.stderr}"


def _opens(directory: Path, **secret: str) -> bytes | None:
    try:
        profile = profiles.unlock(directory, use_keychain=False, **secret)
    except AuthenticationError:
        return None
    try:
        assert audit.verify(profile.conn).ok
        return profile.key
    finally:
        profile.close()


@pytest.mark.logs_warnings
def test_a_rotation_killed_after_any_write_keeps_one_full_key_set(tmp_path: Path) -> None:
    steps = _rotation_steps(tmp_path)
    assert "recovery key shown" in steps and "database re-keyed" in steps
    for n, stop in enumerate(steps):
        directory = tmp_path / f"kill-{n}"
        old_key, old_recovery = _create(directory)
        if n % 2:  # a schema backup on disk for half of the runs: its removal is a step too
            (directory / "vmadesk.db.v1-20260101T000000Z.bak").write_bytes(b"x")
        shown_file = tmp_path / f"shown-{n}"
        _rotate_and_die_at(directory, stop, shown_file)
        shown = shown_file.read_text() if shown_file.exists() else None

        # Old set first: the recovery key alone, then the passphrase.
        by_old_recovery = _opens(directory, recovery_key=old_recovery)
        by_passphrase = _opens(directory, passphrase=PASSPHRASE)
        assert by_passphrase is not None, stop
        if by_passphrase == old_key:
            assert by_old_recovery == old_key, stop  # the old set, in full
            if shown is not None:
                assert _opens(directory, recovery_key=shown) is None, stop
        else:
            # The new set, in full, and its recovery key was shown before it worked.
            assert shown is not None, stop
            assert by_old_recovery is None, stop
            assert _opens(directory, recovery_key=shown) == by_passphrase, stop
        assert not (directory / profiles.PENDING_SLOTS_FILE).exists(), stop


def test_an_undone_rotation_says_the_shown_recovery_key_is_void(profile_dir: Path) -> None:
    old_key, old_recovery = _create(profile_dir)
    profile = profiles.unlock(profile_dir, passphrase=PASSPHRASE)

    class Stop(BaseException):
        pass

    def step(name: str) -> None:
        if name == "recovery key shown":
            raise Stop

    with pytest.raises(Stop):
        key_change.rotate_key(profile, PASSPHRASE, kdf=FAST_KDF, step=step)
    profile.close()
    again = profiles.unlock(profile_dir, recovery_key=old_recovery)
    assert again.key == old_key
    assert any("recovery key it showed does not" in n for n in again.notices)
    again.close()


def test_rotation_needs_the_current_passphrase(new_profile: profiles.UnlockedProfile) -> None:
    with pytest.raises(AuthenticationError, match="not rotated"):
        key_change.rotate_key(new_profile, "not the passphrase", kdf=FAST_KDF)


def test_rotation_on_a_full_disk_changes_nothing(
    profile_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key, old_recovery = _create(profile_dir)
    profile = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    import errno

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    shown: list[str] = []
    with pytest.raises(StoreError, match="disk is full"):
        key_change.rotate_key(profile, PASSPHRASE, kdf=FAST_KDF, show=shown.append)
    monkeypatch.undo()
    profile.close()
    assert shown == []
    assert sorted(p.name for p in profile_dir.iterdir() if p.name.startswith(".")) == []
    assert _opens(profile_dir, recovery_key=old_recovery) == old_key


def test_the_keychain_slot_survives_a_rotation_stopped_at_any_step(tmp_path: Path) -> None:
    """The keychain entry is not rewritten by a rotation, so the old keychain slot works
    until the new key is in force and the new one after."""
    import keyring

    from tests.store.test_keychain import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    steps = _rotation_steps(tmp_path)

    class Stop(BaseException):
        pass

    for n, stop in enumerate(steps):
        directory = tmp_path / f"keychain-{n}"
        profile, _ = profiles.create(
            directory, PASSPHRASE, vma_handle="ana.r", keychain_choice="yes", kdf=FAST_KDF
        )

        def step(name: str, stop: str = stop) -> None:
            if name == stop:
                raise Stop

        with pytest.raises(Stop):
            key_change.rotate_key(profile, PASSPHRASE, kdf=FAST_KDF, step=step)
        profile.conn.close()
        opened = profiles.unlock(directory)
        assert opened.method == "keychain", (stop, opened.notices)
        assert not any("keychain" in notice for notice in opened.notices), stop
        opened.close()


def test_the_slot_file_is_locked_against_other_processes(
    new_profile: profiles.UnlockedProfile,
) -> None:
    """A terminal changing the passphrase while the console advances the audit anchor: each
    read-modify-write of the slot file holds a lock the other process must wait for."""
    pytest.importorskip("fcntl")
    from vmadesk.store.keyslots import LOCK_FILE, slots_locked

    probe = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        "try:\n"
        "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError:\n"
        "    sys.exit(7)\n"
    )
    lock = str(new_profile.directory / LOCK_FILE)
    with slots_locked(new_profile.directory), slots_locked(new_profile.directory):
        held = subprocess.run([sys.executable, "-c", probe, lock], timeout=60)
    free = subprocess.run([sys.executable, "-c", probe, lock], timeout=60)
    assert (held.returncode, free.returncode) == (7, 0)
