"""DESIGN.md Known traps: PySide6 6.12.0 on CPython 3.11 aborts after ~5,000 void calls."""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtWidgets import QLabel


def test_pinned_pyside_is_not_the_crashing_release():
    if sys.version_info[:2] == (3, 11):
        assert PySide6.__version__ != "6.12.0"


def test_twenty_thousand_void_calls_survive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    for i in range(20_000):
        label.setText(str(i))
    assert label.text() == "19999"
