"""The shift console's main window: lanes, the item table, the detail pane, every action.

Keyboard first: each action is a QAction with a shortcut shown in its menu and in the ``?``
overlay. The window title, tooltips and status messages never carry PHI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.vocabulary import Lane
from vmadesk.paths import APP_NAME
from vmadesk.services.errors import ActionRefused
from vmadesk.store.items import ItemRow
from vmadesk.ui.clipboard_guard import ClipboardGuard
from vmadesk.ui.context import ConsoleContext
from vmadesk.ui.lane_list import DONE_TODAY, ESCALATIONS, MY_SHIFT, LaneKey
from vmadesk.ui.main_actions import ActionsMixin
from vmadesk.ui.main_layout import MIN_HEIGHT, MIN_WIDTH, LayoutMixin
from vmadesk.ui.review_actions import ReviewActionsMixin

if TYPE_CHECKING:  # annotations only: each Qt class costs its first use ~1 ms to set up
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QDialog

    from vmadesk.ui.done_today_view import DoneTodayView
    from vmadesk.ui.escalations_view import EscalationsView
    from vmadesk.ui.shortcuts_overlay import ShortcutsOverlay

TICK_MS = 30_000
MENUS = ("File", "Shift", "Item", "View", "Help")
UrlOpener = Callable[[QUrl], object]


class MainWindow(LayoutMixin, ActionsMixin, ReviewActionsMixin, QMainWindow):
    """One VMA's console over an unlocked session."""

    import_requested = Signal()
    files_dropped = Signal(list)
    #: Every pane, action and count is in place (see ``staged``).
    ready = Signal()

    def __init__(
        self,
        ctx: ConsoleContext,
        parent: QWidget | None = None,
        *,
        url_opener: UrlOpener | None = None,
        staged: bool = False,
    ) -> None:
        """Build the window.

        Args:
            ctx: The session's services.
            parent: The parent widget, if any.
            url_opener: Opens ``tel:`` links (the desktop's handler by default).
            staged: Build what the first painted lane needs now and the rest (escalations
                view, lane counts, shortcut overlay) right after that paint, then emit
                ``ready``; without it everything is built here and ``ready`` is not emitted.
        """
        super().__init__(parent)
        self.ctx = ctx
        self.url_opener: UrlOpener = url_opener or QDesktopServices.openUrl
        self.clipboard = ClipboardGuard(self)
        self.active_dialog: QDialog | None = None
        self.last_message = ""
        self._locked = False
        self._saved_search = ""
        self._saved_item: int | None = None
        self._saved_escalation: int | None = None
        self._saved_done: int | None = None
        self._hidden_dialogs: list[QDialog] = []
        self._overdue = 0
        self.setAccessibleName("vmadesk console")
        self.setAcceptDrops(True)
        self._escalations_view: EscalationsView | None = None
        self._done_view: DoneTodayView | None = None
        self._overlay: ShortcutsOverlay | None = None
        self._finished = False
        self._build_widgets()
        self._menus: dict[str, QMenu] = {name: self.menuBar().addMenu(name) for name in MENUS}
        self.build_actions()
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.tick)
        self.tick_timer.start()
        self.lanes.lane_chosen.connect(self._lane_chosen)
        self.lanes.choose(MY_SHIFT)
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)  # refined once the detail pane is built
        self.setWindowTitle(self._title())
        if staged:
            # The zero timer runs once that paint has reached the screen.
            self.table.first_painted.connect(
                lambda: QTimer.singleShot(0, self, self._finish_staged)
            )
        else:
            self.finish_startup()
            # Counts scan every open item: paint the first lane first, count right after.
            QTimer.singleShot(0, self, self.refresh_counts)

    def _finish_staged(self) -> None:
        self.finish_startup()
        self.refresh_counts()
        self.ready.emit()

    # -- API for the application (UI-B) ------------------------------------------------------

    @property
    def clipboard_clear_ms(self) -> int:
        """How long a copied phone number stays on the clipboard."""
        return self.clipboard.clear_ms

    @clipboard_clear_ms.setter
    def clipboard_clear_ms(self, value: int) -> None:
        self.clipboard.clear_ms = value

    def add_menu_action(self, menu_name: str, action: QAction) -> None:
        """Add an action to a menu ("File", "Shift", "Item", "View", "Help")."""
        if menu_name not in self._menus:
            self._menus[menu_name] = self.menuBar().addMenu(menu_name)
        self._menus[menu_name].addAction(action)
        self.addAction(action)

    def menu(self, menu_name: str) -> QMenu:
        """One of the window's menus."""
        return self._menus[menu_name]

    def status_bar_widget_slot(self, widget: QWidget) -> None:
        """Add a permanent widget to the status bar (e.g. the sync indicator)."""
        self.statusBar().addPermanentWidget(widget)

    def is_locked(self) -> bool:
        """Whether PHI is hidden."""
        return self._locked

    def set_locked(self, locked: bool) -> None:
        """Hide every PHI widget (True) or bring the console back (False)."""
        if locked == self._locked:
            return
        self._locked = locked
        if locked:
            # Dialogs stay open (hidden by the lock with the rest of the window): what the
            # VMA typed is back after unlock, and so is the item it belongs to.
            self._saved_item = self.current_item_id()
            self._saved_escalation = self.escalations_view.selected_id()
            self._saved_done = self.done_view.selected_id()
            self._hidden_dialogs = [d for d in self._open_dialogs() if d.isVisible()]
            for dialog in self._hidden_dialogs:
                dialog.hide()
            self.overlay.hide()
            self.clipboard.clear_now()
            self._saved_search = self.search.text()
            self._search_timer.stop()
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.model.clear_for_lock()
            self.detail.clear()
            self.escalations_view.clear()
            self.done_view.clear()
            self.stack.setCurrentWidget(self.locked_page)
            self.statusBar().clearMessage()
        else:
            self.ctx.worklist.forget_views()
            self.search.blockSignals(True)
            self.search.setText(self._saved_search)
            self.search.blockSignals(False)
            self._saved_search = ""
            self._lane_chosen(self.lanes.current_key())
            self._restore_selection()
            self.refresh_counts()
        for action in self.item_actions:
            action.setEnabled(not locked)
        self.update_item_actions()
        self.detail.setVisible(not locked)
        if not locked:
            hidden, self._hidden_dialogs = self._hidden_dialogs, []
            for dialog in hidden:
                dialog.show()

    def _open_dialogs(self) -> list[QDialog]:
        return [d for d in (self.active_dialog, self.escalations_view.dialog) if d is not None]

    def _restore_selection(self) -> None:
        """After unlock: the escalation or item selected before the lock, selected again."""
        item_id, escalation_id = self._saved_item, self._saved_escalation
        done_id, self._saved_done = self._saved_done, None
        self._saved_item = self._saved_escalation = None
        if self.stack.currentWidget() is self.escalations_view:
            if escalation_id is not None:
                self.escalations_view.select_escalation(escalation_id)
        elif self.stack.currentWidget() is self.done_view:
            if done_id is not None:
                self.done_view.select_item(done_id)
        elif item_id is not None:
            self.select_item(item_id)

    def close_dialogs(self) -> None:
        """Close any open action dialog (another one opens, or the window goes)."""
        for dialog in self._open_dialogs():
            if dialog.isVisible() or dialog in self._hidden_dialogs:
                dialog.reject()
        self._hidden_dialogs = []
        self.active_dialog = None
        self.escalations_view.dialog = None

    def call_in_progress(self) -> bool:
        """Whether the VMA is on a call: the attempt dialog is open (the lock waits then)."""
        from vmadesk.ui.attempt_dialog import AttemptDialog

        dialog = self.active_dialog
        return isinstance(dialog, AttemptDialog) and dialog.isVisible()

    def refresh(self) -> None:
        """Re-read everything (F5)."""
        if self._locked:
            return
        self.ctx.work.forget_practices()
        selected = self.current_item_id()
        self._lane_chosen(self.lanes.current_key())
        self.refresh_counts()
        if selected is not None:
            self.show_item(selected)

    # -- lanes, filter, search ---------------------------------------------------------------

    def _practice_id(self) -> int | None:
        return self.practice_filter.currentData()

    def current_query(self, lane_key: LaneKey | None = None):
        """The store query for a lane entry with the current filter and search."""
        key = self.lanes.current_key() if lane_key is None else lane_key
        lane = None if key == MY_SHIFT else Lane(key)
        return self.ctx.worklist.query(
            lane,
            search=self.search.text().strip(),
            practice_id=self._practice_id(),
            include_closed=self.include_closed.isChecked(),
        )

    def _lane_chosen(self, key: LaneKey) -> None:
        if self._locked:
            return
        if key == ESCALATIONS:
            self.stack.setCurrentWidget(self.escalations_view)
            self.escalations_view.practice_id = self._practice_id()
            self.escalations_view.reload()
        elif key == DONE_TODAY:
            self.stack.setCurrentWidget(self.done_view)
            self.done_view.practice_id = self._practice_id()
            self.done_view.reload()
        else:
            self.stack.setCurrentWidget(self.items_page)
            self.model.set_query(self.current_query(key))
            self._follow_table()

    def _follow_table(self) -> None:
        """After the list changed: the shown item stays only if it is listed and selected.

        Otherwise the detail pane empties, so that no action can reach an item the VMA no
        longer sees in the view (Call would dial a patient who is not on screen).
        """
        if self._detail is None or self._detail.detail is None:
            return
        row = self.model.row_of(self._detail.detail.item.id)
        if row is None:
            self._detail.clear()
        else:
            self.table.setCurrentIndex(self.model.index(row, 0))

    def _side_selected(self, view: QWidget, item_id: int | None) -> None:
        """Escalations and Done today drive the detail pane (and so every item action)."""
        if self._locked or self.stack.currentWidget() is not view:
            return
        if item_id is None:
            self.detail.clear()
        elif self.current_item_id() != item_id:
            self.show_item(item_id)

    def _practice_changed(self, _index: int) -> None:
        self._lane_chosen(self.lanes.current_key())
        self.refresh_counts()

    def apply_search(self) -> None:
        """Run the search now (the debounce timer calls this as the VMA types)."""
        self._search_timer.stop()
        if self._locked:
            return
        if self.lanes.current_key() in (ESCALATIONS, DONE_TODAY):
            self.lanes.choose(MY_SHIFT)
            return
        query = self.current_query()
        # A space between two words changes no query: keep the rows and the selection.
        if query != self.model.query:
            self.model.set_query(query)
            self._follow_table()

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

    def refresh_counts(self) -> None:
        """Lane counts and the window title (numbers only, never PHI)."""
        if self._locked:
            return
        counts = self.ctx.worklist.lane_counts(self._practice_id())
        self.escalations_view.practice_id = self._practice_id()
        self.lanes.set_counts(counts, len(self.escalations_view.rows_shown(open_only=True)))
        self._overdue = sum(c.overdue for c in counts.values())
        self.setWindowTitle(self._title())

    def _title(self) -> str:
        """Handle and overdue count, named "vmadesk" exactly once.

        Desktop platforms append the application display name ("… — vmadesk") once one is
        set, so the title names the application itself only when no display name will.
        """
        text = f"{self.ctx.vma} — {self._overdue} overdue"
        if APP_NAME in QGuiApplication.applicationDisplayName():
            return text
        return f"{APP_NAME} — {text}"

    def tick(self) -> None:
        """The 30-second tick: expired holds resume, "due in" and counts update."""
        if self._locked:
            return
        try:
            resumed = self.ctx.work.resume_expired_holds()
            # A payer past its response window raises its follow-up item (once).
            resumed += self.ctx.lane_states.check_payer_clocks()
        except ActionRefused:
            resumed = []
        if resumed:
            self.reload_items()
        else:
            self.model.tick()
        self.refresh_counts()
        if self.detail.detail is not None:
            self.detail.show_detail(self.detail.detail, self.ctx.clock())

    # -- selection and detail ----------------------------------------------------------------

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item_at(current.row()) if current.isValid() else None
        if item is not None and (
            self.detail.detail is None or self.detail.detail.item.id != item.id
        ):
            self.show_item(item.id)
        elif item is None and self.stack.currentWidget() is self.items_page:
            self.detail.clear()

    def show_item(self, item_id: int) -> None:
        """Show an item in the detail pane (audited once per unlock by the worklist)."""
        if self._locked:
            return
        try:
            detail = self.ctx.worklist.detail(item_id)
        except KeyError:
            self.detail.clear()
            return
        self.detail.show_detail(detail, self.ctx.clock())

    def current_item_id(self) -> int | None:
        """The item in the detail pane."""
        return self.detail.detail.item.id if self.detail.detail is not None else None

    def current_item(self) -> ItemRow | None:
        """The item in the detail pane (as last read)."""
        return self.detail.detail.item if self.detail.detail is not None else None

    def select_item(self, item_id: int) -> bool:
        """Select an item's row if loaded; always show it in the detail pane."""
        row = self.model.row_of(item_id)
        if row is not None:
            index = self.model.index(row, 0)
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
        self.show_item(item_id)
        return row is not None

    def reload_items(self) -> None:
        """Re-query after a change, keeping the selected item when it is still listed."""
        selected = self.current_item_id()
        if self.stack.currentWidget() is self.escalations_view:
            self.escalations_view.reload()
        elif self.stack.currentWidget() is self.done_view:
            self.done_view.reload()
        elif self.model.query is not None:
            self.model.reload()
        if selected is not None:
            self.select_item(selected)
        self.refresh_counts()

    def lane_has_outcomes(self, item: ItemRow) -> bool:
        """Whether the item's lane finishes with a lane outcome."""
        return lane_definition(item.lane).finishes_with_outcome

    # -- messages, clipboard, drops ----------------------------------------------------------

    def show_message(self, text: str) -> None:
        """A status-bar message (never PHI)."""
        self.last_message = text
        self.statusBar().showMessage(text, 10_000)

    def copy_to_clipboard(self, text: str) -> None:
        """Copy concealed; cleared after ``clipboard_clear_ms``."""
        self.clipboard.copy(text)
        self.show_message(
            f"Number copied; clipboard clears in {self.clipboard_clear_ms // 1000} s."
        )

    def show_shortcuts(self) -> None:
        """The ``?`` overlay, listing every action the window has now, menu by menu."""
        if self.overlay.isVisible():
            self.overlay.hide()
            return
        sections = [(name, menu.actions()) for name, menu in self._menus.items()]
        in_menus = {id(a) for _, actions in sections for a in actions}
        others = [a for a in self.actions() if id(a) not in in_menus]
        if others:
            sections.append(("Other", others))
        self.overlay.open_over(sections)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept local files."""
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() for u in urls) and not self._locked:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Hand dropped files to the import dialog."""
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)

    def closeEvent(self, event) -> None:
        """Clear our clipboard copy on the way out."""
        self.clipboard.clear_now()
        self.tick_timer.stop()
        super().closeEvent(event)
