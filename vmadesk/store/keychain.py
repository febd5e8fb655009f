"""The OS keychain, through ``keyring``, always called off the caller's thread with a timeout.

A locked SecretService can block indefinitely; the console must never hang on it.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

SERVICE = "vmadesk"
DEFAULT_TIMEOUT_S = 5.0


@cache
def _pool() -> ThreadPoolExecutor:
    # Made on first use: a profile unlocked by passphrase never loads or starts it.
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="keychain")


class KeychainUnavailable(Exception):
    """No usable keychain, or it did not answer in time."""


def _keyring() -> Any:
    # keyring scans entry points on import (~45 ms): load it only when a slot needs it.
    import keyring
    import keyring.errors

    return keyring


def backend_name() -> str:
    """Name of the active keyring backend (for ``profile info``)."""
    backend = _keyring().get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def is_available() -> bool:
    """Whether a real keychain backend is configured (not the fail/null backends)."""
    backend = _keyring().get_keyring()
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    try:
        return float(backend.priority) > 0  # type: ignore[arg-type]
    except Exception:  # a backend whose priority check fails is not usable
        return False


def _call(fn, *args: str, timeout: float) -> object:  # type: ignore[no-untyped-def]
    future = _pool().submit(fn, *args)
    try:
        return future.result(timeout=timeout)
    except TimeoutError:  # concurrent.futures.TimeoutError is this builtin since 3.11
        raise KeychainUnavailable(
            f"The OS keychain did not answer within {timeout:.0f} s (is it locked?)."
        ) from None
    except _keyring().errors.KeyringError as exc:
        raise KeychainUnavailable(f"The OS keychain refused: {type(exc).__name__}.") from None


def store_secret(account: str, secret_hex: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Store a wrapping key (hex) under ``account`` (the profile id, never PHI)."""
    if not is_available():
        raise KeychainUnavailable("No OS keychain is available on this machine.")
    _call(_keyring().set_password, SERVICE, account, secret_hex, timeout=timeout)


def fetch_secret(account: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> str | None:
    """Return the stored wrapping key for ``account``, or None if there is none."""
    if not is_available():
        raise KeychainUnavailable("No OS keychain is available on this machine.")
    value = _call(_keyring().get_password, SERVICE, account, timeout=timeout)
    return value if isinstance(value, str) else None


def delete_secret(account: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Remove the stored wrapping key for ``account`` (missing is fine)."""
    if not is_available():
        return
    try:
        _call(_keyring().delete_password, SERVICE, account, timeout=timeout)
    except KeychainUnavailable:
        log.warning("could not delete a keychain entry")
