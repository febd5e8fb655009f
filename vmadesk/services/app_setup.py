"""What the front end needs of the application itself: name, version, folders, logging.

The logging set-up is the crash hook, Qt's messages, native faults and the log's rotation.

The UI takes these from here, as it takes everything else from services.
"""

from __future__ import annotations

from pathlib import Path

from vmadesk import __version__, app_logging, paths

#: The application's name (window titles, notifications, the settings folder).
APP_NAME = paths.APP_NAME
#: The installed version.
VERSION = __version__


def config_dir() -> Path:
    """The folder of the console's settings."""
    return paths.config_dir()


def handoff_dir() -> Path:
    """Where handoff packets and receipts are written by default."""
    return paths.handoff_dir()


install_excepthook = app_logging.install_excepthook
route_qt_messages = app_logging.route_qt_messages
enable_faulthandler = app_logging.enable_faulthandler
start_rotation = app_logging.start_rotation

__all__ = [
    "APP_NAME",
    "VERSION",
    "config_dir",
    "enable_faulthandler",
    "handoff_dir",
    "install_excepthook",
    "route_qt_messages",
    "start_rotation",
]
