"""A flat, read-only table model over a list of rows with fixed column titles.

Subclasses set ``HEADERS`` and implement ``data()``; row and column counts, headers, flags and
the reset on :meth:`RowTableModel.set_rows` are shared. Not for the paged work list
(:mod:`vmadesk.ui.models.item_table`), which is tuned for tens of thousands of rows.

Roles and flags are module constants: looking up ``Qt.ItemDataRole.DisplayRole`` at every call
costs more than the rest of the call (DESIGN.md, Known traps).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView

DISPLAY = Qt.ItemDataRole.DisplayRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
HORIZONTAL = Qt.Orientation.Horizontal
NO_FLAGS = Qt.ItemFlag.NoItemFlags
READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

T = TypeVar("T")
AnyIndex = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel, Generic[T]):
    """One row per item of ``rows``, one column per title in ``HEADERS``; selectable cells.

    Attributes:
        HEADERS: The column titles (a class attribute of each subclass).
        rows: The rows shown, in order.
    """

    HEADERS: tuple[str, ...] = ()

    def __init__(self, rows: Sequence[T] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[T] = list(rows)

    def set_rows(self, rows: Sequence[T]) -> None:
        """Replace every row (a model reset; these tables are short)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def select_id(self, view: QAbstractItemView, row_id: int) -> bool:
        """Make the row whose ``id`` is ``row_id`` current in ``view``; whether it is listed."""
        for i, row in enumerate(self.rows):
            if getattr(row, "id", None) == row_id:
                view.setCurrentIndex(self.index(i, 0))
                return True
        return False

    def row_at(self, row: int) -> T | None:
        """The row object at ``row``, or None."""
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """One row per row object (a flat table)."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """One column per title."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        """Column titles."""
        if role == DISPLAY and orientation == HORIZONTAL and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Selectable, read-only cells."""
        return READ_ONLY if index.isValid() else NO_FLAGS
