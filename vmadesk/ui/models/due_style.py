"""How due states look: text, icon and a colour that stays readable in light and dark palettes.

Colour is never the only signal: every state also has its label and a distinct icon shape.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPalette

from vmadesk.domain.vocabulary import DueState
from vmadesk.ui.icons import icon

#: (colour on a light background, colour on a dark background), both >= 4.5:1 contrast.
_COLOURS: dict[DueState, tuple[str, str]] = {
    DueState.OVERDUE: ("#b3261e", "#ff8a80"),
    DueState.DUE_SOON: ("#8a5300", "#ffd180"),
    DueState.ON_TRACK: ("#1b5e20", "#a5d6a7"),
    DueState.PAUSED: ("#3949ab", "#9fa8da"),
}

_ICON_NAMES = {
    DueState.OVERDUE: "state_overdue",
    DueState.DUE_SOON: "state_due_soon",
    DueState.ON_TRACK: "state_on_track",
    DueState.PAUSED: "state_paused",
}


def is_dark(palette: QPalette) -> bool:
    """Whether the palette draws light text on a dark base."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def state_colour(state: DueState, palette: QPalette) -> QColor:
    """Text colour for a due state, chosen for the palette's lightness."""
    light, dark = _COLOURS[state]
    return QColor(dark if is_dark(palette) else light)


def state_icon(state: DueState) -> QIcon:
    """The state's icon (a distinct shape per state)."""
    return icon(_ICON_NAMES[state])


def state_text(state: DueState) -> str:
    """The state's label (shown beside the colour)."""
    return state.label
