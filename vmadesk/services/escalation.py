"""Escalations: raise with an SBAR note, acknowledge, resolve (locally until the hub relays)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vmadesk.domain.status_rules import TransitionError, check_escalation_transition
from vmadesk.domain.vocabulary import EscalationCategory, EscalationState, Urgency
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.store import audit, escalations, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.escalations import EscalationRow
from vmadesk.store.timestamps import to_db


@dataclass(frozen=True)
class Sbar:
    """Situation, background, assessment, request."""

    situation: str
    background: str = ""
    assessment: str = ""
    request: str = ""


class EscalationService:
    """Raise and move escalations for one VMA.

    ``on_change`` runs inside each change's transaction (it queues the hub message);
    ``after_raise`` runs once a raised escalation is committed, with its id: the console asks
    its sync worker for a round at once, so the supervisor's desk hears of it in seconds
    instead of at the next scheduled round.
    """

    def __init__(
        self,
        conn: Connection,
        *,
        vma: str,
        clock: Clock = system_clock,
        on_change: object | None = None,
        after_raise: Callable[[int], None] | None = None,
    ) -> None:
        self.conn = conn
        self.vma = vma
        self.clock = clock
        self.on_change = on_change
        self.after_raise = after_raise

    def raise_(
        self,
        item_id: int,
        category: EscalationCategory,
        urgency: Urgency,
        sbar: Sbar,
        *,
        red_flags_confirmed: bool = False,
    ) -> int:
        """Raise an escalation on an item.

        Raises:
            ActionRefused: No situation given, or a clinical concern without the red-flag
                guidance confirmed.
        """
        if not sbar.situation.strip():
            raise ActionRefused("Describe the situation (the S of SBAR).")
        if category is EscalationCategory.CLINICAL_CONCERN and not red_flags_confirmed:
            raise ActionRefused(
                "Read the practice's red-flag guidance and confirm it before raising a "
                "clinical concern."
            )
        now = self.clock()
        with transaction(self.conn):
            items.get_item(self.conn, item_id)
            esc_id = escalations.insert(
                self.conn,
                {
                    "item_id": item_id,
                    "raised_at": to_db(now),
                    "category": category.value,
                    "urgency": urgency.value,
                    "situation": sbar.situation.strip(),
                    "background": sbar.background.strip(),
                    "assessment": sbar.assessment.strip(),
                    "request": sbar.request.strip(),
                    "state": EscalationState.RAISED.value,
                    "author": self.vma,
                },
            )
            audit.append(
                self.conn,
                AuditEvent.ESCALATION,
                item_id=item_id,
                details={
                    "escalation": esc_id,
                    "state": "raised",
                    "category": category.value,
                    "urgency": urgency.value,
                },
            )
            self._emit(esc_id)
        if self.after_raise is not None:
            self.after_raise(esc_id)
        return esc_id

    def acknowledge(self, escalation_id: int) -> None:
        """Mark seen by the supervisor (by hand until the hub relays it)."""
        self._move(escalation_id, EscalationState.ACKNOWLEDGED)

    def resolve(self, escalation_id: int, code: str, note: str = "") -> None:
        """Close with a resolution code."""
        if not code:
            raise ActionRefused("Choose a resolution code.")
        self._move(escalation_id, EscalationState.RESOLVED, code=code, note=note)

    def _move(
        self, escalation_id: int, state: EscalationState, *, code: str | None = None, note: str = ""
    ) -> None:
        with transaction(self.conn):
            row = escalations.get(self.conn, escalation_id)
            try:
                check_escalation_transition(EscalationState(row.state), state)
            except TransitionError as exc:
                raise ActionRefused(str(exc)) from None
            escalations.set_state(
                self.conn,
                escalation_id,
                state.value,
                self.clock(),
                resolution_code=code,
                resolution_note=note or None,
            )
            audit.append(
                self.conn,
                AuditEvent.ESCALATION,
                item_id=row.item_id,
                details={"escalation": escalation_id, "state": state.value, "resolution": code},
            )
            self._emit(escalation_id)

    def _emit(self, escalation_id: int) -> None:
        if callable(self.on_change):
            self.on_change(self.conn, escalations.get(self.conn, escalation_id))

    def listing(self, *, open_only: bool = True) -> list[EscalationRow]:
        """Escalations on items this VMA holds, most urgent first."""
        return escalations.listing(self.conn, open_only=open_only, owner=self.vma)


class DetailsUnavailable(ActionRefused):
    """The escalation's details are not sealed to this profile (yet), or do not open."""


def open_details(conn: Connection, escalation_id: str, sealed_details: str | None) -> Sbar:
    """Open an escalation's SBAR text sealed to this (supervisor's) profile; audit the view.

    ``conn`` is the supervisor profile's connection; the text is PHI, for the screen only.
    """
    import json

    from vmadesk.store import box_keys
    from vmadesk.sync import sealed

    if sealed_details is None:
        raise DetailsUnavailable(
            "The VMA's console has not sealed the details to you yet (it does on its next sync)."
        )
    with transaction(conn):
        key = box_keys.secret_key(conn)
    try:
        payload = json.loads(sealed.open_sealed(key, sealed.unb64(sealed_details)))
        sbar = Sbar(
            str(payload["situation"]),
            str(payload.get("background", "")),
            str(payload.get("assessment", "")),
            str(payload.get("request", "")),
        )
    except (sealed.EnvelopeError, ValueError, KeyError, TypeError):
        raise DetailsUnavailable(
            "The details do not open with this profile's key, or they are damaged."
        ) from None
    with transaction(conn):
        audit.append(
            conn,
            AuditEvent.ITEM_VIEWED,
            details={"kind": "escalation_details", "escalation": escalation_id},
        )
    return sbar


def sbar_lines(sbar: Sbar) -> list[str]:
    """The SBAR as labelled lines for a viewer (PHI: screen only)."""
    return [
        f"Situation: {sbar.situation}",
        f"Background: {sbar.background or '–'}",
        f"Assessment: {sbar.assessment or '–'}",
        f"Request: {sbar.request or '–'}",
    ]
