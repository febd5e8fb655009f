"""Fixtures shared by every test: platform directories in tmp_path, a safe keyring."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from vmadesk.store import profile as profiles
from vmadesk.store.keyslots import KdfParams

#: Argon2id cost for tests that create many profiles; production uses KdfParams().
FAST_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)
PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def platform_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Redirect every platform directory (data, config, cache, state, temp, home)."""
    dirs = {}
    for name in ("data", "config", "cache", "state", "tmp", "home"):
        d = tmp_path / f"_{name}"
        d.mkdir()
        dirs[name] = d
    monkeypatch.setenv("XDG_DATA_HOME", str(dirs["data"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(dirs["cache"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    monkeypatch.setenv("TMPDIR", str(dirs["tmp"]))
    monkeypatch.setenv("HOME", str(dirs["home"]))
    monkeypatch.delenv(profiles.PASSPHRASE_ENV, raising=False)
    return dirs


@pytest.fixture(autouse=True)
def no_real_keychain(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never touch the developer's keychain unless they set a backend themselves."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    """Where a test's profile lives."""
    return tmp_path / "profile"


@pytest.fixture
def new_profile(profile_dir: Path) -> Iterator[profiles.UnlockedProfile]:
    """A fresh, empty, unlocked profile (passphrase slot + recovery slot)."""
    profile, _ = profiles.create(
        profile_dir, PASSPHRASE, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a CLI subprocess: this test's directories, no real keychain."""
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(extra or {})
    return env


# -- a logged warning is a failure unless the test says it expects one --------------------------


class _WarningRecords(logging.Handler):
    """Collects the WARNING-or-worse records vmadesk's own loggers emit during one test."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "vmadesk" or record.name.startswith("vmadesk."):
            self.records.append(record)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test that made vmadesk log a warning it did not declare (``logs_warnings``).

    A warning nobody expected is a defect someone will meet in a log; a test that provokes one
    on purpose (a refused file, a hub that is down) marks itself
    ``@pytest.mark.logs_warnings``.
    """
    handler = _WarningRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        result = yield
    finally:
        root.removeHandler(handler)
    if handler.records and item.get_closest_marker("logs_warnings") is None:
        first = handler.records[0]
        if os.environ.get("VMADESK_LIST_LOG_WARNINGS"):
            print(f"\nLOGWARN {item.nodeid} {first.name}: {first.getMessage()[:120]}")
        else:
            pytest.fail(
                f"{len(handler.records)} unexpected warning(s) logged, the first by "
                f"{first.name}: {first.getMessage()} (mark the test logs_warnings if expected)"
            )
    return result
