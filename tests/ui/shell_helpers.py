"""Helpers for the application-shell tests: a colleague's profile, and what a screen shows.

The demo profile and its console are ``tests/ui/conftest.py``'s (``demo_profile``, ``ctx``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.services.console import Console
from vmadesk.store import profile as profiles
from vmadesk.store.items import ItemRow

__all__ = ["FAST_KDF", "PASSPHRASE"]


@pytest.fixture
def second_profile(tmp_path: Path) -> Iterator[profiles.UnlockedProfile]:
    """A colleague's empty profile (ben.k)."""
    profile, _ = profiles.create(
        tmp_path / "profile_b", PASSPHRASE, vma_handle="ben.k", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


def open_items(ctx: Console) -> list[ItemRow]:
    """Every open item of the VMA, through the read service."""
    query = ctx.worklist.query(None)
    return ctx.worklist.page(query, 0, ctx.worklist.count(query) + 1)


def patient_names(ctx: Console) -> set[str]:
    """Family and given names of the VMA's items (the canaries)."""
    names: set[str] = set()
    for item in open_items(ctx):
        names.update(n for n in (item.patient_family, item.patient_given) if len(n) >= 3)
    return names


def visible_texts() -> list[str]:
    """Text of every visible widget, and the data of visible item views."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        texts += [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts += _model_texts(widget)
    return [t for t in texts if t]


def _model_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    out = []
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # list models keep columnCount private
        columns = 1
    for row in range(model.rowCount(QModelIndex())):
        for col in range(columns):
            value = model.data(model.index(row, col))
            if value is not None:
                out.append(str(value))
    return out


def leaked(names: set[str], texts: list[str]) -> set[str]:
    """Names found in any text."""
    blob = "\n".join(texts)
    return {n for n in names if n in blob}


def visible_windows() -> list[QWidget]:
    """Top-level windows that are showing."""
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]
