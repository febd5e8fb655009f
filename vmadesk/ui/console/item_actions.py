"""The Item menu's actions on the shown item: call, log an attempt, outcome, hold, close, escalate.

:class:`ItemActions` is one part of the console window (composed, not mixed in): it reaches the
window only through its public methods. :data:`ITEM_ACTIONS` describes every Item menu action,
with the keys and the item each needs, for the registry. Each dialog's module is imported when
the action first runs, not on the start path. Handlers call services only through the dialogs
or the context; a refusal becomes a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl

from vmadesk.domain.time_display import format_dual
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.errors import ActionRefused
from vmadesk.ui.console.registry import (
    ActionSpec,
    any_item,
    callable_item,
    closed_item,
    open_item,
)
from vmadesk.ui.widgets.lane_list import DONE_TODAY, ESCALATIONS, MY_SHIFT

if TYPE_CHECKING:
    from vmadesk.ui.console.window import MainWindow
    from vmadesk.ui.dialogs.attempt import AttemptDialog


class ItemActions:
    """Handlers of the Item menu (and Ctrl+N): each acts on the item the window shows."""

    def __init__(self, window: MainWindow) -> None:
        """Act for ``window``."""
        self.window = window

    def next_most_urgent(self) -> None:
        """N: select the most urgent item of the current list that can be worked now.

        Items waiting for their next attempt (or on hold) are skipped; when every item waits,
        the selection stays put and the status bar says when the next one is due a try.
        """
        if self.window.is_locked():
            return
        if self.window.lanes.current_key() in (ESCALATIONS, DONE_TODAY):
            self.window.lanes.choose(MY_SHIFT)
        query = self.window.current_query()
        item_id = self.window.ctx.worklist.next_most_urgent(query)
        if item_id is None:
            retry = self.window.ctx.worklist.next_retry_at(query)
            if retry is None and self.window.ctx.worklist.count(query) == 0:
                self.window.show_message("Nothing open here.")
            elif retry is None:
                self.window.show_message("Nothing to call now: every item here is on hold.")
            else:
                tz = self.window.ctx.local_tz
                when = format_dual(retry, tz, tz, self.window.ctx.clock())
                self.window.show_message(f"Nothing to call now; next attempt at {when}.")
            return
        self.window.select_item(item_id)
        self.window.table.setFocus()

    def held_by_others(self) -> None:
        """Ctrl+Shift+T: items another VMA holds; take one over with a reason."""
        if self.window.is_locked():
            return
        from vmadesk.ui.dialogs.held_by_others import HeldByOthersDialog

        dialog = HeldByOthersDialog(self.window.ctx, parent=self.window)
        dialog.taken_over.connect(lambda _item_id: self.window.reload_items())
        self.window.open_dialog(dialog, lambda: None)

    def call(self) -> None:
        """C: hand the number to the softphone and open the attempt dialog pre-filled."""
        item = self.window.need_item()
        if item is None:
            return
        number = item.phone or item.phone_raw
        if not number:
            self.window.show_message("This item has no phone number.")
            return
        opened = self.window.url_opener(QUrl(f"tel:{number}"))
        self.log_attempt(number)
        if opened is False:  # the desktop says no handler took the link
            self.window.show_message(
                "The softphone did not open: no program takes call links here. "
                "Dial the number shown (Copy puts it on the clipboard), then log the attempt."
            )

    def log_attempt(self, number: str | None = None) -> None:
        """A: the attempt dialog (digit keys pick the outcome)."""
        item = self.window.need_item()
        if item is None:
            return
        from vmadesk.ui.dialogs.attempt import AttemptDialog

        dialog = AttemptDialog(
            self.window.ctx.work,
            item.id,
            number=number or item.phone or item.phone_raw or "",
            item=item,
            parent=self.window,
        )
        self.window.open_dialog(dialog, lambda: self._attempt_logged(dialog))

    def _attempt_logged(self, dialog: AttemptDialog) -> None:
        result = dialog.result_
        self.window.changed(dialog.summary())
        if result is None:
            return
        if result.proposal == "passed_to_holder":
            self.window.show_message(
                f"{result.holder} holds this item now: your call is recorded and goes to them "
                "at the next sync."
            )
        elif result.proposal == "fail_or_escalate":
            self.window.review_actions.propose_fail_or_escalate(dialog.item_id, result.unsuccessful)
        elif result.proposal == "record_outcome" and dialog.lane_outcome_recorded is None:
            self.window.show_message("Reached: record the lane outcome (O).")

    def record_outcome(self) -> None:
        """O: the lane outcome (confirmation or eligibility)."""
        item = self.window.need_item()
        if item is None:
            return
        if item.lane_state is not None:  # a lane with states of its own: its next state
            self._record_lane_state(item)
            return
        if not self.window.lane_has_outcomes(item):
            self.window.show_message(
                "Callbacks have no lane outcome: log Reached (A then 1) or complete (D)."
            )
            return
        from vmadesk.ui.dialogs.outcomes import OutcomeDialog

        zone = next(
            (p.timezone for p in self.window.ctx.worklist.practices() if p.id == item.practice_id),
            None,
        )
        dos = item.date_of_service(zone)
        from vmadesk.ui.widgets.identity_check import checked_in_this_call

        attempts = (
            self.window.detail.detail.attempts if self.window.detail.detail is not None else []
        )
        checked = checked_in_this_call(attempts, self.window.ctx.clock())
        dialog = OutcomeDialog(
            self.window.ctx.work, item, dos, parent=self.window, identity_checked=checked
        )
        self.window.open_dialog(
            dialog, lambda: self.window.changed("Outcome recorded; item completed.")
        )

    def _record_lane_state(self, item: Any) -> None:
        from vmadesk.ui.dialogs.lane_state import LaneStateDialog

        zone = next(
            (p.timezone for p in self.window.ctx.worklist.practices() if p.id == item.practice_id),
            "America/New_York",
        )
        dialog = LaneStateDialog(self.window.ctx.lane_states, item.id, zone, parent=self.window)
        self.window.open_dialog(dialog, lambda: self.window.changed("State recorded."))

    def hold(self) -> None:
        """H: hold until a time (the SLA clock pauses)."""
        item = self.window.need_item()
        if item is not None:
            from vmadesk.ui.dialogs.hold import HoldDialog

            dialog = HoldDialog(self.window.ctx.work, item.id, parent=self.window)
            self.window.open_dialog(
                dialog, lambda: self.window.changed("On hold: the SLA clock is paused.")
            )

    def resume(self) -> None:
        """R: end a hold now."""
        item = self.window.need_item()
        if item is None:
            return
        try:
            self.window.ctx.work.resume(item.id)
        except ActionRefused as exc:
            self.window.show_message(str(exc))
            return
        self.window.changed("Resumed: the SLA clock runs again.")

    def complete(self) -> None:
        """D: complete with an optional note."""
        item = self.window.need_item()
        if item is not None:
            from vmadesk.ui.dialogs.outcomes import NoteActionDialog

            dialog = NoteActionDialog(
                "Complete",
                "Mark this item completed?",
                lambda note: self.window.ctx.work.complete(item.id, note),
                parent=self.window,
            )
            self.window.open_dialog(dialog, lambda: self.window.changed("Item completed."))

    def cancel_item(self) -> None:
        """X: cancel with a reason."""
        item = self.window.need_item()
        if item is not None:
            from vmadesk.ui.dialogs.outcomes import CancelDialog

            dialog = CancelDialog(self.window.ctx.work, item.id, parent=self.window)
            self.window.open_dialog(dialog, lambda: self.window.changed("Item cancelled."))

    def escalate(self) -> None:
        """E: raise an escalation (clinical concern shows red-flag guidance first)."""
        item = self.window.need_item()
        if item is None:
            return
        from vmadesk.ui.dialogs.escalation import EscalationDialog

        red_flags = (
            self.window.detail.detail.red_flags if self.window.detail.detail is not None else ""
        )
        dialog = EscalationDialog(
            self.window.ctx.escalations,
            item.id,
            red_flags,
            parent=self.window,
            lane=Lane(item.lane),
        )
        self.window.open_dialog(dialog, lambda: self.window.changed("Escalation raised."))

    def quick_add(self) -> None:
        """Ctrl+N: a new callback request."""
        if self.window.is_locked():
            return
        from vmadesk.ui.dialogs.quick_add import QuickAddDialog

        # The practice in view: the filter's, else that of the item on screen.
        practice_id = self.window.practice_id()
        if practice_id is None and self.window.current_item() is not None:
            practice_id = self.window.current_item().practice_id
        dialog = QuickAddDialog(
            self.window.ctx, self.window.ctx.worklist.practices(), practice_id, parent=self.window
        )

        def added() -> None:
            self.window.changed("Callback added.")
            if dialog.item_id is not None:
                self.window.select_item(dialog.item_id)

        self.window.open_dialog(dialog, added)

    def quick_add_prior_auth(self) -> None:
        """Ctrl+Shift+N: a new prior authorization that needs submission."""
        from vmadesk.ui.dialogs.quick_add_lanes import QuickAddPriorAuthDialog

        self._quick_add_lane(QuickAddPriorAuthDialog, "Prior authorization added.")

    def quick_add_referral(self) -> None:
        """Ctrl+Alt+N: a new referral, sent or received."""
        from vmadesk.ui.dialogs.quick_add_lanes import QuickAddReferralDialog

        self._quick_add_lane(QuickAddReferralDialog, "Referral added.")

    def _quick_add_lane(self, dialog_class: Any, done_text: str) -> None:
        if self.window.is_locked():
            return
        practice_id = self.window.practice_id()
        if practice_id is None and self.window.current_item() is not None:
            practice_id = self.window.current_item().practice_id
        practices = [(p.id, p.name) for p in self.window.ctx.worklist.practices()]
        dialog = dialog_class(self.window.ctx, practices, practice_id, parent=self.window)

        def added() -> None:
            self.window.changed(done_text)
            if dialog.item_id is not None:
                self.window.select_item(dialog.item_id)

        self.window.open_dialog(dialog, added)


def _on_item(method: Callable[[ItemActions], object]) -> Callable[[MainWindow], object]:
    """A handler run on the window's item actions."""
    return lambda window: method(window.item_actions)


