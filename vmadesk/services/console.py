"""The headless console: the use cases of one unlocked profile, as every front end uses them.

The GUI, the CLI and the tests build the same :class:`Console` from an unlocked profile and a
clock. It owns the connection, the clock and the hub hooks: whether every item and escalation
change also queues its hub message (in the same transaction) is decided once, here, so no
front end can forget the outbox hook. A background thread asks :meth:`Console.for_worker` for
its own connection with the same hooks.

Not a global locator: the application builds one and passes it to the main window, which
hands each child only the service it needs.
"""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.console_uses import ConsoleImports, ConsoleProfile, ConsoleSync
from vmadesk.services.session import Session, local_zone_name
from vmadesk.services.worklist import WorkList
from vmadesk.store import settings_store
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection
from vmadesk.store.profile import UnlockedProfile

if TYPE_CHECKING:  # built on first use: their modules stay off the start path
    from vmadesk.services.done_today import DoneToday
    from vmadesk.services.escalation import EscalationService
    from vmadesk.services.handoff import HandoffService
    from vmadesk.services.lane_states import LaneStateService
    from vmadesk.services.shift import ShiftService
    from vmadesk.services.work import WorkService
    from vmadesk.sync.enrolment import HubConfig
    from vmadesk.sync.item_events import EscalationHook


class Console:
    """The services of one VMA's unlocked profile, all on one connection.

    The work list, which the first painted lane needs, is built at once; the services of
    actions, shifts, escalations and handoffs on first use, so that their modules (sealed
    boxes, handoff payloads, outcome rules) are imported after the lane is on screen.

    Args:
        profile: The unlocked profile.
        clock: Now, as every service sees it.
        local_tz: The VMA's own IANA zone, for "practice · local" times (default: this
            machine's).
    """

    def __init__(
        self,
        profile: UnlockedProfile,
        *,
        clock: Clock = system_clock,
        local_tz: str | None = None,
    ) -> None:
        self._init(profile, clock, local_tz or local_zone_name(), conn=None)

    def _init(
        self,
        profile: UnlockedProfile,
        clock: Clock,
        local_tz: str,
        *,
        conn: Connection | None,
    ) -> None:
        self.profile = profile
        self.session = Session(profile, conn=conn)
        self._own_conn = conn is not None
        self.clock = clock
        self.local_tz = local_tz
        # Decided once, here: a profile enrolled at a hub queues hub messages with every change.
        self.enrolled = settings_store.hub_url(self.conn) is not None
        self.vma = self.session.vma
        self.worklist = WorkList(self.conn, vma=self.vma, clock=clock)

    @property
    def conn(self) -> Connection:
        """This console's connection (the UI thread's, or a worker's own)."""
        return self.session.conn

    def for_worker(self) -> Console:
        """A console for a background thread: its own connection, the same clock and hooks.

        Call it on the worker thread (a SQLCipher connection belongs to the thread that opened
        it) and close it there, best as a context manager. Its hooks follow the enrolment as
        it is when the job starts, so a job after an enrolment queues its hub messages too.
        """
        worker = Console.__new__(Console)
        worker._init(self.profile, self.clock, self.local_tz, conn=self.profile.connect())
        return worker

    def close(self) -> None:
        """Close a worker's own connection (the UI thread's closes with the profile)."""
        if self._own_conn:
            self.conn.close()

    def __enter__(self) -> Console:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @cached_property
    def change_hook(self) -> ChangeHook | None:
        """Called in the transaction of every item change: the hub outbox (None offline).

        A profile that does not sync never loads the wire schema or the hub client (~150 ms).
        """
        if not self.enrolled:
            return None
        from vmadesk.sync.item_events import make_change_hook

        return make_change_hook(self.conn)

    @cached_property
    def escalation_hook(self) -> EscalationHook | None:
        """Called in the transaction of every escalation change (None offline)."""
        if not self.enrolled:
            return None
        from vmadesk.sync.item_events import make_escalation_hook

        return make_escalation_hook(self.conn)

    def hub_config(self) -> HubConfig | None:
        """Where and as whom this profile syncs, or None before enrolment has completed."""
        # Read now, not at start: an enrolment made since then counts (the hooks do not change).
        if settings_store.hub_url(self.conn) is None:
            return None  # not enrolled: the hub client and wire schema are never loaded
        from vmadesk.sync.enrolment import hub_config

        return hub_config(self.conn)

    @cached_property
    def work(self) -> WorkService:
        """Item actions: attempts, outcomes, holds, quick-add."""
        from vmadesk.services.work import WorkService

        return WorkService(self.conn, vma=self.vma, clock=self.clock, on_change=self.change_hook)

    @cached_property
    def lane_states(self) -> LaneStateService:
        """State moves of prior authorizations and referrals (with their follow-ups)."""
        from vmadesk.services.lane_states import LaneStateService

        return LaneStateService(
            self.conn, vma=self.vma, clock=self.clock, on_change=self.change_hook
        )

    @cached_property
    def escalations(self) -> EscalationService:
        """Raising, acknowledging and resolving escalations."""
        from vmadesk.services.escalation import EscalationService

        return EscalationService(
            self.conn, vma=self.vma, clock=self.clock, on_change=self.escalation_hook
        )

    @cached_property
    def shifts(self) -> ShiftService:
        """Start and end of shift."""
        from vmadesk.services.shift import ShiftService

        return ShiftService(self.conn, vma=self.vma, clock=self.clock)

    @cached_property
    def handoffs(self) -> HandoffService:
        """Sealed handoff packets, sent and received."""
        from vmadesk.services.handoff import HandoffService

        return HandoffService(self.conn, vma=self.vma, clock=self.clock, on_change=self.change_hook)

    @cached_property
    def done_today(self) -> DoneToday:
        """The items closed this shift."""
        from vmadesk.services.done_today import DoneToday

        return DoneToday(self.conn, vma=self.vma, local_tz=self.local_tz, clock=self.clock)

    @cached_property
    def imports(self) -> ConsoleImports:
        """Importing practice exports (created items queue their hub messages)."""
        return ConsoleImports(self.conn, vma=self.vma, clock=self.clock, on_change=self.change_hook)

    @cached_property
    def sync(self) -> ConsoleSync:
        """Sync rounds with the team hub and the outbox, on this console's connection."""
        return ConsoleSync(self.conn)

    @cached_property
    def profiles(self) -> ConsoleProfile:
        """The unlocked profile: its folder and what protects it."""
        return ConsoleProfile(self.profile)
