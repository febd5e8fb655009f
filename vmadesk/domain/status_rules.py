"""Which status changes a work item or an escalation may make.

Closed items stay closed, with one exception: when a re-import shows that the appointment an
item prepared has moved, the item is *re-opened* to ``requested`` so the work is done again
for the new time. That path is explicit (``reopen=True``) so that an ordinary edit can never
silently undo a completed, cancelled or failed item.
"""

from __future__ import annotations

from collections.abc import Mapping

from vmadesk.domain.vocabulary import CLOSED_STATUSES, EscalationState, ItemStatus


class TransitionError(ValueError):
    """A status change that the rules forbid."""


_S = ItemStatus

#: Ordinary transitions of a work item (re-opening is separate, see :func:`check_transition`).
ITEM_TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    _S.REQUESTED: frozenset({_S.IN_PROGRESS, _S.ON_HOLD, _S.COMPLETED, _S.CANCELLED, _S.FAILED}),
    _S.IN_PROGRESS: frozenset({_S.ON_HOLD, _S.COMPLETED, _S.CANCELLED, _S.FAILED}),
    _S.ON_HOLD: frozenset({_S.IN_PROGRESS, _S.REQUESTED, _S.COMPLETED, _S.CANCELLED, _S.FAILED}),
    _S.COMPLETED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.FAILED: frozenset(),
}

_E = EscalationState

#: Escalation lifecycle; a supervisor may resolve without acknowledging first.
ESCALATION_TRANSITIONS: dict[EscalationState, frozenset[EscalationState]] = {
    _E.RAISED: frozenset({_E.ACKNOWLEDGED, _E.RESOLVED}),
    _E.ACKNOWLEDGED: frozenset({_E.RESOLVED}),
    _E.RESOLVED: frozenset(),
}


def can_transition(
    old: ItemStatus,
    new: ItemStatus,
    *,
    reopen: bool = False,
    moves: Mapping[ItemStatus, frozenset[ItemStatus]] = ITEM_TRANSITIONS,
) -> bool:
    """Whether a work item may move from ``old`` to ``new``; see :func:`check_transition`."""
    try:
        check_transition(old, new, reopen=reopen, moves=moves)
    except TransitionError:
        return False
    return True


def check_transition(
    old: ItemStatus,
    new: ItemStatus,
    *,
    reopen: bool = False,
    moves: Mapping[ItemStatus, frozenset[ItemStatus]] = ITEM_TRANSITIONS,
) -> None:
    """Raise unless a work item may move from ``old`` to ``new``.

    Args:
        old: Current status.
        new: Requested status.
        reopen: True only for the re-import of a moved appointment, which re-opens a closed
            item to ``requested``; every other change passes False.
        moves: The ordinary transitions of the item's lane (its definition's
            ``status_moves``; every lane today has :data:`ITEM_TRANSITIONS`).

    Raises:
        TransitionError: If the change is not allowed, with the reason.
        ValueError: If a status is not an :class:`ItemStatus` value.
    """
    old, new = ItemStatus(old), ItemStatus(new)
    if reopen:
        if old not in CLOSED_STATUSES:
            raise TransitionError(
                f"cannot reopen an item that is {old}: only completed, cancelled or failed "
                "items are reopened"
            )
        if new is not ItemStatus.REQUESTED:
            raise TransitionError(f"a reopened item goes back to requested, not {new}")
        return
    if new in moves[old]:
        return
    if old == new:
        raise TransitionError(f"item is already {old}")
    if old in CLOSED_STATUSES:
        raise TransitionError(
            f"item is {old} (closed) and cannot become {new}; only re-importing a moved "
            "appointment reopens it, to requested"
        )
    allowed = ", ".join(sorted(moves[old]))
    raise TransitionError(f"item cannot go from {old} to {new}; from {old} it may go to {allowed}")


def check_escalation_transition(old: EscalationState, new: EscalationState) -> None:
    """Raise unless an escalation may move from ``old`` to ``new``.

    Raises:
        TransitionError: If the change is not allowed, with the reason.
        ValueError: If a state is not an :class:`EscalationState` value.
    """
    old, new = EscalationState(old), EscalationState(new)
    if new in ESCALATION_TRANSITIONS[old]:
        return
    if old == new:
        raise TransitionError(f"escalation is already {old}")
    if old is EscalationState.RESOLVED:
        raise TransitionError(f"escalation is resolved and cannot become {new}; raise a new one")
    raise TransitionError(f"escalation cannot go from {old} back to {new}")