def _on_review(name: str) -> Callable[[MainWindow], object]:
    """A handler run on the window's review actions (fail, note, reopen)."""
    return lambda window: getattr(window.review_actions, name)()


#: Every action of the Item menu (and Quick-add in File), in menu order.
ITEM_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "quick_add",
        "&Quick-add callback…",
        ("Ctrl+N",),
        "File",
        _on_item(ItemActions.quick_add),
        "add",
        toolbar=True,
        separator_before=True,
    ),
    ActionSpec(
        "quick_add_prior_auth",
        "Quick-add &prior authorization…",
        ("Ctrl+Shift+N",),
        "File",
        _on_item(ItemActions.quick_add_prior_auth),
    ),
    ActionSpec(
        "quick_add_referral",
        "Quick-add &referral…",
        ("Ctrl+Alt+N",),
        "File",
        _on_item(ItemActions.quick_add_referral),
    ),
    ActionSpec(
        "next",
        "&Next most urgent",
        ("N",),
        "Item",
        _on_item(ItemActions.next_most_urgent),
        "next",
        toolbar=True,
    ),
    ActionSpec(
        "call",
        "&Call",
        ("C",),
        "Item",
        _on_item(ItemActions.call),
        "call",
        needs_item=callable_item,
        toolbar=True,
    ),
    ActionSpec(
        "attempt",
        "Log &attempt…",
        ("A",),
        "Item",
        _on_item(ItemActions.log_attempt),
        "attempt",
        needs_item=open_item,
        toolbar=True,
    ),
    ActionSpec(
        "outcome",
        "Record &outcome…",
        ("O",),
        "Item",
        _on_item(ItemActions.record_outcome),
        "outcome",
        needs_item=open_item,
        toolbar=True,
    ),
    ActionSpec(
        "hold",
        "&Hold…",
        ("H",),
        "Item",
        _on_item(ItemActions.hold),
        "hold",
        needs_item=open_item,
        toolbar=True,
    ),
    ActionSpec(
        "resume",
        "&Resume",
        ("R",),
        "Item",
        _on_item(ItemActions.resume),
        "resume",
        needs_item=open_item,
    ),
    # The menu shows each shortcut beside its text: the text need not repeat the key.
    ActionSpec(
        "complete",
        "Co&mplete…",
        ("D",),
        "Item",
        _on_item(ItemActions.complete),
        "complete",
        needs_item=open_item,
    ),
    ActionSpec(
        "cancel",
        "Cancel &item…",
        ("X",),
        "Item",
        _on_item(ItemActions.cancel_item),
        "cancel",
        needs_item=open_item,
    ),
    ActionSpec("fail", "&Fail…", ("F",), "Item", _on_review("fail"), "fail", needs_item=open_item),
    ActionSpec(
        "escalate",
        "&Escalate…",
        ("E",),
        "Item",
        _on_item(ItemActions.escalate),
        "escalate",
        needs_item=any_item,
        toolbar=True,
    ),
    ActionSpec(
        "note", "Add no&te…", ("T",), "Item", _on_review("add_note"), "note", needs_item=any_item
    ),
    ActionSpec(
        "reopen",
        "Re&open…",
        ("Shift+R",),
        "Item",
        _on_review("reopen"),
        "reopen",
        needs_item=closed_item,
    ),
    ActionSpec(
        "held_by_others",
        "Held by &others…",
        ("Ctrl+Shift+T",),
        "Item",
        _on_item(ItemActions.held_by_others),
        "takeover",
    ),
)
