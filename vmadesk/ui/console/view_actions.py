"""The View and Help menus' actions: search, refresh, the lane entries and the shortcut sheet.

Each handler is one of the window's own view methods; the specs give their keys to the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.console.registry import ActionSpec
from vmadesk.ui.widgets.lane_list import DONE_TODAY, ESCALATIONS, MY_SHIFT, LaneKey


def _choose(key: LaneKey) -> Callable[[Any], None]:
    """A handler that shows the lane entry ``key`` in the window's lane list."""

    def handler(window: Any) -> None:
        window.lanes.choose(key)

    return handler


def _lane_specs() -> tuple[ActionSpec, ...]:
    """My shift (Ctrl+0), each lane (Ctrl+1…), Escalations and Done today."""
    specs = [
        ActionSpec(
            "lane_shift",
            "&My shift",
            ("Ctrl+0",),
            "View",
            _choose(MY_SHIFT),
            "my_shift",
            separator_before=True,
        )
    ]
    specs += [
        ActionSpec(
            f"lane_{lane.value}",
            lane.label,
            # Escalations and Done today keep Ctrl+4 and Ctrl+5: lanes after the third take
            # the keys after them, so no VMA's learnt key changes.
            (f"Ctrl+{n if n <= 3 else n + 2}",),
            "View",
            _choose(lane),
            f"lane_{lane.value}",
        )
        for n, lane in enumerate(Lane, start=1)
    ]
    specs += [
        ActionSpec(
            "lane_escalations",
            "&Escalations",
            ("Ctrl+4",),
            "View",
            _choose(ESCALATIONS),
            "escalations",
        ),
        ActionSpec(
            "lane_done_today",
            "&Done today",
            ("Ctrl+5",),
            "View",
            _choose(DONE_TODAY),
            "done_today",
        ),
    ]
    return tuple(specs)


#: The View menu, then Help's shortcut sheet (which stays usable while locked, as before).
VIEW_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("search", "&Search", ("Ctrl+F", "/"), "View", lambda w: w.focus_search(), "search"),
    ActionSpec("refresh", "&Refresh", ("F5",), "View", lambda w: w.refresh(), "refresh"),
    *_lane_specs(),
    ActionSpec(
        "shortcuts",
        "&Keyboard shortcuts",
        ("?",),
        "Help",
        lambda w: w.show_shortcuts(),
        "help",
        allowed_while_locked=True,
    ),
)
