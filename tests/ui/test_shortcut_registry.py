"""Every key in the console does one thing: no two actions share a shortcut.

Qt fires neither action of an ambiguous shortcut (it reports "ambiguous" and does nothing),
so a clash silently takes a key away from the VMA.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtGui import QAction, QKeySequence

from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.ui_settings import UiSettings


def test_no_two_actions_share_a_key(window, ctx) -> None:
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    try:
        owners: dict[str, set[str]] = defaultdict(set)
        for action in window.findChildren(QAction):
            for key in action.shortcuts():
                text = key.toString(QKeySequence.SequenceFormat.PortableText)
                if text:
                    owners[text].add(action.text().replace("&", ""))
        clashes = {key: names for key, names in owners.items() if len(names) > 1}
        assert not clashes, clashes
        assert owners  # the window's actions were found
    finally:
        shell.shutdown()
