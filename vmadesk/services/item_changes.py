"""One change to a work item: its transaction, audit entry, hub hook and status check.

:class:`ItemChanges` is what every item use case shares: the practice rules it reads (cached
per service) and :meth:`ItemChanges._change`, which wraps one change in a transaction that
also writes its audit entry and calls the console's hub hook with the item as it is after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.sla import due_state
from vmadesk.domain.status_rules import TransitionError, check_transition
from vmadesk.domain.vocabulary import DueState, ItemAction, ItemStatus, Lane
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.services.held_elsewhere import refuse_if_held_elsewhere
from vmadesk.services.practice_setup import PracticeContext, load_context
from vmadesk.store import audit, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import ItemRow


class ItemChanges:
    """Changes to items for one VMA, on one connection (one thread)."""

    def __init__(
        self,
        conn: Connection,
        *,
        vma: str,
        clock: Clock = system_clock,
        on_change: ChangeHook | None = None,
    ) -> None:
        self.conn = conn
        self.vma = vma
        self.clock = clock
        self.on_change = on_change
        self._contexts: dict[int, PracticeContext] = {}

    def practice(self, practice_id: int) -> PracticeContext:
        """The practice's rules (cached; call :meth:`forget_practices` after edits)."""
        if practice_id not in self._contexts:
            self._contexts[practice_id] = load_context(self.conn, practice_id)
        return self._contexts[practice_id]

    def forget_practices(self) -> None:
        """Drop cached practice rules (after settings changed)."""
        self._contexts.clear()

    @contextmanager
    def _change(
        self, item_id: int, action: ItemAction, *, at: datetime | None = None, **details: Any
    ) -> Iterator[ItemRow]:
        with transaction(self.conn):
            # One owner per item: work on an item another VMA came to hold is refused.
            refuse_if_held_elsewhere(self.conn, item_id, action)
            item = items.get_item(self.conn, item_id)
            yield item
            after = items.get_item(self.conn, item_id)
            audit.append(
                self.conn,
                AuditEvent.ITEM_CHANGED,
                item_id=item_id,
                details={"action": action, "status": after.status, **details},
                at=at,
            )
            if self.on_change is not None:
                self.on_change(self.conn, after, action, details)

    def _check(self, item: ItemRow, new: ItemStatus) -> None:
        try:
            check_transition(item.status, new, moves=lane_definition(item.lane).status_moves)
        except TransitionError as exc:
            raise ActionRefused(str(exc)) from None

    def state_of(self, item: ItemRow, now: datetime | None = None) -> DueState:
        """Due state of an item now."""
        policy = self.practice(item.practice_id).policies[Lane(item.lane)]
        return due_state(
            now or self.clock(),
            item.effective_due,
            due_soon=policy.due_soon,
            on_hold=item.status == ItemStatus.ON_HOLD,
        )
