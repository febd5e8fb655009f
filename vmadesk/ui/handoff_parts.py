"""What the end-shift and review dialogs share: the handoff folder and the items table."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView

from vmadesk import paths


def default_handoff_dir() -> Path:
    """Where packets, receipts and reports go unless the VMA chooses another folder."""
    return paths.handoff_dir()


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
