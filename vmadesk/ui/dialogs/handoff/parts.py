"""What the end-shift and review dialogs share: the handoff folder and the items table."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QWidget

from vmadesk.services import app_setup


def default_handoff_dir() -> Path:
    """Where packets, receipts and reports go unless the VMA chooses another folder."""
    return app_setup.handoff_dir()


def chosen_folder(edit: QLineEdit) -> Path:
    """The folder typed in ``edit`` (``~`` expanded), or the default one when it is empty."""
    return Path(edit.text().strip() or default_handoff_dir()).expanduser()


def items_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A single-row-selecting table over ``model`` with fixed row heights."""
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fit_to_screen(dialog: QWidget, width: int, height: int) -> None:
    """Resize ``dialog`` to ``width`` × ``height``, at most 90 % of the screen it opens on.

    Its layouts stretch the lists, so a larger window shows more rows, not more margin.
    """
    screen = dialog.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, int(area.width() * 0.9))
        height = min(height, int(area.height() * 0.9))
    dialog.resize(width, height)
