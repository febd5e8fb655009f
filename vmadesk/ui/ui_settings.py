"""Console preferences that carry no PHI, kept in an INI file in the config directory.

Only numbers and layout live here: auto-lock minutes, clipboard-clear seconds, where the
window was and the item table's column order, shown columns and sort.
Anything about a practice or a patient lives in the encrypted store.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from vmadesk.services import app_setup

SETTINGS_FILE = "ui.ini"
DEFAULT_AUTO_LOCK_MINUTES = 5
DEFAULT_CLIPBOARD_SECONDS = 30
AUTO_LOCK_RANGE = (1, 120)
CLIPBOARD_RANGE = (5, 300)


def settings_path() -> Path:
    """The INI file (under the XDG config directory, which tests redirect)."""
    return app_setup.config_dir() / SETTINGS_FILE


def _clamp(value: object, default: int, bounds: tuple[int, int]) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return max(bounds[0], min(bounds[1], number))


class UiSettings:
    """Typed access to the console's non-PHI preferences."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.path.exists():  # a file left 0644 by an older release or another umask
            self.path.chmod(0o600)
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    @property
    def auto_lock_minutes(self) -> int:
        """Minutes without keyboard or mouse input before the console locks."""
        return _clamp(
            self._qs.value("lock/auto_lock_minutes", DEFAULT_AUTO_LOCK_MINUTES),
            DEFAULT_AUTO_LOCK_MINUTES,
            AUTO_LOCK_RANGE,
        )

    @auto_lock_minutes.setter
    def auto_lock_minutes(self, minutes: int) -> None:
        self._qs.setValue(
            "lock/auto_lock_minutes", _clamp(minutes, DEFAULT_AUTO_LOCK_MINUTES, AUTO_LOCK_RANGE)
        )

    @property
    def clipboard_seconds(self) -> int:
        """Seconds before a copied phone number is cleared from the clipboard."""
        return _clamp(
            self._qs.value("privacy/clipboard_seconds", DEFAULT_CLIPBOARD_SECONDS),
            DEFAULT_CLIPBOARD_SECONDS,
            CLIPBOARD_RANGE,
        )

    @clipboard_seconds.setter
    def clipboard_seconds(self, seconds: int) -> None:
        self._qs.setValue(
            "privacy/clipboard_seconds",
            _clamp(seconds, DEFAULT_CLIPBOARD_SECONDS, CLIPBOARD_RANGE),
        )

    def window_geometry(self) -> QByteArray | None:
        """The main window's saved geometry, if any."""
        value = self._qs.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_geometry(self, geometry: QByteArray) -> None:
        """Remember the main window's geometry."""
        self._qs.setValue("window/geometry", geometry)

    def table_header(self) -> QByteArray | None:
        """The item table's saved column order, shown columns and sort (no PHI), if any."""
        value = self._qs.value("table/header")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_table_header(self, state: QByteArray) -> None:
        """Remember the item table's column layout."""
        self._qs.setValue("table/header", state)

    def sync(self) -> None:
        """Write pending changes to disk (owner-only, whatever the process umask)."""
        self._qs.sync()
        if self.path.exists():
            self.path.chmod(0o600)


#: Below this width (logical pixels: 1280×720, or 1920×1080 at 150 %) a first run takes the whole
#: screen: at 85 % the item table would keep only a column or two beside the lanes and details.
SMALL_SCREEN_WIDTH = 1600


def place_window(window: QWidget, settings: UiSettings) -> None:
    """Where the window was last time; on a first run, 85 % of the screen, centred.

    Call before the window is first shown, so that it never jumps once on screen.
    """
    table = getattr(window, "table", None)
    if table is not None and hasattr(table, "keep_columns"):
        table.keep_columns(settings)
    geometry = settings.window_geometry()
    if geometry is not None:
        window.restoreGeometry(geometry)
        return
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    # Never below what the window needs (a small screen at 150 % may need all of it), and
    # centred on the size it will have, so that no edge ends off screen.
    need = window.minimumSizeHint().expandedTo(window.minimumSize())
    size = QSize(int(area.width() * 0.85), int(area.height() * 0.85))
    small = area.width() < SMALL_SCREEN_WIDTH
    if small or need.width() > size.width() or need.height() > size.height():
        # A small screen: all of it but the window frame and title bar, not the bare minimum.
        frame = window.fontMetrics().height()
        size = QSize(area.width() - frame // 2, area.height() - 2 * frame)
    window.resize(size.boundedTo(area.size()))
    left = area.x() + max(0, (area.width() - window.width()) // 2)
    top = area.y() + max(0, (area.height() - window.height()) // 2)
    window.move(left, top)
