"""The VMA's actions on work items: attempts, outcomes, hold, complete, cancel, fail.

Every change is one transaction with its audit entry (and, once enrolled, its outbox
message), so a crash leaves either all of it or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vmadesk.domain.attempts import next_attempt_at, proposal_after_attempt
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.money import format_amount, parse_amount
from vmadesk.domain.status_rules import TransitionError, check_transition
from vmadesk.domain.vocabulary import (
    CONTACT_OUTCOMES,
    NEEDS_IDENTITY_CHECK,
    UNSUCCESSFUL_CONTACT,
    CloseReason,
    HoldReason,
    ItemAction,
    ItemStatus,
    Lane,
    Outcome,
    ReopenReason,
)
from vmadesk.services.errors import ActionRefused
from vmadesk.services.held_elsewhere import record_call_for_holder
from vmadesk.services.item_changes import ItemChanges
from vmadesk.services.item_factory import timing_columns
from vmadesk.services.practice_setup import PracticeContext
from vmadesk.store import history, items, practices
from vmadesk.store.items import ItemRow
from vmadesk.store.timestamps import to_db, to_db_opt
from vmadesk.sync.completions import completion_withdrawn


@dataclass(frozen=True)
class AttemptResult:
    """What happened after an attempt, and what the console proposes next."""

    status: ItemStatus
    next_attempt_at: datetime | None
    proposal: str  # "retry", "fail_or_escalate", "done" or "passed_to_holder"
    unsuccessful: int
    #: Who holds the item when the call went to them (``passed_to_holder``).
    holder: str | None = None


class WorkService(ItemChanges):
    """Use cases on items for one VMA, on one connection (one thread)."""

    # -- attempts and outcomes -------------------------------------------------------------

    def log_attempt(
        self,
        item_id: int,
        outcome: Outcome,
        *,
        number_dialled: str | None = None,
        note: str = "",
        identity_verified: bool = False,
        callback_at: datetime | None = None,
    ) -> AttemptResult:
        """Record a contact attempt and set the next attempt time."""
        if outcome not in CONTACT_OUTCOMES:
            raise ActionRefused(f"'{outcome.label}' is not a contact outcome.")
        if outcome in NEEDS_IDENTITY_CHECK and not identity_verified:
            raise ActionRefused(
                f"Tick the identity check (two identifiers) before recording '{outcome.label}'."
            )
        if outcome is Outcome.CALLBACK_REQUESTED and callback_at is None:
            raise ActionRefused("A callback request needs the time the patient asked for.")
        now = self.clock()
        held = record_call_for_holder(
            self.conn,
            item_id,
            outcome,
            at=now,
            author=self.vma,
            number_dialled=number_dialled,
            identity_verified=identity_verified,
            note=note,
            details={"callback_at": to_db(callback_at)} if callback_at else None,
        )
        if held is not None:  # the call happened: it goes to the VMA who holds the item
            return AttemptResult(
                ItemStatus(items.get_item(self.conn, item_id).status),
                None,
                "passed_to_holder",
                0,
                held.holder,
            )
        with self._change(item_id, ItemAction.ATTEMPT, outcome=outcome.value) as item:
            if not ItemStatus(item.status).is_open:
                raise ActionRefused("This item is closed; reopen it by re-import or add a note.")
            ctx = self.practice(item.practice_id)
            policy = ctx.policies[Lane(item.lane)]
            history.add_attempt(
                self.conn,
                item_id,
                at=now,
                outcome=outcome.value,
                number_dialled=number_dialled,
                identity_verified=identity_verified,
                note=note,
                details={"callback_at": to_db(callback_at)} if callback_at else None,
                author=self.vma,
            )
            unsuccessful = history.count_outcomes(
                self.conn,
                item_id,
                frozenset(o.value for o in UNSUCCESSFUL_CONTACT) | {Outcome.WRONG_NUMBER.value},
            )
            values: dict[str, Any] = {
                "attempt_count": item.attempt_count + 1,
                "updated_at": to_db(now),
            }
            status = ItemStatus.IN_PROGRESS
            proposal = "retry"
            nxt: datetime | None = None
            if outcome is Outcome.CALLBACK_REQUESTED:
                assert callback_at is not None
                status, nxt = ItemStatus.ON_HOLD, callback_at
                values.update(
                    hold_until=to_db(callback_at),
                    hold_started=to_db(now),
                    hold_reason=HoldReason.WAITING_ON_PATIENT.value,
                )
            elif outcome is Outcome.REACHED and not lane_definition(item.lane).outcomes:
                # Reaching the patient is the whole work of a lane without outcomes.
                status, proposal = ItemStatus.COMPLETED, "done"
                values.update(outcome=outcome.value, closed_at=to_db(now))
            elif outcome is Outcome.REACHED:
                proposal = "record_outcome"
            else:
                proposal = proposal_after_attempt(policy, unsuccessful)
                nxt = next_attempt_at(policy, ctx.hours, now)
            if item.status == ItemStatus.ON_HOLD and status is not ItemStatus.ON_HOLD:
                values.update(self._resume_values(item, ctx, now))
            if status != ItemStatus(item.status):
                self._check(item, status)
            values["status"] = status.value
            values["next_attempt_at"] = to_db(nxt) if nxt else None
            items.update_item(self.conn, item_id, values)
        return AttemptResult(status, nxt, proposal, unsuccessful)

    def record_outcome(
        self,
        item_id: int,
        outcome: Outcome,
        *,
        details: dict[str, Any] | None = None,
        note: str = "",
        identity_verified: bool = False,
    ) -> None:
        """Finish an item with its lane's outcome (confirmed, coverage active, ...)."""
        details = dict(details or {})
        now = self.clock()
        with self._change(item_id, ItemAction.OUTCOME, outcome=outcome.value) as item:
            lane = Lane(item.lane)
            definition = lane_definition(lane)
            if outcome not in definition.outcomes:
                raise ActionRefused(f"'{outcome.label}' is not an outcome of {lane.label}.")
            if outcome in NEEDS_IDENTITY_CHECK and not identity_verified:
                raise ActionRefused(
                    f"Tick the identity check (two identifiers) before recording '{outcome.label}'."
                )
            missing = [f for f in definition.required_details(outcome) if not details.get(f)]
            if missing:
                raise ActionRefused(f"'{outcome.label}' needs: {', '.join(missing)}.")
            # Money amounts are kept as "25.00".
            for key, label in definition.amount_fields().items():
                if key in details:
                    try:
                        details[key] = format_amount(parse_amount(str(details[key])))
                    except ValueError as exc:
                        raise ActionRefused(f"{label}: {exc}.") from None
            if definition.date_of_service_detail and item.appointment_start:
                zone = practices.get_practice(self.conn, item.practice_id).timezone
                details.setdefault("date_of_service", item.date_of_service(zone))
            self._check(item, ItemStatus.COMPLETED)
            history.add_attempt(
                self.conn,
                item_id,
                at=now,
                outcome=outcome.value,
                number_dialled=None,
                identity_verified=identity_verified,
                note=note,
                details=details,
                author=self.vma,
            )
            values = (
                self._resume_values(item, self.practice(item.practice_id), now)
                if item.status == ItemStatus.ON_HOLD
                else {}
            )
            items.set_status(
                self.conn,
                item_id,
                ItemStatus.COMPLETED,
                now,
                outcome=outcome.value,
                outcome_json=_json(details),
                next_attempt_at=None,
                **values,
            )

    # -- hold / resume ---------------------------------------------------------------------

    def hold(self, item_id: int, until: datetime, reason: HoldReason, note: str = "") -> None:
        """Put an item on hold until a time; its SLA clock stops meanwhile."""
        now = self.clock()
        if until <= now:
            raise ActionRefused("The hold must end in the future.")
        with self._change(item_id, ItemAction.HOLD, reason=reason.value) as item:
            self._check(item, ItemStatus.ON_HOLD)
            items.set_status(
                self.conn,
                item_id,
                ItemStatus.ON_HOLD,
                now,
                hold_until=to_db(until),
                hold_reason=reason.value,
                hold_started=to_db(now),
            )
            history.add_event(
                self.conn,
                item_id,
                at=now,
                action=ItemAction.HOLD,
                reason=reason.value,
                text=note,
                author=self.vma,
            )

    def _resume_values(self, item: ItemRow, ctx: PracticeContext, now: datetime) -> dict[str, Any]:
        started = item.hold_started or now
        held = timedelta(seconds=item.held_seconds) + max(now - started, timedelta(0))
        return {
            "held_seconds": int(held.total_seconds()),
            "hold_started": None,
            "hold_until": None,
            **timing_columns(ctx, Lane(item.lane), item.due_at, held),
        }

    def resume(self, item_id: int, *, hold_ended: bool = False) -> None:
        """End a hold now; the SLA clock runs again from where it stopped.

        Args:
            item_id: The item on hold.
            hold_ended: True when the hold's time came (the console's tick), not the VMA.
        """
        now = self.clock()
        with self._change(item_id, ItemAction.RESUME) as item:
            if item.status != ItemStatus.ON_HOLD:
                raise ActionRefused("This item is not on hold.")
            target = ItemStatus.IN_PROGRESS if item.attempt_count else ItemStatus.REQUESTED
            values = self._resume_values(item, self.practice(item.practice_id), now)
            items.set_status(self.conn, item_id, target, now, **values)
            history.add_event(
                self.conn,
                item_id,
                at=now,
                action=ItemAction.RESUME,
                reason=history.HOLD_ENDED if hold_ended else None,
                text="",
                author=self.vma,
            )

    def resume_expired_holds(self) -> list[int]:
        """Resume every hold whose time has come (called on the console's tick)."""
        stamp = to_db(self.clock())
        ids = [
            r[0]
            for r in self.conn.execute(
                # The status as SQL text, not a parameter: the holds index is partial on it.
                f"SELECT id FROM items WHERE status = '{ItemStatus.ON_HOLD.value}'"
                " AND hold_until <= ?",
                (stamp,),
            )
        ]
        for item_id in ids:
            self.resume(item_id, hold_ended=True)
        return ids

    # -- closing -----------------------------------------------------------------------------

    def complete(self, item_id: int, note: str = "") -> None:
        """Mark done without a lane outcome (e.g. a callback handled)."""
        self._close(item_id, ItemStatus.COMPLETED, ItemAction.COMPLETE, note=note)

    def cancel(self, item_id: int, reason: CloseReason, note: str = "") -> None:
        """Cancel with a reason code."""
        self._close(item_id, ItemStatus.CANCELLED, ItemAction.CANCEL, reason=reason, note=note)

    def fail(self, item_id: int, note: str = "", reason: CloseReason | None = None) -> None:
        """Give up (e.g. unreachable after the allowed attempts).

        Args:
            item_id: The open item.
            note: Why, in the VMA's words.
            reason: The reason code; by default "attempts exhausted" once a call was logged,
                and "other" before any (no attempt was used up).

        Raises:
            ActionRefused: "Attempts exhausted" given for an item never called.
        """
        attempts = items.get_item(self.conn, item_id).attempt_count
        if reason is None:
            reason = CloseReason.ATTEMPTS_EXHAUSTED if attempts else CloseReason.OTHER
        if reason is CloseReason.ATTEMPTS_EXHAUSTED and not attempts:
            raise ActionRefused("No call was logged on this item: its attempts are not used up.")
        self._close(item_id, ItemStatus.FAILED, ItemAction.FAIL, reason=reason, note=note)

    def _close(
        self,
        item_id: int,
        status: ItemStatus,
        action: ItemAction,
        *,
        reason: CloseReason | None = None,
        note: str = "",
    ) -> None:
        now = self.clock()
        extra = {"reason": reason.value} if reason else {}
        with self._change(item_id, action, **extra) as item:
            self._check(item, status)
            values = (
                self._resume_values(item, self.practice(item.practice_id), now)
                if item.status == ItemStatus.ON_HOLD
                else {}
            )
            items.set_status(
                self.conn,
                item_id,
                status,
                now,
                next_attempt_at=None,
                status_reason=reason.value if reason else None,
                **values,
            )
            history.add_event(
                self.conn,
                item_id,
                at=now,
                action=action,
                reason=reason.value if reason else None,
                text=note,
                author=self.vma,
            )

    def reopen(self, item_id: int, reason: ReopenReason, note: str = "") -> None:
        """Open a completed, cancelled or failed item again, with the reason why.

        The item goes back to ``requested`` (its attempts stay in the history and count);
        its outcome and close reason are cleared, and the history records the reopen.

        Raises:
            ActionRefused: If the item is not closed.
        """
        now = self.clock()
        item = items.get_item(self.conn, item_id)
        # A completion the board counted is withdrawn: the summary says so, on time or late,
        # so that the team's "done" figure drops again (dated by this clock, as summaries are).
        withdrawn = completion_withdrawn(item, now)
        extra = (
            {"withdrawn": withdrawn, "completed_at": to_db_opt(item.closed_at)} if withdrawn else {}
        )
        with self._change(
            item_id, ItemAction.REOPENED, at=now, reason=reason.value, **extra
        ) as item:
            try:
                check_transition(ItemStatus(item.status), ItemStatus.REQUESTED, reopen=True)
            except TransitionError:
                raise ActionRefused("This item is still open; only closed items reopen.") from None
            items.set_status(
                self.conn,
                item_id,
                ItemStatus.REQUESTED,
                now,
                outcome=None,
                outcome_json=None,
                status_reason=None,
                next_attempt_at=None,
            )
            history.add_event(
                self.conn,
                item_id,
                at=now,
                action="reopen",
                reason=reason.value,
                text=note.strip(),
                author=self.vma,
            )

    def add_note(self, item_id: int, text: str) -> None:
        """Add a free-text note to an item's history."""
        if not text.strip():
            raise ActionRefused("The note is empty.")
        with self._change(item_id, ItemAction.NOTE):
            history.add_note(
                self.conn, item_id, at=self.clock(), text=text.strip(), author=self.vma
            )


def _json(details: dict[str, Any]) -> str | None:
    import json

    return json.dumps(details, sort_keys=True) if details else None
