"""The item table's delegate: Qt's styled painting, fed from the model's worked-out looks.

Qt's own ``initStyleOption`` asks the model for seven roles per painted cell, each a call
into Python (about 1,200 a repaint). This one makes a single call per cell, reads the row's
look (texts, colour, icon) from :meth:`ItemTableModel.look` and fills the style option as
Qt's would for those values; the style then paints exactly as before. The model still
answers every role through ``data()`` (accessibility, tests, other views).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from vmadesk.ui.models.item_table import Column, ItemTableModel

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration
_TEXT = QPalette.ColorRole.Text
_CENTER = Qt.AlignmentFlag.AlignCenter
_STATE, _DUE_IN, _ATTEMPTS = int(Column.STATE), int(Column.DUE_IN), int(Column.ATTEMPTS)
#: Qt shows a newline in a one-line cell as a line separator (QStyledItemDelegate.displayText).
_LINE_SEPARATOR = "\u2028"


class ItemDelegate(QStyledItemDelegate):
    """Styled item painting for :class:`ItemTableModel`, one Python call per cell."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        #: The model whose looks are painted (None: fall back to Qt's own role queries).
        self.model: ItemTableModel | None = None

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Fill ``option`` for a cell as Qt's own would from the model's roles."""
        model = self.model
        look = model.look(index.row()) if model is not None else None
        if look is None:
            super().initStyleOption(option, index)
            return
        c = index.column()
        option.index = index
        text = look[0][c]
        option.text = text.replace("\n", _LINE_SEPARATOR) if "\n" in text else text
        features = option.features | _HAS_DISPLAY
        if c <= _DUE_IN:
            # The state and due-in texts take the due state's colour.
            option.palette.setBrush(_TEXT, look[4])
            if c == _STATE:
                shape = look[3]
                option.icon = shape
                features |= _HAS_DECORATION
                # A scalable icon may be narrower than asked: never draw it larger than that.
                option.decorationSize = option.decorationSize.boundedTo(
                    shape.actualSize(option.decorationSize)
                )
        elif c == _ATTEMPTS:
            option.displayAlignment = _CENTER
        option.features = features
        # As Qt's own: no style animations inside item views (QTBUG-30146).
        option.styleObject = None
