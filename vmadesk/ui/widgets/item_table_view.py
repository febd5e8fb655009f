"""The item table's view: fixed row height, no per-row sizing, widths from the font.

Rows never size to their contents (0.5 s at 10,000 rows, DESIGN.md Known traps); widths come
from the font's metrics so they grow with 150 % scaling instead of clipping.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from vmadesk.ui.models.item_delegate import ItemDelegate
from vmadesk.ui.models.item_table import HEADERS, Column, ItemTableModel
from vmadesk.ui.ui_settings import UiSettings

#: Sample text per column: widths follow the font, so 150 % scaling never clips.
_SAMPLES = {
    Column.STATE: "WW Waiting · next try 14:10",
    Column.DUE_IN: "overdue 23 h 59 min",
    Column.PATIENT: "Montgomery-Smith, Alexandra",
    Column.PHONE: "+1 212 555 0199",
    Column.PRACTICE: "Riverside Family Medicine",
    Column.LANE: "Eligibility checks",
    Column.REASON: "Prescription refill request",
    Column.ATTEMPTS: "Attempts",
    Column.STATUS: "In handoff · awaiting ack",
    Column.ESCALATION: "⚑ Acknowledged",
}


#: Columns a first layout leaves out, in this order, while the table is too narrow to show
#: them all without scrolling (the VMA adds them back from View → Columns). Patient and State
#: (who to call, and how urgent) are always shown.
FIT_ORDER = (
    Column.ATTEMPTS,
    Column.STATUS,
    Column.ESCALATION,
    Column.PRACTICE,
    Column.REASON,
    Column.LANE,
    Column.PHONE,
    Column.DUE_IN,
)


class ItemTableView(QTableView):
    """A read-only, row-selecting table tuned for long lists.

    The VMA chooses, orders and sorts the columns (header drag, header click, the header's
    context menu or View → Columns); the Patient column is pinned at the left and never
    scrolls away (a one-column view laid over it, sharing the model and the selection).
    """

    #: Emitted once, right after the first paint: the lane is on screen.
    first_painted = Signal()
    #: The column layout changed (order, shown columns or sort): worth remembering.
    columns_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._painted = False
        self._moving = False
        # No saved layout yet: the first time the table is on screen it shows the default
        # columns that fit its width (see fit_columns).
        self._fit_pending = True
        self.setAccessibleName("Items")
        _tune(self)
        self.setAlternatingRowColors(True)
        horizontal = self.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setStretchLastSection(True)
        horizontal.setHighlightSections(False)
        horizontal.setSectionsMovable(True)
        horizontal.setSortIndicator(int(Column.STATE), Qt.SortOrder.AscendingOrder)
        horizontal.setSortIndicatorShown(True)
        horizontal.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        horizontal.customContextMenuRequested.connect(
            lambda pos: self.columns_menu.popup(horizontal.mapToGlobal(pos))
        )
        horizontal.sectionMoved.connect(self._section_moved)
        horizontal.sortIndicatorChanged.connect(lambda *_a: self.columns_changed.emit())
        # Paints from the model's worked-out looks: one Python call per cell, not seven.
        self._delegate = ItemDelegate(self)
        self.setItemDelegate(self._delegate)
        self.columns_menu = QMenu("Co&lumns", self)
        self.columns_menu.setAccessibleName("Columns")
        self._column_actions: dict[Column, QAction] = {}
        for column in Column:
            action = self.columns_menu.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(True)
            # Who to call is never hidden.
            action.setEnabled(column is not Column.PATIENT)
            action.toggled.connect(lambda on, c=column: self.show_column(c, on))
            self._column_actions[column] = action
        self.columns_menu.addSeparator()
        self.columns_menu.addAction("Default columns and order", self.reset_columns)
        self.frozen = QTableView(self)
        self.frozen.setAccessibleName("Patients")
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        _tune(self.frozen)
        self.frozen.setAlternatingRowColors(True)
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.horizontalHeader().setHighlightSections(False)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._frozen_delegate = ItemDelegate(self.frozen)
        self.frozen.setItemDelegate(self._frozen_delegate)
        self.viewport().stackUnder(self.frozen)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        horizontal.sectionResized.connect(self._section_resized)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Show a model; an :class:`ItemTableModel` is painted by the fast delegate."""
        super().setModel(model)
        fast = model if isinstance(model, ItemTableModel) else None
        self._delegate.model = fast
        self._frozen_delegate.model = fast
        self.frozen.setModel(model)
        if model is not None:
            self.frozen.setSelectionModel(self.selectionModel())
            for column in range(model.columnCount()):
                self.frozen.setColumnHidden(column, column != int(Column.PATIENT))
            self.setSortingEnabled(True)
        self._place_frozen()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint; the first time, tell whoever waits for the lane to be on screen."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def apply_widths(self) -> None:
        """Column widths from the current font (call after setModel)."""
        metrics = self.fontMetrics()
        pad = metrics.averageCharWidth() * 3
        for column, sample in _SAMPLES.items():
            self.setColumnWidth(int(column), metrics.horizontalAdvance(sample) + pad)
        self._pin_patient()
        # The table never gets narrower than the pinned Patient column and a little of the
        # next; the other columns scroll beside it.
        frame = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        peek = metrics.averageCharWidth() * 4
        self.setMinimumWidth(self.columnWidth(int(Column.PATIENT)) + peek + frame)

    # -- the pinned Patient column -----------------------------------------------------------

    def _pin_patient(self) -> None:
        """Patient first, State right after it (it already says overdue / due soon)."""
        header = self.horizontalHeader()
        self._moving = True
        try:
            header.moveSection(header.visualIndex(int(Column.PATIENT)), 0)
        finally:
            self._moving = False
        self._place_frozen()

    def _section_moved(self, _logical: int, _old: int, _new: int) -> None:
        if self._moving:
            return
        if self.horizontalHeader().visualIndex(int(Column.PATIENT)) != 0:
            self._pin_patient()
        self.columns_changed.emit()

    def _section_resized(self, logical: int, _old: int, new: int) -> None:
        if logical == int(Column.PATIENT):
            self.frozen.setColumnWidth(logical, new)
            self._place_frozen()

    def _place_frozen(self) -> None:
        if not hasattr(self, "frozen"):  # Qt lays out while the view is still being built
            return
        patient = int(Column.PATIENT)
        self.frozen.setColumnWidth(patient, self.columnWidth(patient))
        self.frozen.verticalHeader().setDefaultSectionSize(
            self.verticalHeader().defaultSectionSize()
        )
        self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())
        self.frozen.setGeometry(
            self.frameWidth(),
            self.frameWidth(),
            self.columnWidth(patient),
            self.viewport().height() + self.horizontalHeader().height(),
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the pinned column over the viewport's left edge; fit a first layout."""
        super().resizeEvent(event)
        if self._fit_pending and self.isVisible() and self.viewport().width() > 0:
            self._fit_pending = False
            self.fit_columns(self.viewport().width())
        self._place_frozen()

    def updateGeometries(self) -> None:
        """The header's height may change with the font: follow it."""
        super().updateGeometries()
        self._place_frozen()

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        """Scroll a row into view; never sideways (that would slide a column under the pin)."""
        if not index.isValid():
            return
        across = self.horizontalScrollBar().value()
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(across)

    # -- choosing columns --------------------------------------------------------------------

    def show_column(self, column: Column, shown: bool) -> None:
        """Show or hide a column (Patient is always shown)."""
        if column is Column.PATIENT:
            shown = True
        self.setColumnHidden(int(column), not shown)
        action = self._column_actions[column]
        if action.isChecked() != shown:
            action.setChecked(shown)
        self.columns_changed.emit()

    def fit_columns(self, width: int) -> list[Column]:
        """Show the columns that fit in ``width`` pixels, leaving out :data:`FIT_ORDER` first.

        Not saved: a saved layout is the VMA's own choice; this is only the default.

        Returns:
            The columns left out.
        """
        total = sum(self.columnWidth(int(c)) for c in Column)
        left_out: list[Column] = []
        for column in FIT_ORDER:
            if total <= width:
                break
            total -= self.columnWidth(int(column))
            left_out.append(column)
        for column in Column:
            shown = column not in left_out
            self.setColumnHidden(int(column), not shown)
            action = self._column_actions[column]
            action.blockSignals(True)
            action.setChecked(shown)
            action.blockSignals(False)
        return left_out

    def reset_columns(self) -> None:
        """The default columns that fit, in the default order, sorted by urgency."""
        header = self.horizontalHeader()
        self._moving = True
        try:
            for column in Column:
                header.moveSection(header.visualIndex(int(column)), int(column))
        finally:
            self._moving = False
        for column in Column:
            self.show_column(column, True)
        header.setSortIndicator(int(Column.STATE), Qt.SortOrder.AscendingOrder)
        self._pin_patient()
        if self.isVisible():
            self.fit_columns(self.viewport().width())
        self.columns_changed.emit()

    def keep_columns(self, settings: UiSettings) -> None:
        """Restore the VMA's column layout from the settings and save every change to it."""
        if getattr(self, "_kept", None) is settings:
            return
        state = settings.table_header()
        if state is not None:
            self._fit_pending = False
            self.horizontalHeader().restoreState(state)
            # Widths follow this machine's font, whatever the saved state said.
            self.apply_widths()
            for column in Column:
                self._column_actions[column].setChecked(not self.isColumnHidden(int(column)))
            self.show_column(Column.PATIENT, True)
            header = self.horizontalHeader()
            model = self.model()
            if model is not None:
                model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._kept = settings

        def save() -> None:
            settings.set_table_header(self.horizontalHeader().saveState())
            settings.sync()

        self.columns_changed.connect(save)


def _tune(view: QTableView) -> None:
    """What the item table and its pinned column share: fixed rows, row selection."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.setShowGrid(False)
    vertical = view.verticalHeader()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(int(view.fontMetrics().height() * 1.6))
    vertical.hide()
