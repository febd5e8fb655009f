"""Every way an unlock can go wrong gets its own clear message; only a wrong secret counts."""

from __future__ import annotations

import base64
import errno
import json
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.store import audit, keyslots, unlock_guard
from vmadesk.store import profile as profiles
from vmadesk.store.errors import (
    AuthenticationError,
    DatabaseDamagedError,
    DatabaseMismatchError,
    KeySlotsDamagedError,
    StoreError,
)
from vmadesk.store.keyslots import KdfParams, KeySlots


def _create(directory: Path, passphrase: str = PASSPHRASE) -> str:
    profile, recovery = profiles.create(
        directory, passphrase, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )
    profile.close()
    return recovery


def _slots_json(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "keyslots.json").read_text())


def _passphrase_slot(data: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in data["slots"] if s["type"] == "passphrase")


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(data: dict[str, Any]) -> Any:
        target: Any = data
        for part in path[:-1]:
            target = _passphrase_slot(target) if part == "pass" else target[part]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return data

    return change


_DELETE = object()
_DAMAGE: dict[str, Callable[[dict[str, Any]], Any]] = {
    "an array": lambda _d: [1, 2, 3],
    "null": lambda _d: None,
    "a string": lambda _d: "keyslots",
    "no format": _set(["format"], _DELETE),
    "no profile id": _set(["profile_id"], _DELETE),
    "profile id a number": _set(["profile_id"], 7),
    "no slots": _set(["slots"], _DELETE),
    "slots an object": _set(["slots"], {}),
    "empty slot list": _set(["slots"], []),
    "a slot null": _set(["slots"], [None]),
    "unknown slot type": _set(["pass", "type"], "fingerprint"),
    "no box": _set(["pass", "box"], _DELETE),
    "box not base64": _set(["pass", "box"], "!!not base64!!"),
    "box a number": _set(["pass", "box"], 12),
    "box short": _set(["pass", "box"], base64.b64encode(b"x" * 10).decode()),
    "salt short": _set(["pass", "salt"], base64.b64encode(b"x" * 4).decode()),
    "salt missing": _set(["pass", "salt"], _DELETE),
    "no kdf": _set(["pass", "kdf"], _DELETE),
    "kdf a list": _set(["pass", "kdf"], [1, 2]),
    "other algorithm": _set(["pass", "kdf", "alg"], "scrypt"),
    "absurd memory": _set(["pass", "kdf", "m"], 2**40),
    "absurd time": _set(["pass", "kdf", "t"], 10**9),
    "zero parallelism": _set(["pass", "kdf", "p"], 0),
    "memory a float": _set(["pass", "kdf", "m"], 8192.5),
    "memory a boolean": _set(["pass", "kdf", "m"], True),
    "memory a string": _set(["pass", "kdf", "m"], "8192"),
    "audit not an object": _set(["audit"], 5),
    "audit keys empty": _set(["audit", "keys"], []),
    "anchor seq negative": _set(["audit", "anchor", "seq"], -1),
    "salt of db not base64": _set(["db_salt"], "%%%"),
}


