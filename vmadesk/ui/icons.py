"""Icons from the top-level ``resources/icons`` folder (hand-written SVG), cached by name.

``resources/`` sits beside the package, not inside it; until it is shipped as package data
the lookup tries the package's resources first and falls back to the source checkout.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtGui import QIcon

import vmadesk


@cache
def icons_dir() -> Path | None:
    """The folder holding the SVG icons, or None when it cannot be found."""
    candidates: list[Path] = []
    try:
        packaged = resources.files("vmadesk").joinpath("resources", "icons")
        candidates.append(Path(str(packaged)))
        beside = resources.files("vmadesk").joinpath("..", "resources", "icons")
        candidates.append(Path(str(beside)))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - odd importers
        pass
    candidates.append(Path(vmadesk.__file__).resolve().parents[1] / "resources" / "icons")
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    return None


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` (file stem), or an empty icon when it is missing."""
    folder = icons_dir()
    if folder is None:
        return QIcon()
    path = folder / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
