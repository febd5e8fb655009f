"""The identity check of a call: asked once per call, ticked with one key (I, or Space on it)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox

IDENTITY_TEXT = "&Identity verified: name + date of birth (key I)"


def identity_checkbox() -> QCheckBox:
    """The identity check box (Alt+I or I ticks it; I alone while no text field has focus)."""
    box = QCheckBox(IDENTITY_TEXT)
    box.setAccessibleName("Identity verified")
    return box
