"""Keychain slot through the real keyring API: in-memory, fail and SecretService backends."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.store import key_change, keychain
from vmadesk.store import profile as profiles
from vmadesk.store.errors import AuthenticationError, StoreError
from vmadesk.store.keyslots import KeySlots


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps entries in a dict (a real backend of the keyring API)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


class BlockingKeyring(MemoryKeyring):
    """A keychain that never answers, like a locked SecretService waiting for a prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None


def _create(directory: Path, choice: profiles.KeychainChoice = "auto") -> profiles.UnlockedProfile:
    profile, _ = profiles.create(
        directory, PASSPHRASE, vma_handle="ana.r", keychain_choice=choice, kdf=FAST_KDF
    )
    return profile


def test_memory_backend_opens_without_passphrase(profile_dir: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    _create(profile_dir).close()
    assert [s.type for s in KeySlots.load(profile_dir).slots] == [
        "passphrase",
        "recovery",
        "keychain",
    ]
    stored = next(iter(backend.entries.values()))
    assert stored not in (profile_dir / "keyslots.json").read_text()
    opened = profiles.unlock(profile_dir)
    assert opened.method == "keychain"
    assert opened.notices == []
    opened.close()


def test_fail_backend_never_silently_downgrades(profile_dir: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    profile = _create(profile_dir)
    assert any("No OS keychain" in n for n in profile.notices)
    profile.close()
    assert "keychain" not in [s.type for s in KeySlots.load(profile_dir).slots]
    with pytest.raises(StoreError, match="No OS keychain"):
        _create(profile_dir.parent / "required", choice="yes")


def test_keychain_lost_later_is_reported(profile_dir: Path) -> None:
    keyring.set_keyring(MemoryKeyring())
    _create(profile_dir).close()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(AuthenticationError):
        profiles.unlock(profile_dir)
    opened = profiles.unlock(profile_dir, prompt=lambda _label: PASSPHRASE)
    assert opened.method == "passphrase"
    assert any("keychain" in n.lower() for n in opened.notices)
    opened.close()


def test_blocking_keychain_times_out(monkeypatch: pytest.MonkeyPatch, profile_dir: Path) -> None:
    backend = BlockingKeyring()
    keyring.set_keyring(MemoryKeyring())
    _create(profile_dir).close()
    keyring.set_keyring(backend)
    monkeypatch.setattr(keychain, "DEFAULT_TIMEOUT_S", 0.3)
    monkeypatch.setattr(keychain.fetch_secret, "__kwdefaults__", {"timeout": 0.3})
    try:
        opened = profiles.unlock(profile_dir, prompt=lambda _label: PASSPHRASE)
        assert opened.method == "passphrase"
        assert any("did not answer" in n for n in opened.notices)
        opened.close()
    finally:
        backend.release.set()


def test_rotation_rewrites_keychain_slot(profile_dir: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    profile = _create(profile_dir)
    key_change.rotate_key(profile, PASSPHRASE, kdf=FAST_KDF)
    new_key = profile.key
    profile.close()
    opened = profiles.unlock(profile_dir)
    assert opened.method == "keychain" and opened.key == new_key
    opened.close()


_NEEDS_SS = os.environ.get("VMADESK_REQUIRE_SECRETSERVICE") == "1"


@pytest.mark.secretservice
def test_real_secret_service(profile_dir: Path) -> None:
    """The real SecretService over D-Bus (CI runs gnome-keyring-daemon for this)."""
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        usable = os.environ.get("DBUS_SESSION_BUS_ADDRESS") and backend.priority > 0
    except Exception:
        usable = False
    if not usable:
        if _NEEDS_SS:
            pytest.fail("SecretService required (VMADESK_REQUIRE_SECRETSERVICE=1) but unusable")
        pytest.skip("no SecretService on this machine")
    keyring.set_keyring(backend)
    _create(profile_dir).close()
    slots = KeySlots.load(profile_dir)
    assert slots.get("keychain") is not None
    opened = profiles.unlock(profile_dir)
    assert opened.method == "keychain"
    opened.close()
    keychain.delete_secret(slots.profile_id)
    assert keychain.fetch_secret(slots.profile_id) is None
