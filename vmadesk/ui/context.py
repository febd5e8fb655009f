"""What the console's widgets are given: the services of one unlocked session.

Not a global locator: the application builds one and passes it to the main window, which
hands each child only the service it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.session import Session
from vmadesk.services.worklist import WorkList

if TYPE_CHECKING:  # built on first use: their modules stay off the start path
    from vmadesk.services.done_today import DoneToday
    from vmadesk.services.escalation import EscalationService
    from vmadesk.services.handoff import HandoffService
    from vmadesk.services.lane_states import LaneStateService
    from vmadesk.services.shift import ShiftService
    from vmadesk.services.work import ChangeHook, WorkService


class ConsoleContext:
    """Services for one VMA's unlocked profile (all on the UI thread's connection).

    The work list, which the first painted lane needs, is built at once; the services of
    actions, shifts, escalations and handoffs on first use, so that their modules (sealed
    boxes, handoff payloads, outcome rules) are imported after the lane is on screen.

    Args:
        session: The unlocked profile.
        clock: Now, as every service sees it.
        local_tz: The VMA's own IANA zone, for "practice · local" times.
        item_hook: Called in the transaction of every item change (the hub outbox).
        escalation_hook: Called in the transaction of every escalation change.
    """

    def __init__(
        self,
        session: Session,
        *,
        clock: Clock = system_clock,
        local_tz: str,
        item_hook: ChangeHook | None = None,
        escalation_hook: Callable[..., Any] | None = None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.vma = session.vma
        self.local_tz = local_tz
        self._item_hook = item_hook
        self._escalation_hook = escalation_hook
        self.worklist = WorkList(session.conn, vma=self.vma, clock=clock)

    @cached_property
    def work(self) -> WorkService:
        """Item actions: attempts, outcomes, holds, quick-add."""
        from vmadesk.services.work import WorkService

        return WorkService(
            self.session.conn, vma=self.vma, clock=self.clock, on_change=self._item_hook
        )

    @cached_property
    def lane_states(self) -> LaneStateService:
        """State moves of prior authorizations and referrals (with their follow-ups)."""
        from vmadesk.services.lane_states import LaneStateService

        return LaneStateService(
            self.session.conn, vma=self.vma, clock=self.clock, on_change=self._item_hook
        )

    @cached_property
    def escalations(self) -> EscalationService:
        """Raising, acknowledging and resolving escalations."""
        from vmadesk.services.escalation import EscalationService

        return EscalationService(
            self.session.conn, vma=self.vma, clock=self.clock, on_change=self._escalation_hook
        )

    @cached_property
    def shifts(self) -> ShiftService:
        """Start and end of shift."""
        from vmadesk.services.shift import ShiftService

        return ShiftService(self.session.conn, vma=self.vma, clock=self.clock)

    @cached_property
    def handoffs(self) -> HandoffService:
        """Sealed handoff packets, sent and received."""
        from vmadesk.services.handoff import HandoffService

        return HandoffService(
            self.session.conn, vma=self.vma, clock=self.clock, on_change=self._item_hook
        )

    @cached_property
    def done_today(self) -> DoneToday:
        """The items closed this shift."""
        from vmadesk.services.done_today import DoneToday

        return DoneToday(self.session.conn, vma=self.vma, local_tz=self.local_tz, clock=self.clock)
