"""Where vmadesk keeps its files on this platform.

platformdirs honours the XDG variables on Linux, so tests redirect every directory by
setting ``XDG_DATA_HOME``, ``XDG_CONFIG_HOME``, ``XDG_CACHE_HOME`` and ``XDG_STATE_HOME``.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "vmadesk"


def data_dir() -> Path:
    """Directory that holds profiles (and the embedded hub database)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_profile_dir() -> Path:
    """The profile used when ``--profile`` is not given."""
    return data_dir() / "profile"


def config_dir() -> Path:
    """Non-PHI settings."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Disposable non-PHI cache."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """Rotating logs and crash reports (never PHI)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def handoff_dir() -> Path:
    """Where handoff packets, receipts and reports go unless the VMA picks another folder.

    File names there carry only packet ids, never PHI.
    """
    return Path.home() / "vmadesk-handoffs"
