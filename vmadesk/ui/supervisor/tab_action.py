"""Keyboard actions of the supervisor's tabs: each tab's shortcuts work only inside that tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

# Several tabs reuse keys (Ctrl+S, digits): scoping each to its tab keeps them from clashing.
_LOCAL = Qt.ShortcutContext.WidgetWithChildrenShortcut


def tab_action(tab: QWidget, text: str, key: str, slot: Callable[..., Any]) -> QAction:
    """An action on ``tab`` with shortcut ``key``, live while focus is inside the tab."""
    action = QAction(text, tab)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(_LOCAL)
    action.triggered.connect(slot)
    tab.addAction(action)
    return action
