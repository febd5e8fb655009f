"""The console's one action registry: every action described once, read by menus, sheet and lock.

An :class:`ActionSpec` says what an action is (name, text, keys, menu, handler) and when it may
run (whether it needs an item shown, whether it stays usable while the console is locked). The
:class:`ActionRegistry` turns specs into QActions in the window's menus and toolbar, and is what
the ``?`` shortcut sheet lists, what the lock disables and what the shown item enables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from vmadesk.domain.vocabulary import ItemStatus
from vmadesk.ui.icons import icon


class ShownItem(Protocol):
    """What the registry reads of the item the window shows (read-only, so rows fit)."""

    @property
    def status(self) -> str:
        """The item's status (an :class:`ItemStatus` value)."""

    @property
    def phone(self) -> str | None:
        """The normalised phone number, if any."""

    @property
    def phone_raw(self) -> str | None:
        """The phone number as imported, if any."""


#: What an item must be for an action on it to be offered.
ItemNeed = Callable[[ShownItem], bool]


def any_item(_item: ShownItem) -> bool:
    """Any item shown will do."""
    return True


def open_item(item: ShownItem) -> bool:
    """The item is still open (requested, in progress or on hold)."""
    return ItemStatus(item.status).is_open


def callable_item(item: ShownItem) -> bool:
    """The item is open and has a number to call."""
    return open_item(item) and bool(item.phone or item.phone_raw)


def closed_item(item: ShownItem) -> bool:
    """The item is closed (completed, failed or cancelled)."""
    return not open_item(item)


@dataclass(frozen=True)
class ActionSpec:
    """One action of the console, described once.

    Attributes:
        name: Key of the action (``actions_by_name``; the QAction's object name follows it).
        text: Menu text with its ``&`` mnemonic.
        keys: Shortcuts, the first one the primary.
        menu: The menu it sits in ("File", "Shift", "Item", "View", "Help").
        handler: Runs the action; called with the owner the spec was registered with.
        icon: Icon name in ``vmadesk/resources/icons`` (none when empty).
        needs_item: What the shown item must be for the action to be enabled; None when the
            action does not act on the shown item.
        allowed_while_locked: Stays enabled while the console is locked.
        toolbar: Also shown on the toolbar.
        role: The menu role on platforms that move some actions (Preferences, About, Quit).
        separator_before: A menu separator goes before it.
    """

    name: str
    text: str
    keys: tuple[str, ...]
    menu: str
    handler: Callable[[Any], object]
    icon: str = ""
    needs_item: ItemNeed | None = None
    allowed_while_locked: bool = False
    toolbar: bool = False
    role: QAction.MenuRole | None = None
    separator_before: bool = False


class ActionRegistry:
    """The window's actions by name, with their specs; one per console window."""

    def __init__(self, window: QWidget, menu: Callable[[str], QMenu] | None = None) -> None:
        """Start an empty registry.

        Args:
            window: Parent of every QAction; actions are added to it so their keys work.
            menu: Gives the menu of a name; without it actions are only added to the window.
        """
        self.window = window
        self._menu = menu
        self.specs: dict[str, ActionSpec] = {}
        self.actions: dict[str, QAction] = {}

    def add(
        self,
        spec: ActionSpec,
        owner: object,
        *,
        object_prefix: str = "action",
        toolbar: QToolBar | None = None,
    ) -> QAction:
        """Create the QAction of ``spec``, in its menu (and toolbar), run on ``owner``.

        Args:
            spec: What the action is.
            owner: Passed to ``spec.handler`` when the action fires.
            object_prefix: Prefix of the QAction's object name (``<prefix>_<name>``).
            toolbar: The toolbar, for specs that go there.

        Returns:
            The QAction.
        """
        action = QAction(icon(spec.icon), spec.text, self.window)
        action.setObjectName(f"{object_prefix}_{spec.name}")
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        label = spec.text.replace("&", "").rstrip("…")
        action.setToolTip(f"{label} ({', '.join(spec.keys)})")
        if spec.role is not None:
            action.setMenuRole(spec.role)
        action.triggered.connect(lambda _checked=False: spec.handler(owner))
        if self._menu is not None:
            menu = self._menu(spec.menu)
            if spec.separator_before:
                menu.addSeparator()
            menu.addAction(action)
        self.window.addAction(action)
        if spec.toolbar and toolbar is not None:
            toolbar.addAction(action)
        self.specs[spec.name] = spec
        self.actions[spec.name] = action
        return action

    def add_all(self, specs: Iterable[ActionSpec], owner: object, **kwargs: Any) -> None:
        """:meth:`add` each spec, in order, with the same owner."""
        for spec in specs:
            self.add(spec, owner, **kwargs)

    def set_locked(self, locked: bool, names: Iterable[str] | None = None) -> None:
        """Disable (locked) or enable every action not allowed while locked.

        Args:
            locked: Whether the console is locked now.
            names: Only these actions (all when None).
        """
        for name in self.actions if names is None else names:
            if not self.specs[name].allowed_while_locked:
                self.actions[name].setEnabled(not locked)

    def show_item(self, item: ShownItem | None) -> None:
        """Enable each action that needs an item only while ``item`` is shown and fits."""
        for name, spec in self.specs.items():
            if spec.needs_item is not None:
                self.actions[name].setEnabled(item is not None and spec.needs_item(item))

    def sections(
        self, menus: Mapping[str, QMenu], extra: Iterable[QAction] = ()
    ) -> list[tuple[str, list[QAction]]]:
        """(menu, actions) for the shortcut sheet: registered actions menu by menu.

        Actions added to a menu outside the registry follow that menu's registered ones;
        those in no menu are listed under "Other".

        Args:
            menus: The window's menus by name, in the order they are shown.
            extra: Every action of the window (those in no menu are listed last).
        """
        known = {id(a) for a in self.actions.values()}
        by_menu: dict[str, list[QAction]] = {name: [] for name in menus}
        for name, spec in self.specs.items():
            by_menu.setdefault(spec.menu, []).append(self.actions[name])
        for name, menu in menus.items():
            by_menu[name] += [a for a in menu.actions() if id(a) not in known]
        listed = {id(a) for actions in by_menu.values() for a in actions}
        others = [a for a in extra if id(a) not in listed]
        sections = [(menu, actions) for menu, actions in by_menu.items() if actions]
        if others:
            sections.append(("Other", others))
        return sections
