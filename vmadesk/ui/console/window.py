"""The shift console's main window: lanes, the item table, the detail pane, every action.

Keyboard first: each action is a QAction with a shortcut shown in its menu and in the ``?``
sheet, all from one :class:`~vmadesk.ui.console.registry.ActionRegistry`. The window is composed
of parts: its panes (:mod:`~vmadesk.ui.console.layout`), the item actions
(:class:`~vmadesk.ui.console.item_actions.ItemActions`) and the review actions
(:class:`~vmadesk.ui.console.review_actions.ReviewActions`). The window title, tooltips and
status messages never carry PHI.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from vmadesk.services.app_setup import APP_NAME
from vmadesk.services.console import Console
from vmadesk.services.errors import ActionRefused
from vmadesk.services.views import ItemRow
from vmadesk.ui.console.layout import MIN_HEIGHT, MIN_WIDTH, Panes
from vmadesk.ui.console.locked_view import LockedView
from vmadesk.ui.widgets.clipboard_guard import ClipboardGuard
from vmadesk.ui.widgets.lane_list import MY_SHIFT, LaneKey

if TYPE_CHECKING:  # annotations only: each Qt class costs its first use ~1 ms to set up
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QDialog

    from vmadesk.ui.console.item_actions import ItemActions
    from vmadesk.ui.console.registry import ActionRegistry
    from vmadesk.ui.console.review_actions import ReviewActions
    from vmadesk.ui.console.shortcut_sheet import ShortcutsOverlay
    from vmadesk.ui.widgets.detail_pane import DetailPane
    from vmadesk.ui.widgets.done_today import DoneTodayView
    from vmadesk.ui.widgets.escalations_view import EscalationsView

TICK_MS = 30_000
MENUS = ("File", "Shift", "Item", "View", "Help")
UrlOpener = Callable[[QUrl], object]


class MainWindow(QMainWindow):
    """One VMA's console over an unlocked session."""

    import_requested = Signal()
    files_dropped = Signal(list)
    #: Every pane, action and count is in place (see ``staged``).
    ready = Signal()

    def __init__(
        self,
        ctx: Console,
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
            staged: Build what the first painted lane needs now and the rest (the actions in
                their menus, escalations view, lane counts, shortcut overlay) right after that
                paint, then emit ``ready``; without it everything is built here and ``ready``
                is not emitted.
        """
        super().__init__(parent)
        self.ctx = ctx
        self.url_opener: UrlOpener = url_opener or QDesktopServices.openUrl
        self.clipboard = ClipboardGuard(self)
        self.active_dialog: QDialog | None = None
        self.last_message = ""
        self._locked = False
        self.locked_view = LockedView(self)
        self._overdue = 0
        self.setAccessibleName("vmadesk console")
        self.setAcceptDrops(True)
        self.panes = Panes(self)
        # The widgets other parts and tests reach by name, held by the panes.
        self.lanes = self.panes.lanes
        self.practice_filter = self.panes.practice_filter
        self.left_pane = self.panes.left_pane
        self.search = self.panes.search
        self.include_closed = self.panes.include_closed
        self.model = self.panes.model
        self.table = self.panes.table
        self.stack = self.panes.stack
        self.items_page = self.panes.items_page
        self.locked_page = self.panes.locked_page
        self.splitter = self.panes.splitter
        self.toolbar = self.panes.toolbar
        self._menus: dict[str, QMenu] = {name: self.menuBar().addMenu(name) for name in MENUS}
        if not staged:
            self.build_actions()
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.tick)
        self.tick_timer.start()
        self.lanes.lane_chosen.connect(self.panes.lane_chosen)
        self.lanes.choose(MY_SHIFT)
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)  # refined once the detail pane is built
        self.setWindowTitle(self._title())
        if staged:
            # The zero timer runs once that paint has reached the screen.
            self.table.first_painted.connect(
                lambda: QTimer.singleShot(0, self, self._finish_staged)
            )
        else:
            self.panes.finish()
            # Counts scan every open item: paint the first lane first, count right after.
            QTimer.singleShot(0, self, self.refresh_counts)

    def build_actions(self) -> None:
        """Every window action in its menu, toolbar and keys, offered as the shown item fits."""
        self.update_item_actions()  # reads the registry: builds it on the first call

    @cached_property
    def registry(self) -> ActionRegistry:
        """The window's actions from their specs (built on first use when the start was staged)."""
        from vmadesk.ui.console.import_actions import IMPORT_ACTION
        from vmadesk.ui.console.item_actions import ITEM_ACTIONS
        from vmadesk.ui.console.registry import ActionRegistry
        from vmadesk.ui.console.view_actions import VIEW_ACTIONS

        registry = ActionRegistry(self, self.menu)
        for specs in ((IMPORT_ACTION,), ITEM_ACTIONS, VIEW_ACTIONS):
            registry.add_all(specs, self, toolbar=self.toolbar)
        return registry

    @property
    def actions_by_name(self) -> dict[str, QAction]:
        """Every registered action by name (the shell's join once it is built)."""
        return self.registry.actions

    @cached_property
    def item_actions(self) -> ItemActions:
        """Call, log, complete, escalate… on the item shown (built on first use)."""
        from vmadesk.ui.console.item_actions import ItemActions

        return ItemActions(self)

    @cached_property
    def review_actions(self) -> ReviewActions:
        """Notes, reopening, failing or escalating after a call (built on first use)."""
        from vmadesk.ui.console.review_actions import ReviewActions

        return ReviewActions(self)

    @property
    def all_actions(self) -> list[QAction]:
        """Every registered action."""
        return list(self.registry.actions.values())

    def update_item_actions(self) -> None:
        """Offer each item action only while the item it would act on is shown and fits."""
        pane = self.panes.built_detail
        item = None if self._locked or pane is None or pane.detail is None else pane.detail.item
        self.registry.show_item(item)

    def _finish_staged(self) -> None:
        self.build_actions()
        self.panes.finish()
        self.refresh_counts()
        self.ready.emit()

    # -- API for the application and the shell -----------------------------------------------

    @property
    def detail(self) -> DetailPane:
        """The selected item's pane: contact, history, SOP (built on first use)."""
        return self.panes.detail

    @property
    def escalations_view(self) -> EscalationsView:
        """The Escalations lane's page (built on first use when the start was staged)."""
        return self.panes.escalations_view

    @property
    def done_view(self) -> DoneTodayView:
        """The Done today page (built on first use when the start was staged)."""
        return self.panes.done_view

    @property
    def overlay(self) -> ShortcutsOverlay:
        """The ``?`` sheet of shortcuts."""
        return self.panes.overlay

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
            self.locked_view.hide_phi()
        else:
            self.locked_view.bring_back()
        self.registry.set_locked(locked)
        self.update_item_actions()
        self.detail.setVisible(not locked)
        if not locked:
            self.locked_view.show_dialogs()

    def open_dialogs(self) -> list[QDialog]:
        """The action dialog and the escalations view's dialog, those open."""
        return [d for d in (self.active_dialog, self.escalations_view.dialog) if d is not None]

    def need_item(self) -> ItemRow | None:
        """The item shown, for an action on it; None (and a hint when none) otherwise."""
        item = self.current_item()
        if self._locked:
            return None
        if item is None:
            self.show_message("Select an item first (N picks the most urgent).")
        return item

    def open_dialog(self, dialog: QDialog, on_accept: Callable[[], None]) -> QDialog:
        """Open an action dialog window-modally; ``on_accept`` runs after OK succeeded."""
        self.close_dialogs()
        self.active_dialog = dialog
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _r: self.dialog_finished(dialog))
        dialog.open()
        return dialog

    def dialog_finished(self, dialog: QDialog) -> None:
        """Forget a closed action dialog and let Qt delete it."""
        if self.active_dialog is dialog:
            self.active_dialog = None
        dialog.deleteLater()

    def changed(self, message: str) -> None:
        """After an action changed an item: say so, and re-read the list."""
        self.show_message(message)
        self.reload_items()

    def close_dialogs(self) -> None:
        """Close any open action dialog (another one opens, or the window goes)."""
        for dialog in self.open_dialogs():
            if dialog.isVisible() or dialog in self.locked_view.hidden_dialogs:
                dialog.reject()
        self.locked_view.hidden_dialogs = []
        self.active_dialog = None
        self.escalations_view.dialog = None

    def call_in_progress(self) -> bool:
        """Whether the VMA is on a call: the attempt dialog is open (the lock waits then)."""
        from vmadesk.ui.dialogs.attempt import AttemptDialog

        dialog = self.active_dialog
        return isinstance(dialog, AttemptDialog) and dialog.isVisible()

    def refresh(self) -> None:
        """Re-read everything (F5)."""
        if self._locked:
            return
        self.ctx.work.forget_practices()
        selected = self.current_item_id()
        self.panes.lane_chosen(self.lanes.current_key())
        self.refresh_counts()
        if selected is not None:
            self.show_item(selected)

    # -- lanes, filter, search ---------------------------------------------------------------

    def practice_id(self) -> int | None:
        """The practice the lanes are filtered to (None: all practices)."""
        return self.panes.practice_id()

    def current_query(self, lane_key: LaneKey | None = None):
        """The store query for a lane entry with the current filter and search."""
        return self.panes.current_query(lane_key)

    def apply_search(self) -> None:
        """Run the search now (the debounce timer calls this as the VMA types)."""
        self.panes.apply_search()

    def focus_search(self) -> None:
        """Ctrl+F or /: jump to the search box (Done today's own in Done today)."""
        self.panes.focus_search()

    def refresh_counts(self) -> None:
        """Lane counts and the window title (numbers only, never PHI)."""
        if self._locked:
            return
        counts = self.ctx.worklist.lane_counts(self.practice_id())
        self.escalations_view.practice_id = self.practice_id()
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
        from vmadesk.domain.lanes import lane_definition  # the lanes' rules load after start

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
        self.overlay.open_over(self.registry.sections(self._menus, self.actions()))

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
