"""What the window hides while the console is locked, and brings back after unlock.

A part of :class:`vmadesk.ui.console.window.MainWindow`: on lock it remembers the selection,
the search text and the open dialogs (hidden, not closed: what the VMA typed is back after
unlock, and so is the item it belongs to), then empties every view that holds PHI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from vmadesk.ui.console.window import MainWindow


class LockedView:
    """The window's state kept across a lock: selection, search text, hidden dialogs."""

    def __init__(self, window: MainWindow) -> None:
        """Keep state for ``window``."""
        self.window = window
        self.saved_search = ""
        self.saved_item: int | None = None
        self.saved_escalation: int | None = None
        self.saved_done: int | None = None
        #: Dialogs hidden by the lock, shown again after unlock.
        self.hidden_dialogs: list[QDialog] = []

    def hide_phi(self) -> None:
        """Remember what is shown, hide the dialogs and empty every PHI view."""
        w = self.window
        self.saved_item = w.current_item_id()
        self.saved_escalation = w.escalations_view.selected_id()
        self.saved_done = w.done_view.selected_id()
        self.hidden_dialogs = [d for d in w.open_dialogs() if d.isVisible()]
        for dialog in self.hidden_dialogs:
            dialog.hide()
        w.overlay.hide()
        w.clipboard.clear_now()
        self.saved_search = w.search.text()
        w.panes.search_timer.stop()
        w.search.blockSignals(True)
        w.search.clear()
        w.search.blockSignals(False)
        w.model.clear_for_lock()
        w.detail.clear()
        w.escalations_view.clear()
        w.done_view.clear()
        w.stack.setCurrentWidget(w.locked_page)
        w.statusBar().clearMessage()

    def bring_back(self) -> None:
        """Re-read the views, with the search text and selection from before the lock."""
        w = self.window
        w.ctx.worklist.forget_views()
        w.search.blockSignals(True)
        w.search.setText(self.saved_search)
        w.search.blockSignals(False)
        self.saved_search = ""
        w.panes.lane_chosen(w.lanes.current_key())
        self._restore_selection()
        w.refresh_counts()

    def show_dialogs(self) -> None:
        """Show the dialogs the lock hid."""
        hidden, self.hidden_dialogs = self.hidden_dialogs, []
        for dialog in hidden:
            dialog.show()

    def _restore_selection(self) -> None:
        """After unlock: the escalation or item selected before the lock, selected again."""
        w = self.window
        item_id, escalation_id = self.saved_item, self.saved_escalation
        done_id, self.saved_done = self.saved_done, None
        self.saved_item = self.saved_escalation = None
        if w.stack.currentWidget() is w.escalations_view:
            if escalation_id is not None:
                w.escalations_view.select_escalation(escalation_id)
        elif w.stack.currentWidget() is w.done_view:
            if done_id is not None:
                w.done_view.select_item(done_id)
        elif item_id is not None:
            w.select_item(item_id)
