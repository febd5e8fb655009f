"""What the console reads: urgency-ordered pages, lane counts, and an item's full detail.

Opening an item's detail writes one ``item_viewed`` audit entry per item per unlock, not
one per repaint.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from vmadesk.domain.vocabulary import Lane
from vmadesk.services.clock import Clock, system_clock
from vmadesk.store import audit, escalations, history, item_queries, items, patient_items, practices
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.escalations import EscalationRow
from vmadesk.store.history import AttemptRow, NoteRow
from vmadesk.store.item_queries import ItemQuery, LaneCounts
from vmadesk.store.items import ItemRow, ListRow
from vmadesk.store.practices import PracticeRow
from vmadesk.store.timestamps import from_db

if TYPE_CHECKING:  # the practice's rules load with the first item shown, not at start
    from vmadesk.services.practice_setup import PracticeContext


@dataclass(frozen=True)
class ItemDetail:
    """Everything the detail pane shows about one item."""

    item: ItemRow
    practice: PracticeContext
    attempts: list[AttemptRow]
    notes: list[NoteRow]
    escalations: list[EscalationRow]
    #: The same patient's other open items (do them on the same call).
    others: tuple[ItemRow, ...] = ()

    @property
    def sop(self) -> str:
        """The lane's SOP text for this practice."""
        return self.practice.sop[Lane(self.item.lane)]

    @property
    def red_flags(self) -> str:
        """The practice's red-flag guidance for this lane."""
        return self.practice.red_flags[Lane(self.item.lane)]


@dataclass(frozen=True)
class EscalationSubject:
    """Whom and what an escalation is about, as the Escalations lane lists it (PHI)."""

    patient: str
    practice: str
    lane: Lane
    practice_id: int | None = None


class WorkList:
    """Read side of the console for one VMA, on one connection."""

    def __init__(self, conn: Connection, *, vma: str, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.vma = vma
        self.clock = clock
        self._viewed: set[int] = set()

    def forget_views(self) -> None:
        """Start a new unlock period: the next view of each item is audited again."""
        self._viewed.clear()

    def query(
        self,
        lane: Lane | None,
        *,
        search: str = "",
        practice_id: int | None = None,
        include_closed: bool = False,
    ) -> ItemQuery:
        """The VMA's own open items in a lane (None: every lane, the "My shift" view).

        With ``include_closed`` the VMA's completed, failed and cancelled items are listed
        too (a search for a patient whose work was closed earlier).
        """
        return ItemQuery(
            lane=lane,
            open_only=not include_closed,
            practice_id=practice_id,
            search=search,
            owner=self.vma,
        )

    def page(self, query: ItemQuery, offset: int, limit: int) -> list[ItemRow]:
        """A page of items in urgency order (waiting for a try after the workable ones)."""
        return item_queries.page(self.conn, query, offset=offset, limit=limit, now=self.clock())

    def list_page(self, query: ItemQuery, offset: int, limit: int) -> list[ListRow]:
        """A page of what the item table shows, in urgency order (not an item view).

        Items waiting for their next try come after those that can be called now.
        """
        return item_queries.list_page(
            self.conn, query, offset=offset, limit=limit, now=self.clock()
        )

    def count(self, query: ItemQuery) -> int:
        """How many items the query matches."""
        return item_queries.count(self.conn, query)

    def next_most_urgent(self, query: ItemQuery) -> int | None:
        """Id of the most urgent item of the query that can be worked now.

        Items waiting for their next attempt time, and items on hold, are skipped: right after
        a no-answer the item just called is still the most overdue one.
        """
        # Closed items listed on request are never work to pick.
        workable = replace(query, workable_at=self.clock(), open_only=True)
        return item_queries.first_id(self.conn, workable)

    def next_retry_at(self, query: ItemQuery) -> datetime | None:
        """When the first of the query's waiting or held items becomes workable, if ever."""
        stamp = item_queries.next_retry_at(self.conn, replace(query, open_only=True))
        return from_db(stamp) if stamp else None

    def lane_counts(
        self, practice_id: int | None = None, now: datetime | None = None
    ) -> dict[Lane, LaneCounts]:
        """Open / due soon / overdue per lane."""
        return item_queries.lane_counts(
            self.conn, now or self.clock(), practice_id=practice_id, owner=self.vma
        )

    def escalation_badges(self, item_ids: list[int]) -> dict[int, str]:
        """Latest escalation state per item, for badges."""
        return escalations.latest_states(self.conn, item_ids)

    def escalations_for(self, item_ids: list[int]) -> dict[int, list[EscalationRow]]:
        """Every escalation of each item that has any, oldest first (not an item view)."""
        # One query finds the few escalated items; only those are read in full.
        escalated = escalations.latest_states(self.conn, item_ids)
        return {i: escalations.for_item(self.conn, i) for i in escalated}

    def escalation_subjects(self, item_ids: list[int]) -> dict[int, EscalationSubject]:
        """Patient, practice and lane of each item (the escalation list is short)."""
        names = {p.id: p.name for p in self.practices()}
        subjects: dict[int, EscalationSubject] = {}
        for item_id in set(item_ids):
            try:
                item = items.get_item(self.conn, item_id)
            except KeyError:
                continue
            subjects[item_id] = EscalationSubject(
                item.patient_display,
                names.get(item.practice_id, f"#{item.practice_id}"),
                Lane(item.lane),
                item.practice_id,
            )
        return subjects

    def practices(self) -> list[PracticeRow]:
        """Practices the VMA serves."""
        return practices.list_practices(self.conn)

    def detail(self, item_id: int) -> ItemDetail:
        """Full detail of one item; audited once per item per unlock."""
        item = items.get_item(self.conn, item_id)
        if item_id not in self._viewed:
            with transaction(self.conn):
                audit.append(self.conn, AuditEvent.ITEM_VIEWED, item_id=item_id)
            self._viewed.add(item_id)
        from vmadesk.services.practice_setup import load_context

        return ItemDetail(
            item=item,
            practice=load_context(self.conn, item.practice_id),
            attempts=history.attempts_for(self.conn, item_id),
            notes=history.notes_for(self.conn, item_id),
            escalations=escalations.for_item(self.conn, item_id),
            others=tuple(patient_items.other_open_items(self.conn, item)),
        )
