"""Items as a script or a team lead lists them: every item of the profile, by who holds it.

The console's lanes show the VMA's own open items only (:class:`~vmadesk.services.worklist.
WorkList`); a listing also shows what is done, what another VMA holds (a claim the hub gave to
someone else) and what waits in a handoff the receiver has not acknowledged yet (still the
sender's, but not to be worked twice). Rows carry codes, ids, handles and times; the patient
only when asked for, and that request is audited like an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from vmadesk.domain.vocabulary import ItemStatus, Lane
from vmadesk.services.errors import ActionRefused
from vmadesk.store import audit, items, practices
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.holding import HELD_BY_OTHERS, IN_HANDOFF
from vmadesk.store.items import ItemRow, display_name
from vmadesk.store.timestamps import from_db


class ListFilter(StrEnum):
    """Which items a listing shows."""

    #: The VMA's own open items that are not waiting in a handoff (what the lanes show).
    OPEN = "open"
    #: The VMA's own completed, failed and cancelled items.
    DONE = "done"
    #: Items another VMA holds (done by them included), or open items sent in a handoff
    #: not yet acknowledged.
    HELD = "held"
    #: Every item of the profile.
    ALL = "all"


class HeldBy(StrEnum):
    """Why an item is not in the VMA's lanes although the profile has it."""

    OTHERS = "others"
    HANDOFF = "handoff"


@dataclass(frozen=True)
class ListedItem:
    """One item of a listing; ``patient`` fields are filled only when asked for (PHI)."""

    id: int
    lane: Lane
    status: ItemStatus
    due: datetime
    holder: str
    practice: str
    held: HeldBy | None = None
    handoff_to: str | None = None
    held_since: datetime | None = None
    patient: str | None = None
    birth_date: str | None = None
    phone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: codes, ISO-8601 instants (UTC), handles; patient keys only when filled."""
        out: dict[str, Any] = {
            "id": self.id,
            "lane": self.lane.value,
            "status": self.status.value,
            "due": _instant(self.due),
            "holder": self.holder,
            "practice": self.practice,
            "held": self.held.value if self.held else None,
            "handoff_to": self.handoff_to,
            "held_since": _instant(self.held_since) if self.held_since else None,
        }
        if self.patient is not None:
            out.update(patient=self.patient, birth_date=self.birth_date, phone=self.phone)
        return out


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


_SELECT = (
    "SELECT i.id, i.lane, i.status, i.effective_due, i.owner, i.practice_id, i.is_open,"
    " h.receiver, c.state, c.held_by, c.held_since, i.patient_family, i.patient_given,"
    " i.patient_dob, i.phone FROM items AS i"
    " LEFT JOIN handoffs AS h ON h.id = i.handoff_id"
    " LEFT JOIN claims AS c ON c.item_id = i.id"
)
_FILTERS: dict[ListFilter, str] = {
    ListFilter.OPEN: f"i.is_open = 1 AND i.handoff_id IS NULL AND NOT {HELD_BY_OTHERS}",
    ListFilter.DONE: f"i.is_open = 0 AND NOT {HELD_BY_OTHERS}",
    ListFilter.HELD: f"({HELD_BY_OTHERS} OR {IN_HANDOFF})",
    ListFilter.ALL: "1 = 1",
}
#: Claim states in which another VMA holds the item.
_HELD_ELSEWHERE = frozenset({"conflict", "taken_over"})


def list_items(
    conn: Connection,
    *,
    vma: str,
    which: ListFilter = ListFilter.OPEN,
    lane: Lane | None = None,
    practice_id: int | None = None,
    with_patient: bool = False,
) -> list[ListedItem]:
    """The items of one filter, most urgent first (ties by id).

    Args:
        conn: The profile's connection.
        vma: The VMA's handle (the ``owner`` of their own items).
        which: Open, done, held or all.
        lane: Only this lane.
        practice_id: Only this practice.
        with_patient: Add name, date of birth and phone (PHI): the listing is audited as an
            export of that many items.
    """
    where = [_FILTERS[which]]
    params: dict[str, Any] = {"me": vma}
    if lane is not None:
        where.append("i.lane = :lane")
        params["lane"] = lane.value
    if practice_id is not None:
        where.append("i.practice_id = :practice")
        params["practice"] = practice_id
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY i.is_open DESC, i.effective_due, i.id"
    codes = {p.id: p.code for p in practices.list_practices(conn)}
    rows = conn.execute(sql, params).fetchall()
    listed = [_listed(row, vma, codes, with_patient) for row in rows]
    if with_patient:
        with transaction(conn):
            audit.append(
                conn,
                AuditEvent.EXPORT,
                details={"what": "item_list", "filter": which.value, "items": len(listed)},
            )
    return listed


def _listed(row: tuple[Any, ...], me: str, codes: dict[int, str], patient: bool) -> ListedItem:
    (item_id, lane, status, due, owner, practice_id, is_open, receiver) = row[:8]
    claim, claim_holder, since = row[8:11]
    held: HeldBy | None = None
    holder = owner
    if claim in _HELD_ELSEWHERE or owner != me:
        held, holder = HeldBy.OTHERS, claim_holder or owner
    elif is_open and receiver is not None:
        held = HeldBy.HANDOFF
    extra: dict[str, Any] = {}
    if patient:
        family, given, dob, phone = row[11:]
        extra = {"patient": display_name(family, given), "birth_date": dob, "phone": phone}
    return ListedItem(
        id=item_id,
        lane=Lane(lane),
        status=ItemStatus(status),
        due=from_db(due),
        holder=holder,
        practice=codes.get(practice_id, str(practice_id)),
        held=held,
        handoff_to=receiver if held is HeldBy.HANDOFF else None,
        held_since=from_db(since) if held is HeldBy.OTHERS and since else None,
        **extra,
    )


def item_for_action(conn: Connection, item_id: int, *, vma: str, own_only: bool = True) -> ItemRow:
    """Item ``item_id``, before acting on it.

    An item another VMA holds is theirs to work (one owner per item): acting on it here would
    have two people on the same work, so unless ``own_only`` is False (an action that takes it
    over) it is refused.

    Raises:
        KeyError: No such item in this profile.
        ActionRefused: Another VMA holds it.
    """
    item = items.get_item(conn, item_id)
    if not own_only:
        return item
    claim = conn.execute(
        "SELECT state, held_by FROM claims WHERE item_id = ?", (item_id,)
    ).fetchone()
    holder = claim[1] if claim is not None and claim[0] in _HELD_ELSEWHERE else None
    if item.owner != vma or holder:
        raise ActionRefused(
            f"Item {item_id} is held by {holder or item.owner}; take it over (with a reason) "
            "to work it."
        )
    return item