@pytest.mark.parametrize("shape", sorted(_DAMAGE))
def test_every_damaged_slot_file_is_a_clear_refusal(
    profile_dir: Path, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create(profile_dir)
    data = _DAMAGE[shape](_slots_json(profile_dir))
    (profile_dir / "keyslots.json").write_text(json.dumps(data))

    def no_argon2(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("Argon2 ran on a damaged slot")

    import argon2.low_level

    monkeypatch.setattr(argon2.low_level, "hash_secret_raw", no_argon2)
    with pytest.raises(KeySlotsDamagedError, match=r"keyslots\.json is damaged") as caught:
        profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    assert caught.value.exit_code == 2
    assert unlock_guard.load(profile_dir).failures == 0


@pytest.mark.parametrize("content", [b"", b"\x00" * 64, b"\xff\xfe{", b"[" * 100_000])
def test_unreadable_slot_files(profile_dir: Path, content: bytes) -> None:
    _create(profile_dir)
    (profile_dir / "keyslots.json").write_bytes(content)
    with pytest.raises(KeySlotsDamagedError, match="not valid JSON"):
        profiles.unlock(profile_dir, passphrase=PASSPHRASE)


def test_a_folder_in_place_of_the_slot_file(profile_dir: Path) -> None:
    _create(profile_dir)
    (profile_dir / "keyslots.json").unlink()
    (profile_dir / "keyslots.json").mkdir()
    with pytest.raises(KeySlotsDamagedError, match="a folder"):
        profiles.unlock(profile_dir, passphrase=PASSPHRASE)


def test_absurd_kdf_refused_before_argon2_allocates() -> None:
    with pytest.raises(KeySlotsDamagedError, match="memory"):
        keyslots.derive_from_passphrase("x" * 10, b"s" * 16, KdfParams(1, 2**40, 1))
    with pytest.raises(KeySlotsDamagedError, match="salt"):
        keyslots.derive_from_passphrase("x" * 10, b"s", FAST_KDF)


# -- the database, not the passphrase ---------------------------------------------------------


def _damage_db(directory: Path, how: str, tmp_path: Path) -> None:
    db = directory / "vmadesk.db"
    size = db.stat().st_size
    if how == "another profile":
        _create(tmp_path / "other")
        db.write_bytes((tmp_path / "other" / "vmadesk.db").read_bytes())
    elif how == "truncated to nothing":
        db.write_bytes(b"")
    elif how == "truncated mid-page":
        db.write_bytes(db.read_bytes()[:5000])
    elif how == "zeroed":
        db.write_bytes(b"\x00" * size)
    elif how == "random bytes":
        db.write_bytes(os.urandom(size + 100))
    elif how == "first page garbled":
        data = bytearray(db.read_bytes())
        data[100:4000] = os.urandom(3900)
        db.write_bytes(bytes(data))
    elif how == "a folder":
        db.unlink()
        db.mkdir()


@pytest.mark.parametrize(
    ("how", "error", "words"),
    [
        ("another profile", DatabaseMismatchError, "does not belong to this profile"),
        ("truncated to nothing", DatabaseDamagedError, "damaged — restore from backup"),
        ("truncated mid-page", DatabaseDamagedError, "damaged — restore from backup"),
        ("zeroed", DatabaseDamagedError, "damaged — restore from backup"),
        ("random bytes", DatabaseDamagedError, "damaged — restore from backup"),
        ("first page garbled", DatabaseDamagedError, "damaged — restore from backup"),
        ("a folder", DatabaseDamagedError, "damaged — restore from backup"),
    ],
)
@pytest.mark.logs_warnings
def test_a_bad_database_is_not_a_wrong_passphrase(
    profile_dir: Path, tmp_path: Path, how: str, error: type[StoreError], words: str
) -> None:
    recovery = _create(profile_dir)
    for name in ("vmadesk.db-wal", "vmadesk.db-shm"):
        (profile_dir / name).unlink(missing_ok=True)
    _damage_db(profile_dir, how, tmp_path)
    with pytest.raises(error, match=words):
        profiles.unlock(profile_dir, passphrase=PASSPHRASE)
    with pytest.raises(error, match=words):
        profiles.unlock(profile_dir, recovery_key=recovery)
    assert unlock_guard.load(profile_dir).failures == 0
    with pytest.raises(AuthenticationError, match="Wrong passphrase"):
        profiles.unlock(profile_dir, passphrase="truly not the passphrase")
    assert unlock_guard.load(profile_dir).failures == 1


def test_an_older_slot_file_learns_the_database_salt(profile_dir: Path, tmp_path: Path) -> None:
    _create(profile_dir)
    data = _slots_json(profile_dir)
    salt = data.pop("db_salt")
    (profile_dir / "keyslots.json").write_text(json.dumps(data))
    profiles.unlock(profile_dir, passphrase=PASSPHRASE).close()
    assert _slots_json(profile_dir)["db_salt"] == salt


# -- back-off ----------------------------------------------------------------------------------


def _state(directory: Path, failures: int, last_failure: float) -> None:
    (directory / unlock_guard.STATE_FILE).write_text(
        json.dumps({"failures": failures, "last_failure": last_failure})
    )


def test_back_off_with_a_failure_time_in_the_future_is_clamped(profile_dir: Path) -> None:
    _create(profile_dir)
    now = 1_900_000_000.0
    _state(profile_dir, 6, now + 86_400 * 365)  # the clock was set back a year
    waits: list[float] = []
    assert unlock_guard.wait_turn(profile_dir, sleep=waits.append, clock=lambda: now) == 8.0
    assert waits == [8.0]
    # Clamped in the file too: eight seconds later nothing is owed.
    assert unlock_guard.wait_turn(profile_dir, sleep=waits.append, clock=lambda: now + 8) == 0.0


@pytest.mark.parametrize(
    "state",
    [
        {"failures": 10**9, "last_failure": 0},
        {"failures": 50, "last_failure": 1e308},
        {"failures": 5, "last_failure": "NaN"},
        {"failures": -4, "last_failure": 0},
        {"failures": True, "last_failure": 0},
        [1, 2],
    ],
)
def test_back_off_is_bounded_whatever_the_state_file_says(profile_dir: Path, state: object) -> None:
    _create(profile_dir)
    (profile_dir / unlock_guard.STATE_FILE).write_text(json.dumps(state).replace('"NaN"', "NaN"))
    waits: list[float] = []
    unlock_guard.wait_turn(profile_dir, sleep=waits.append, clock=lambda: 1_000.0)
    assert all(0 < w <= unlock_guard.MAX_DELAY_S for w in waits)


# -- Unicode passphrases -------------------------------------------------------------------------

COMPOSED = unicodedata.normalize("NFC", "Zoë café Ångström")
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def test_passphrase_typed_composed_or_decomposed_opens(profile_dir: Path) -> None:
    assert COMPOSED != DECOMPOSED
    _create(profile_dir, DECOMPOSED)
    profiles.unlock(profile_dir, passphrase=COMPOSED).close()
    profiles.unlock(profile_dir, passphrase=DECOMPOSED).close()


def _old_style_slot(directory: Path, key: bytes, raw_passphrase: str) -> None:
    """A passphrase slot as releases before normalising wrote it (Argon2 of the raw text)."""
    salt = os.urandom(16)
    wrapping = keyslots.derive_from_passphrase(raw_passphrase, salt, FAST_KDF)
    slots = KeySlots.load(directory)
    slots.put(keyslots.Slot("passphrase", keyslots.wrap(key, wrapping), salt=salt, kdf=FAST_KDF))
    slots.save(directory)


@pytest.mark.parametrize("typed", [COMPOSED, DECOMPOSED])
def test_an_old_decomposed_slot_opens_and_is_rewritten(profile_dir: Path, typed: str) -> None:
    profile, _ = profiles.create(
        profile_dir, PASSPHRASE, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )
    key = profile.key
    profile.close()
    _old_style_slot(profile_dir, key, DECOMPOSED)
    before = _passphrase_slot(_slots_json(profile_dir))
    opened = profiles.unlock(profile_dir, passphrase=typed)
    assert opened.key == key
    opened.close()
    after = _passphrase_slot(_slots_json(profile_dir))
    assert after["salt"] != before["salt"]
    # Now derived from NFC: the composed form opens at the first derivation.
    slot = KeySlots.load(profile_dir).get("passphrase")
    assert slot is not None
    wrapping = keyslots.derive_from_passphrase(COMPOSED, slot.salt, FAST_KDF)
    assert slot.unwrap(wrapping) == key


# -- full disk, read-only folder -------------------------------------------------------------------


def _enospc(_fd: int) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_wrong_passphrase_on_a_full_disk_leaves_no_stray_files(
    profile_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create(profile_dir)
    before = sorted(p.name for p in profile_dir.iterdir())
    monkeypatch.setattr(os, "fsync", _enospc)
    with pytest.raises(StoreError, match="disk is full"):
        profiles.unlock(profile_dir, passphrase="truly not the passphrase")
    assert sorted(p.name for p in profile_dir.iterdir()) == before


def test_a_read_only_folder_is_one_clear_line(
    profile_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create(profile_dir)
    import tempfile

    def read_only(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(StoreError, match="read-only"):
        profiles.unlock(profile_dir, passphrase="truly not the passphrase")
    assert not [p for p in profile_dir.iterdir() if p.name.startswith(".unlock-")]


@pytest.mark.logs_warnings
def test_every_file_in_the_profile_is_private(profile_dir: Path) -> None:
    old = os.umask(0o022)  # as a caller that never set one
    try:
        _create(profile_dir)
        with pytest.raises(AuthenticationError):
            profiles.unlock(profile_dir, passphrase="truly not the passphrase")
        profile = profiles.unlock(profile_dir, passphrase=PASSPHRASE)
        assert audit.verify(profile.conn).ok
        profile.close()
    finally:
        os.umask(old)
    assert profile_dir.stat().st_mode & 0o777 == 0o700
    for path in profile_dir.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_in_place_of_either_state_file_is_refused_at_once(profile_dir: Path) -> None:
    _create(profile_dir)
    os.mkfifo(profile_dir / unlock_guard.STATE_FILE)  # would block a plain open() forever
    assert unlock_guard.load(profile_dir).failures == 0
    (profile_dir / "keyslots.json").unlink()
    os.mkfifo(profile_dir / "keyslots.json")
    with pytest.raises(KeySlotsDamagedError, match="not a regular file"):
        profiles.unlock(profile_dir, passphrase=PASSPHRASE)


def test_a_huge_slot_file_is_refused_without_reading_it(profile_dir: Path) -> None:
    _create(profile_dir)
    with (profile_dir / "keyslots.json").open("r+b") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(KeySlotsDamagedError, match="too large"):
        profiles.unlock(profile_dir, passphrase=PASSPHRASE)
