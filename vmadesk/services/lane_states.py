"""Record a prior authorization's or a referral's move to a new state of its lane.

A move is checked against the lane's rules (:mod:`vmadesk.domain.prior_auth_rules`,
:mod:`vmadesk.domain.referral_rules`), its fields validated, and then written in one
transaction: the lane state and fields, the item's status and due time (the payer's clock
while the request is with the payer), a history entry in words, the audit entry and the
change hook. The follow-up items the new state calls for (a re-authorization before an
approval runs out, an appeal before its deadline, a call to a late payer) are created in the
same transaction, once each: a follow-up is keyed by its parent and its dedupe key.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from vmadesk.domain import payer_clock, referral_rules
from vmadesk.domain.follow_ups import FollowUpKind, FollowUpSpec
from vmadesk.domain.lane_fields_codec import prior_auth_from_json, referral_from_json
from vmadesk.domain.payer_clock import PaClockPolicy
from vmadesk.domain.prior_auth_rules import PaState, missing_for
from vmadesk.domain.prior_auth_rules import can_move as pa_can_move
from vmadesk.domain.vocabulary import ItemAction, ItemStatus, Lane
from vmadesk.ingest.lane_records import PriorAuthRecord, ReferralRecord
from vmadesk.ingest.records import PatientRecord
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.services.held_elsewhere import refuse_if_held_elsewhere
from vmadesk.services.item_factory import timing_columns
from vmadesk.services.lane_items import lane_due, lane_item_columns
from vmadesk.services.practice_setup import load_context
from vmadesk.store import audit, history, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import ItemRow
from vmadesk.store.timestamps import to_db

#: History kind of a state move (its title on screen: "State moved").
STATE_MOVED = "state_moved"
#: Source system of follow-up items (their source id names the parent and the dedupe key).
FOLLOW_UP_SOURCE = "vmadesk:follow-up"

_ACTION_FOR_STATUS = {
    ItemStatus.COMPLETED: ItemAction.COMPLETE,
    ItemStatus.CANCELLED: ItemAction.CANCEL,
    ItemStatus.FAILED: ItemAction.FAIL,
    ItemStatus.ON_HOLD: ItemAction.HOLD,
}


def _patient(item: ItemRow) -> PatientRecord:
    from datetime import date

    dob = date.fromisoformat(item.patient_dob) if item.patient_dob else None
    return PatientRecord(
        item.patient_ref or "", item.patient_family, item.patient_given, dob, item.phone,
        item.phone_raw,
    )  # fmt: skip


def _record(item: ItemRow, state: Any, fields: Any) -> PriorAuthRecord | ReferralRecord:
    kind = PriorAuthRecord if item.lane == Lane.PRIOR_AUTH else ReferralRecord
    return kind(item.source_system, item.source_id, _patient(item), state, fields, "item")


class LaneStateService:
    """State moves of prior-authorization and referral items for one VMA, on one connection."""

    def __init__(
        self,
        conn: Connection,
        *,
        vma: str,
        clock: Clock = system_clock,
        on_change: ChangeHook | None = None,
        policy: PaClockPolicy | None = None,
    ) -> None:
        self.conn = conn
        self.vma = vma
        self.clock = clock
        self.on_change = on_change
        self.policy = policy or PaClockPolicy()

    # -- reading ----------------------------------------------------------------------------

    def state_and_fields(self, item: ItemRow) -> tuple[Any, Any]:
        """The item's lane state and fields, typed (ActionRefused if not a lane item)."""
        if item.lane_state is None:
            raise ActionRefused("This item has no state of its own to move.")
        try:
            if item.lane == Lane.PRIOR_AUTH:
                return PaState(item.lane_state), prior_auth_from_json(item.lane_fields_json)
            if item.lane == Lane.REFERRAL:
                fields = referral_from_json(item.lane_fields_json)
                return referral_rules.state_of(fields.direction, item.lane_state), fields
        except ValueError as exc:
            raise ActionRefused(f"The item's details cannot be read: {exc}.") from None
        raise ActionRefused("Only prior authorizations and referrals have states to move.")

    def choices(self, item_id: int) -> tuple[tuple[str, str], ...]:
        """The states the item may move to now, ``(code, words)``, in digit-key order."""
        item = items.get_item(self.conn, item_id)
        state, _ = self.state_and_fields(item)
        if isinstance(state, PaState):
            return tuple((s.value, s.label) for s in PaState if pa_can_move(state, s))
        return tuple((s.value, s.label) for s in referral_rules.outcomes_for(state))

    # -- moving -----------------------------------------------------------------------------

    def move(self, item_id: int, target: str, **changes: Any) -> list[int]:
        """Move an item to ``target`` with its field ``changes``; returns follow-up item ids.

        A denial needs ``denial_reason``; its appeal deadline is the payer's, else the
        program's window from now.

        Raises:
            ActionRefused: The move is not allowed, or a field is missing or malformed (the
                message names the field, never a value). Nothing is written then.
        """
        now = self.clock()
        with transaction(self.conn):
            refuse_if_held_elsewhere(self.conn, item_id, ItemAction.OUTCOME)
            item = items.get_item(self.conn, item_id)
            state, fields = self.state_and_fields(item)
            new_state, new_fields = self._checked(state, fields, target, changes, now)
            ctx = load_context(self.conn, item.practice_id)
            record = _record(item, new_state, new_fields)
            fresh = lane_item_columns(ctx, record, owner=item.owner, now=now)
            values = {
                k: fresh.get(k)
                for k in ("lane_state", "lane_fields_json", "reason", "status", "hold_reason")
            }
            status = ItemStatus(values.pop("status"))
            due, _ = lane_due(ctx, record, created_at=from_created(item), now=now)
            values.update(timing_columns(ctx, Lane(item.lane), due))
            on_hold = status is ItemStatus.ON_HOLD
            values.update(
                hold_until=to_db(due) if on_hold else None,
                hold_started=to_db(now) if on_hold else None,
                hold_reason=values["hold_reason"] if on_hold else None,
            )
            items.set_status(self.conn, item_id, status, now, **values)
            history.add_event(
                self.conn, item_id, at=now, action=STATE_MOVED, reason=None,
                text=f"{state.label} → {new_state.label}", author=self.vma,
            )  # fmt: skip
            action = _ACTION_FOR_STATUS.get(status, ItemAction.RESUME)
            details = {"lane_state": new_state.value}
            audit.append(
                self.conn, AuditEvent.ITEM_CHANGED, item_id=item_id,
                details={"action": action, "status": status.value, **details}, at=now,
            )  # fmt: skip
            after = items.get_item(self.conn, item_id)
            if self.on_change is not None:
                self.on_change(self.conn, after, action, details)
            return self._spawn(after, new_state, new_fields, now)

    def _checked(
        self, state: Any, fields: Any, target: str, changes: dict[str, Any], now: datetime
    ) -> tuple[Any, Any]:
        try:
            if isinstance(state, PaState):
                new = PaState(target)
                if not pa_can_move(state, new):
                    raise ValueError(f"a request that is {state.label.lower()} cannot become "
                                     f"{new.label.lower()}")  # fmt: skip
                if new is PaState.SUBMITTED and "submitted_at" not in changes:
                    changes = {**changes, "submitted_at": fields.submitted_at or now}
                reason = changes.pop("denial_reason", None)
                updated = replace(fields, **changes)
                if new is PaState.DENIED:
                    if not reason:
                        raise ValueError("a denial needs the payer's reason code")
                    updated = payer_clock.record_denial(updated, reason, now, self.policy)
                if missing := missing_for(new, updated):
                    raise ValueError(f"{new.label.lower()} needs: {', '.join(missing)}")
                return new, updated
            new_ref = referral_rules.state_of(fields.direction, target)
            return referral_rules.apply_outcome(state, new_ref, fields, **changes)
        except (ValueError, TypeError) as exc:
            raise ActionRefused(f"{str(exc).capitalize()}.") from None

    # -- follow-ups -------------------------------------------------------------------------

    def _spawn(self, parent: ItemRow, state: Any, fields: Any, now: datetime) -> list[int]:
        if not isinstance(state, PaState):
            return []  # a referral's next step is its own due time (referral_rules.next_due)
        ctx = load_context(self.conn, parent.practice_id)
        specs = payer_clock.follow_ups(state, fields, now, ctx.hours, self.policy)
        return [i for spec in specs if (i := self._follow_up(parent, fields, spec, now))]

    def _follow_up(self, parent: ItemRow, fields: Any, spec: FollowUpSpec, now: datetime) -> int:
        source_id = f"{parent.source_system}|{parent.source_id}|{spec.dedupe_key}"
        if items.find_by_source(self.conn, FOLLOW_UP_SOURCE, source_id, Lane.PRIOR_AUTH):
            return 0
        ctx = load_context(self.conn, parent.practice_id)
        if spec.kind is FollowUpKind.REAUTHORIZATION:
            # A new request for the same services, due before the approval runs out.
            state, fields = PaState.NEEDS_SUBMISSION, replace(
                fields, submitted_at=None, payer_reference=None, auth_number=None,
                units_approved=None, units_used=0, valid_from=None, valid_to=None,
                denial_reason=None, appeal_deadline=None,
            )  # fmt: skip
        else:
            state = PaState(parent.lane_state)
        record = PriorAuthRecord(
            FOLLOW_UP_SOURCE, source_id, _patient(parent), state, fields, "item"
        )
        values = lane_item_columns(ctx, record, owner=parent.owner, now=now)
        values.update(timing_columns(ctx, Lane.PRIOR_AUTH, spec.due_at))
        values.update(
            reason=spec.label, status=ItemStatus.REQUESTED.value, hold_until=None,
            hold_reason=None, hold_started=None, closed_at=None,
        )  # fmt: skip
        if spec.kind is not FollowUpKind.REAUTHORIZATION:
            values["lane_state"] = None  # a task on the parent's request, not a new request
        item_id = items.insert_item(self.conn, values)
        audit.append(
            self.conn, AuditEvent.ITEM_CREATED, item_id=item_id,
            details={"lane": Lane.PRIOR_AUTH.value, "source": spec.kind.value},
        )  # fmt: skip
        if self.on_change is not None:
            self.on_change(self.conn, items.get_item(self.conn, item_id), ItemAction.IMPORTED, {})
        return item_id

    def check_payer_clocks(self) -> list[int]:
        """Raise a "payer is late" follow-up for each request past the payer's window."""
        now = self.clock()
        rows = self.conn.execute(
            "SELECT id FROM items WHERE lane = ? AND lane_state IN (?, ?, ?) AND closed_at IS NULL",
            (Lane.PRIOR_AUTH.value, PaState.SUBMITTED.value, PaState.PENDED.value,
             PaState.APPEAL_SUBMITTED.value),
        ).fetchall()  # fmt: skip
        spawned: list[int] = []
        if not rows:
            return spawned  # the console's tick asks every 30 seconds: no write lock then
        with transaction(self.conn):
            for (item_id,) in rows:
                item = items.get_item(self.conn, item_id)
                state, fields = self.state_and_fields(item)
                spawned += self._spawn(item, state, fields, now)
        return spawned


def from_created(item: ItemRow) -> datetime:
    """When the item was created (the practice's clock for a request without a date)."""
    return item.created_at
