"""The console's actions: QActions with shortcuts, menus, toolbar and their handlers.

A mixin of :class:`vmadesk.ui.main_window.MainWindow`, kept apart so each file stays short.
Each dialog's module is imported when the action first runs, not on the start path.
Handlers call services only through the dialogs or the context; a refusal becomes a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QKeySequence

from vmadesk.domain.time_display import format_dual
from vmadesk.domain.vocabulary import ItemStatus, Lane
from vmadesk.services.errors import ActionRefused
from vmadesk.store.items import ItemRow
from vmadesk.ui.icons import icon
from vmadesk.ui.lane_list import DONE_TODAY, ESCALATIONS, MY_SHIFT

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from vmadesk.ui.attempt_dialog import AttemptDialog
    from vmadesk.ui.main_window import MainWindow

    _Base = MainWindow
else:
    _Base = object

#: What an item must be for an action on it to be offered.
ItemNeed = Callable[[ItemRow], bool]


def _any(_item: ItemRow) -> bool:
    return True


def _open(item: ItemRow) -> bool:
    return ItemStatus(item.status).is_open


def _callable(item: ItemRow) -> bool:
    return _open(item) and bool(item.phone or item.phone_raw)


def _closed(item: ItemRow) -> bool:
    return not _open(item)


class ActionsMixin(_Base):
    """Builds the window's actions and handles them."""

    def build_actions(self) -> None:
        """Create every QAction; put them in menus and the toolbar."""
        self.all_actions: list[QAction] = []
        self.item_actions: list[QAction] = []
        self.actions_by_name: dict[str, QAction] = {}
        #: Actions on the item shown, with what the item must be: off while none is shown.
        self.needs_item: dict[QAction, ItemNeed] = {}

        def add(
            name: str,
            text: str,
            keys: tuple[str, ...],
            slot: Callable[[], Any],
            menu: str,
            icon_name: str = "",
            *,
            item: bool = False,
            toolbar: bool = False,
            needs: ItemNeed | None = None,
        ) -> QAction:
            action = QAction(icon(icon_name), text, self)
            action.setObjectName(f"action_{name}")
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({', '.join(keys)})")
            action.triggered.connect(lambda _checked=False: slot())
            self.menu(menu).addAction(action)
            self.addAction(action)
            self.all_actions.append(action)
            self.actions_by_name[name] = action
            if item:
                self.item_actions.append(action)
            if toolbar:
                self.toolbar.addAction(action)
            if needs is not None:
                self.needs_item[action] = needs
            return action

        add("import", "&Import…", ("Ctrl+I",), self.import_requested.emit, "File", "import")
        self.menu("File").addSeparator()
        add(
            "quick_add",
            "&Quick-add callback…",
            ("Ctrl+N",),
            self.quick_add,
            "File",
            "add",
            item=True,
            toolbar=True,
        )
        add(
            "next",
            "&Next most urgent",
            ("N",),
            self.next_most_urgent,
            "Item",
            "next",
            item=True,
            toolbar=True,
        )
        add(
            "call",
            "&Call",
            ("C",),
            self.call,
            "Item",
            "call",
            item=True,
            toolbar=True,
            needs=_callable,
        )
        add(
            "attempt",
            "Log &attempt…",
            ("A",),
            self.log_attempt,
            "Item",
            "attempt",
            item=True,
            toolbar=True,
            needs=_open,
        )
        add(
            "outcome",
            "Record &outcome…",
            ("O",),
            self.record_outcome,
            "Item",
            "outcome",
            item=True,
            toolbar=True,
            needs=_open,
        )
        add(
            "hold",
            "&Hold…",
            ("H",),
            self.hold,
            "Item",
            "hold",
            item=True,
            toolbar=True,
            needs=_open,
        )
        add("resume", "&Resume", ("R",), self.resume, "Item", "resume", item=True, needs=_open)
        # The menu shows each shortcut beside its text: the text need not repeat the key.
        add(
            "complete",
            "Co&mplete…",
            ("D",),
            self.complete,
            "Item",
            "complete",
            item=True,
            needs=_open,
        )
        add(
            "cancel",
            "Cancel &item…",
            ("X",),
            self.cancel_item,
            "Item",
            "cancel",
            item=True,
            needs=_open,
        )
        add("fail", "&Fail…", ("F",), self.fail, "Item", "fail", item=True, needs=_open)
        add(
            "escalate",
            "&Escalate…",
            ("E",),
            self.escalate,
            "Item",
            "escalate",
            item=True,
            toolbar=True,
            needs=_any,
        )
        add("note", "Add no&te…", ("T",), self.add_note, "Item", "note", item=True, needs=_any)
        add(
            "reopen",
            "Re&open…",
            ("Shift+R",),
            self.reopen,
            "Item",
            "reopen",
            item=True,
            needs=_closed,
        )
        add(
            "held_by_others",
            "Held by &others…",
            ("Ctrl+Shift+T",),
            self.held_by_others,
            "Item",
            "takeover",
            item=True,
        )
        add("search", "&Search", ("Ctrl+F", "/"), self.focus_search, "View", "search", item=True)
        add("refresh", "&Refresh", ("F5",), self.refresh, "View", "refresh", item=True)
        self.menu("View").addSeparator()
        add(
            "lane_shift",
            "&My shift",
            ("Ctrl+0",),
            lambda: self.lanes.choose(MY_SHIFT),
            "View",
            "my_shift",
            item=True,
        )
        for n, lane in enumerate(Lane, start=1):
            # Escalations and Done today keep Ctrl+4 and Ctrl+5: lanes after the third
            # take the keys after them, so no VMA's learnt key changes.
            add(
                f"lane_{lane.value}",
                lane.label,
                (f"Ctrl+{n if n <= 3 else n + 2}",),
                lambda lane=lane: self.lanes.choose(lane),
                "View",
                f"lane_{lane.value}",
                item=True,
            )
        add(
            "lane_escalations",
            "&Escalations",
            ("Ctrl+4",),
            lambda: self.lanes.choose(ESCALATIONS),
            "View",
            "escalations",
            item=True,
        )
        add(
            "lane_done_today",
            "&Done today",
            ("Ctrl+5",),
            lambda: self.lanes.choose(DONE_TODAY),
            "View",
            "done_today",
            item=True,
        )
        add("shortcuts", "&Keyboard shortcuts", ("?",), self.show_shortcuts, "Help", "help")
        self.update_item_actions()

    # -- helpers -----------------------------------------------------------------------------

    def update_item_actions(self) -> None:
        """Offer each item action only while the item it would act on is shown and fits."""
        pane = self._detail
        item = None if self._locked or pane is None or pane.detail is None else pane.detail.item
        for action, needs in self.needs_item.items():
            action.setEnabled(item is not None and needs(item))

    def _need_item(self) -> ItemRow | None:
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
        dialog.finished.connect(lambda _r: self._dialog_finished(dialog))
        dialog.open()
        return dialog

    def _dialog_finished(self, dialog: QDialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None
        dialog.deleteLater()

    def _changed(self, message: str) -> None:
        self.show_message(message)
        self.reload_items()

    # -- handlers ----------------------------------------------------------------------------

    def next_most_urgent(self) -> None:
        """N: select the most urgent item of the current list that can be worked now.

        Items waiting for their next attempt (or on hold) are skipped; when every item waits,
        the selection stays put and the status bar says when the next one is due a try.
        """
        if self._locked:
            return
        if self.lanes.current_key() in (ESCALATIONS, DONE_TODAY):
            self.lanes.choose(MY_SHIFT)
        query = self.current_query()
        item_id = self.ctx.worklist.next_most_urgent(query)
        if item_id is None:
            retry = self.ctx.worklist.next_retry_at(query)
            if retry is None and self.ctx.worklist.count(query) == 0:
                self.show_message("Nothing open here.")
            elif retry is None:
                self.show_message("Nothing to call now: every item here is on hold.")
            else:
                tz = self.ctx.local_tz
                when = format_dual(retry, tz, tz, self.ctx.clock())
                self.show_message(f"Nothing to call now; next attempt at {when}.")
            return
        self.select_item(item_id)
        self.table.setFocus()

    def held_by_others(self) -> None:
        """Ctrl+Shift+T: items another VMA holds; take one over with a reason."""
        if self._locked:
            return
        from vmadesk.ui.held_by_others import HeldByOthersDialog

        dialog = HeldByOthersDialog(self.ctx.session, parent=self)
        dialog.taken_over.connect(lambda _item_id: self.reload_items())
        self.open_dialog(dialog, lambda: None)

    def call(self) -> None:
        """C: hand the number to the softphone and open the attempt dialog pre-filled."""
        item = self._need_item()
        if item is None:
            return
        number = item.phone or item.phone_raw
        if not number:
            self.show_message("This item has no phone number.")
            return
        opened = self.url_opener(QUrl(f"tel:{number}"))
        self.log_attempt(number)
        if opened is False:  # the desktop says no handler took the link
            self.show_message(
                "The softphone did not open: no program takes call links here. "
                "Dial the number shown (Copy puts it on the clipboard), then log the attempt."
            )

    def log_attempt(self, number: str | None = None) -> None:
        """A: the attempt dialog (digit keys pick the outcome)."""
        item = self._need_item()
        if item is None:
            return
        from vmadesk.ui.attempt_dialog import AttemptDialog

        dialog = AttemptDialog(
            self.ctx.work,
            item.id,
            number=number or item.phone or item.phone_raw or "",
            item=item,
            parent=self,
        )
        self.open_dialog(dialog, lambda: self._attempt_logged(dialog))

    def _attempt_logged(self, dialog: AttemptDialog) -> None:
        result = dialog.result_
        self._changed(dialog.summary())
        if result is None:
            return
        if result.proposal == "fail_or_escalate":
            self.propose_fail_or_escalate(dialog.item_id, result.unsuccessful)
        elif result.proposal == "record_outcome" and dialog.lane_outcome_recorded is None:
            self.show_message("Reached: record the lane outcome (O).")

    def record_outcome(self) -> None:
        """O: the lane outcome (confirmation or eligibility)."""
        item = self._need_item()
        if item is None:
            return
        if item.lane_state is not None:  # a lane with states of its own: its next state
            self._record_lane_state(item)
            return
        if not self.lane_has_outcomes(item):
            self.show_message(
                "Callbacks have no lane outcome: log Reached (A then 1) or complete (D)."
            )
            return
        from vmadesk.ui.outcome_dialogs import OutcomeDialog

        zone = next(
            (p.timezone for p in self.ctx.worklist.practices() if p.id == item.practice_id), None
        )
        dos = item.date_of_service(zone)
        from vmadesk.ui.identity import checked_in_this_call

        attempts = self.detail.detail.attempts if self.detail.detail is not None else []
        checked = checked_in_this_call(attempts, self.ctx.clock())
        dialog = OutcomeDialog(self.ctx.work, item, dos, parent=self, identity_checked=checked)
        self.open_dialog(dialog, lambda: self._changed("Outcome recorded; item completed."))

    def _record_lane_state(self, item: ItemRow) -> None:
        from vmadesk.ui.lane_state_dialog import LaneStateDialog

        zone = next(
            (p.timezone for p in self.ctx.worklist.practices() if p.id == item.practice_id),
            "America/New_York",
        )
        dialog = LaneStateDialog(self.ctx.lane_states, item.id, zone, parent=self)
        self.open_dialog(dialog, lambda: self._changed("State recorded."))

    def hold(self) -> None:
        """H: hold until a time (the SLA clock pauses)."""
        item = self._need_item()
        if item is not None:
            from vmadesk.ui.hold_dialog import HoldDialog

            dialog = HoldDialog(self.ctx.work, item.id, parent=self)
            self.open_dialog(dialog, lambda: self._changed("On hold: the SLA clock is paused."))

    def resume(self) -> None:
        """R: end a hold now."""
        item = self._need_item()
        if item is None:
            return
        try:
            self.ctx.work.resume(item.id)
        except ActionRefused as exc:
            self.show_message(str(exc))
            return
        self._changed("Resumed: the SLA clock runs again.")

    def complete(self) -> None:
        """D: complete with an optional note."""
        item = self._need_item()
        if item is not None:
            from vmadesk.ui.outcome_dialogs import NoteActionDialog

            dialog = NoteActionDialog(
                "Complete",
                "Mark this item completed?",
                lambda note: self.ctx.work.complete(item.id, note),
                parent=self,
            )
            self.open_dialog(dialog, lambda: self._changed("Item completed."))

    def cancel_item(self) -> None:
        """X: cancel with a reason."""
        item = self._need_item()
        if item is not None:
            from vmadesk.ui.outcome_dialogs import CancelDialog

            dialog = CancelDialog(self.ctx.work, item.id, parent=self)
            self.open_dialog(dialog, lambda: self._changed("Item cancelled."))

    def escalate(self) -> None:
        """E: raise an escalation (clinical concern shows red-flag guidance first)."""
        item = self._need_item()
        if item is None:
            return
        from vmadesk.ui.escalation_dialog import EscalationDialog

        red_flags = self.detail.detail.red_flags if self.detail.detail is not None else ""
        dialog = EscalationDialog(
            self.ctx.escalations, item.id, red_flags, parent=self, lane=Lane(item.lane)
        )
        self.open_dialog(dialog, lambda: self._changed("Escalation raised."))

    def quick_add(self) -> None:
        """Ctrl+N: a new callback request."""
        if self._locked:
            return
        from vmadesk.ui.quick_add_dialog import QuickAddDialog

        # The practice in view: the filter's, else that of the item on screen.
        practice_id = self._practice_id()
        if practice_id is None and self.current_item() is not None:
            practice_id = self.current_item().practice_id
        dialog = QuickAddDialog(self.ctx, self.ctx.worklist.practices(), practice_id, parent=self)

        def added() -> None:
            self._changed("Callback added.")
            if dialog.item_id is not None:
                self.select_item(dialog.item_id)

        self.open_dialog(dialog, added)
