"""Icons shipped as package data (``vmadesk/resources/icons``, hand-written SVG), cached by name."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtGui import QIcon

from vmadesk.domain.vocabulary import Lane


@cache
def icons_dir() -> Path:
    """The folder holding the SVG icons (inside the installed package, or the checkout)."""
    return Path(str(resources.files("vmadesk").joinpath("resources", "icons")))


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` (file stem), or an empty icon when it is missing."""
    path = icons_dir() / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def lane_icon_name(lane: Lane) -> str:
    """The icon of ``lane``'s entry in the lane list: ``lane_<code>.svg``, one per lane.

    A naming rule rather than a field of the lane's form, so that the lane list is drawn
    without loading any lane's form or rules (the console's first paint needs neither).
    """
    return f"lane_{Lane(lane).value}"
