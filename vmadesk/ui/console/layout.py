"""The main window's panes: lanes, the item table, the work-area stack, the detail pane.

:class:`Panes` is a part of :class:`vmadesk.ui.console.window.MainWindow` (composed, not mixed
in): it builds the panes and keeps the list in step with the lane, the practice filter and the
search. On a staged start the first lane's widgets are built at once and the rest (detail pane,
escalations page, shortcut sheet) right after the first paint; each is also built the
moment anything asks for it, so nothing waits on the paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.models.item_table import ItemTableModel
from vmadesk.ui.ui_settings import SMALL_SCREEN_WIDTH
from vmadesk.ui.widgets.item_table_view import ItemTableView
from vmadesk.ui.widgets.lane_list import DONE_TODAY, ESCALATIONS, MY_SHIFT, LaneKey, LaneList
from vmadesk.ui.widgets.search_box import SearchBox

if TYPE_CHECKING:
    from vmadesk.ui.console.shortcut_sheet import ShortcutsOverlay
    from vmadesk.ui.console.window import MainWindow
    from vmadesk.ui.widgets.detail_pane import DetailPane
    from vmadesk.ui.widgets.done_today import DoneTodayView
    from vmadesk.ui.widgets.escalations_view import EscalationsView

SEARCH_DEBOUNCE_MS = 150
#: Below this the lane list, the table and the detail pane cannot share the window (a
#: 1280×720 screen at 150 % scaling offers 853×480 with a title bar to fit).
MIN_WIDTH, MIN_HEIGHT = 760, 420


class Panes:
    """The window's panes, built for the first lane now and the rest on :meth:`finish`."""

    def __init__(self, window: MainWindow) -> None:
        """Build the first lane's widgets: lanes, practice filter, search, table, stack."""
        self.window = window
        ctx = window.ctx
        self._finished = False
        self._escalations_view: EscalationsView | None = None
        self._done_view: DoneTodayView | None = None
        self._overlay: ShortcutsOverlay | None = None
        self.lanes = LaneList()
        self.practice_filter = QComboBox()
        self.practice_filter.setAccessibleName("Practice filter")
        # A long practice name shortens in a narrow pane rather than widening the window.
        self.practice_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.practice_filter.setMinimumContentsLength(12)
        self.practice_filter.addItem("All practices", None)
        for p in ctx.worklist.practices():
            self.practice_filter.addItem(p.name, p.id)
        self.practice_filter.currentIndexChanged.connect(self._practice_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        practice_label = QLabel("&Practice:")
        practice_label.setBuddy(self.practice_filter)
        left_layout.addWidget(practice_label)
        left_layout.addWidget(self.practice_filter)
        left_layout.addWidget(self.lanes, 1)
        # Wide enough for a lane's counts; on a small screen (narrower than
        # SMALL_SCREEN_WIDTH: 1280×720, or any screen at 150 %) for its name, the counts
        # shortened, so that the item table keeps its columns.
        counts = window.fontMetrics().horizontalAdvance("000 open · 00 due soon · 000 overdue")
        self._left_width = counts + 48
        screen = QGuiApplication.primaryScreen()
        roomy = screen is None or screen.availableGeometry().width() >= SMALL_SCREEN_WIDTH
        name = window.fontMetrics().horizontalAdvance("Eligibility checks") + 48
        if not roomy:
            self._left_width = name
        self._roomy = roomy
        left.setMinimumWidth(self._left_width)
        self.left_pane = left

        self.search = SearchBox()
        self.search.to_results.connect(self._enter_results)
        self.search_timer = QTimer(window)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self.search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        self.model = ItemTableModel(ctx.worklist, ctx.clock, window, local_tz=ctx.local_tz)
        self.table = ItemTableView()
        self.table.setModel(self.model)
        self.table.apply_widths()
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        items_page = QWidget()
        items_layout = QVBoxLayout(items_page)
        items_layout.setContentsMargins(0, 0, 0, 0)
        # Closed work is found on request only: the list is the VMA's open work.
        self.include_closed = QCheckBox("Include c&losed")
        self.include_closed.setAccessibleName("Include closed items")
        self.include_closed.setToolTip("List completed, failed and cancelled items too (Alt+L)")
        self.include_closed.toggled.connect(lambda _on: self.apply_search())
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.include_closed)
        items_layout.addLayout(search_row)
        items_layout.addWidget(self.table, 1)

        self.locked_page = QLabel("Locked — unlock to continue.")
        self.locked_page.setAccessibleName("Locked")
        self.locked_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Work area")
        for page in (items_page, self.locked_page):
            self.stack.addWidget(page)
        self.items_page = items_page

        # Empty until an item is chosen: on a staged start a blank stand-in holds its place.
        self.built_detail: DetailPane | None = None
        self._detail_slot = QWidget()
        # About the built pane's own minimum (its phone row, with Copy and Call beside the
        # number or, on a small screen, under it), so that nothing moves then.
        chars = 62 if roomy else 36
        self._detail_slot.setMinimumWidth(window.fontMetrics().averageCharWidth() * chars)

        self.splitter = QSplitter()
        self.splitter.setAccessibleName("Console panes")
        # A collapsed pane hides the lanes or the table without a way back a VMA would find.
        self.splitter.setChildrenCollapsible(False)
        for i, widget in enumerate((left, self.stack, self._detail_slot)):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(i, (1, 4, 2)[i])
        # Start the detail pane wide enough for its phone row and wrapped lines; the sizes
        # only set proportions: the window's width is shared out in this ratio.
        detail_width = window.fontMetrics().averageCharWidth() * 52
        self.splitter.setSizes([self._left_width, 2 * detail_width, detail_width])
        window.setCentralWidget(self.splitter)
        self.toolbar = window.addToolBar("Actions")
        self.toolbar.setObjectName("actions-toolbar")
        self.toolbar.setAccessibleName("Actions toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        window.statusBar().setAccessibleName("Status bar")

    def _enter_results(self) -> None:
        """From the search box into the results: the search runs now, the first row is chosen."""
        self.apply_search()
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def finish(self) -> None:
        """Build what the first lane did not need (idempotent): panes, overlay, minimum size."""
        if self._finished:
            return
        self._finished = True
        from vmadesk.ui.console.shortcut_sheet import ShortcutsOverlay
        from vmadesk.ui.widgets.detail_pane import DetailPane
        from vmadesk.ui.widgets.done_today import DoneTodayView
        from vmadesk.ui.widgets.escalations_view import EscalationsView

        window = self.window
        ctx = window.ctx
        detail = DetailPane(ctx.local_tz, compact=not self._roomy)
        detail.copy_requested.connect(window.copy_to_clipboard)
        detail.call_requested.connect(window.item_actions.call)
        detail.shown_changed.connect(window.update_item_actions)
        detail.other_item_chosen.connect(window.select_item)
        self.splitter.replaceWidget(2, detail)
        self.splitter.setStretchFactor(2, 2)
        self._detail_slot.deleteLater()
        self.built_detail = detail
        view = EscalationsView(
            ctx.escalations, ctx.local_tz, ctx.clock, subjects=ctx.worklist.escalation_subjects
        )
        view.message.connect(window.show_message)
        view.changed.connect(window.refresh_counts)
        view.item_activated.connect(window.show_item)
        view.item_selected.connect(lambda item_id: self.side_selected(view, item_id))
        self.stack.insertWidget(1, view)
        self._escalations_view = view
        done = DoneTodayView(ctx.done_today, ctx.local_tz, ctx.clock)
        done.item_selected.connect(lambda item_id: self.side_selected(done, item_id))
        done.reopen_requested.connect(window.review_actions.reopen)
        self.stack.insertWidget(2, done)
        self._done_view = done
        self._overlay = ShortcutsOverlay(window)
        window.menu("View").addMenu(self.table.columns_menu)
        window.setMinimumSize(self.minimum_size())
        window.update_item_actions()

    @property
    def detail(self) -> DetailPane:
        """The selected item's pane: contact, history, SOP."""
        self.finish()
        assert self.built_detail is not None
        return self.built_detail

    @property
    def escalations_view(self) -> EscalationsView:
        """The Escalations lane's page (built on first use when the start was staged)."""
        self.finish()
        assert self._escalations_view is not None
        return self._escalations_view

    @property
    def done_view(self) -> DoneTodayView:
        """The Done today page (built on first use when the start was staged)."""
        self.finish()
        assert self._done_view is not None
        return self._done_view

    @property
    def overlay(self) -> ShortcutsOverlay:
        """The ``?`` sheet of shortcuts."""
        self.finish()
        assert self._overlay is not None
        return self._overlay

    def minimum_size(self) -> QSize:
        """Lanes, the table up to its Patient column and a usable detail pane side by side."""
        panes = (self.left_pane, self.table, self.detail)
        width = sum(max(w.minimumWidth(), w.minimumSizeHint().width()) for w in panes)
        width += 3 * self.splitter.handleWidth() + 24
        # The menu bar and toolbar have their own minimum: never clip the panes below it.
        width = max(width, self.window.minimumSizeHint().width())
        return QSize(max(MIN_WIDTH, width), MIN_HEIGHT)

    # -- lanes, filter, search ---------------------------------------------------------------

    def practice_id(self) -> int | None:
        """The practice the lanes are filtered to (None: all practices)."""
        return self.practice_filter.currentData()

    def current_query(self, lane_key: LaneKey | None = None):
        """The store query for a lane entry with the current filter and search."""
        key = self.lanes.current_key() if lane_key is None else lane_key
        lane = None if key == MY_SHIFT else Lane(key)
        return self.window.ctx.worklist.query(
            lane,
            search=self.search.text().strip(),
            practice_id=self.practice_id(),
            include_closed=self.include_closed.isChecked(),
        )

    def lane_chosen(self, key: LaneKey) -> None:
        """Show a lane entry's page: the item list, Escalations or Done today."""
        if self.window.is_locked():
            return
        if key == ESCALATIONS:
            self.stack.setCurrentWidget(self.escalations_view)
            self.escalations_view.practice_id = self.practice_id()
            self.escalations_view.reload()
        elif key == DONE_TODAY:
            self.stack.setCurrentWidget(self.done_view)
            self.done_view.practice_id = self.practice_id()
            self.done_view.reload()
        else:
            self.stack.setCurrentWidget(self.items_page)
            self.model.set_query(self.current_query(key))
            self.follow_table()

    def follow_table(self) -> None:
        """After the list changed: the shown item stays only if it is listed and selected.

        Otherwise the detail pane empties, so that no action can reach an item the VMA no
        longer sees in the view (Call would dial a patient who is not on screen).
        """
        if self.built_detail is None or self.built_detail.detail is None:
            return
        row = self.model.row_of(self.built_detail.detail.item.id)
        if row is None:
            self.built_detail.clear()
        else:
            self.table.setCurrentIndex(self.model.index(row, 0))

    def side_selected(self, view: QWidget, item_id: int | None) -> None:
        """Escalations and Done today drive the detail pane (and so every item action)."""
        if self.window.is_locked() or self.stack.currentWidget() is not view:
            return
        if item_id is None:
            self.detail.clear()
        elif self.window.current_item_id() != item_id:
            self.window.show_item(item_id)

    def _practice_changed(self, _index: int) -> None:
        self.lane_chosen(self.lanes.current_key())
        self.window.refresh_counts()

    def apply_search(self) -> None:
        """Run the search now (the debounce timer calls this as the VMA types)."""
        self.search_timer.stop()
        if self.window.is_locked():
            return
        if self.lanes.current_key() in (ESCALATIONS, DONE_TODAY):
            self.lanes.choose(MY_SHIFT)
            return
        query = self.current_query()
        # A space between two words changes no query: keep the rows and the selection.
        if query != self.model.query:
            self.model.set_query(query)
            self.follow_table()

    def focus_search(self) -> None:
        """Ctrl+F or /: jump to the search box (Done today's own in Done today)."""
        if self.lanes.current_key() == DONE_TODAY:
            self.done_view.search.setFocus()
            self.done_view.search.selectAll()
            return
        if self.lanes.current_key() == ESCALATIONS:
            self.lanes.choose(MY_SHIFT)
        self.search.setFocus()
        self.search.selectAll()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item_at(current.row()) if current.isValid() else None
        if item is not None and (
            self.detail.detail is None or self.detail.detail.item.id != item.id
        ):
            self.window.show_item(item.id)
        elif item is None and self.stack.currentWidget() is self.items_page:
            self.detail.clear()
