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


def test_the_lock_reads_allowed_while_locked_from_the_registry(window, ctx) -> None:
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    try:
        registry = window.registry
        assert {"lock", "quit", "call", "start_shift", "import"} <= set(registry.specs)
        window.item_actions.next_most_urgent()  # an item shown: its actions are on
        assert window.actions_by_name["attempt"].isEnabled()
        shell.lock.lock("manual")
        enabled = {name for name, a in registry.actions.items() if a.isEnabled()}
        allowed = {name for name, s in registry.specs.items() if s.allowed_while_locked}
        assert enabled == allowed
        assert {"lock", "quit"} <= allowed and "attempt" not in allowed
    finally:
        shell.shutdown()


def test_actions_that_need_an_item_wait_for_one(window) -> None:
    registry = window.registry
    needing = [name for name, spec in registry.specs.items() if spec.needs_item is not None]
    assert {"call", "attempt", "outcome", "hold", "fail", "note", "reopen"} <= set(needing)
    window.detail.clear()
    assert not any(registry.actions[name].isEnabled() for name in needing)
    window.item_actions.next_most_urgent()
    item = window.current_item()
    assert item is not None
    for name in needing:
        fits = registry.specs[name].needs_item(item)
        assert registry.actions[name].isEnabled() == fits, name
    # Actions that need no item are on whatever is shown.
    assert window.actions_by_name["next"].isEnabled()


def test_the_shortcut_sheet_lists_every_registered_key(window, ctx) -> None:
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    try:
        window.show_shortcuts()
        text = " ".join(window.overlay.texts())
        for spec in window.registry.specs.values():
            label = spec.text.replace("&", "").rstrip("…").strip()
            assert label in text, spec.name
            shown = QKeySequence(spec.keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
            assert shown in text, spec.name
    finally:
        shell.shutdown()


def test_an_action_added_to_a_menu_is_listed_under_that_menu(window) -> None:
    from vmadesk.ui.console.window import MENUS

    late = QAction("Late addition", window)
    late.setShortcut("Ctrl+Shift+Y")
    window.add_menu_action("Help", late)
    sections = dict(window.registry.sections({n: window.menu(n) for n in MENUS}, window.actions()))
    assert late in sections["Help"]
    assert window.actions_by_name["shortcuts"] in sections["Help"]
    assert "Other" not in sections
