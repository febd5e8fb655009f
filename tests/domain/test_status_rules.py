import itertools

import pytest

from vmadesk.domain.status_rules import (
    TransitionError,
    can_transition,
    check_escalation_transition,
    check_transition,
)
from vmadesk.domain.vocabulary import CLOSED_STATUSES, EscalationState, ItemStatus

S = ItemStatus
E = EscalationState

ALLOWED = {
    (S.REQUESTED, S.IN_PROGRESS),
    (S.REQUESTED, S.ON_HOLD),
    (S.REQUESTED, S.COMPLETED),
    (S.REQUESTED, S.CANCELLED),
    (S.REQUESTED, S.FAILED),
    (S.IN_PROGRESS, S.ON_HOLD),
    (S.IN_PROGRESS, S.COMPLETED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.IN_PROGRESS, S.FAILED),
    (S.ON_HOLD, S.IN_PROGRESS),
    (S.ON_HOLD, S.REQUESTED),
    (S.ON_HOLD, S.COMPLETED),
    (S.ON_HOLD, S.CANCELLED),
    (S.ON_HOLD, S.FAILED),
}


@pytest.mark.parametrize(("old", "new"), list(itertools.product(S, S)))
def test_ordinary_transition_table(old: ItemStatus, new: ItemStatus) -> None:
    if (old, new) in ALLOWED:
        check_transition(old, new)
        assert can_transition(old, new)
    else:
        with pytest.raises(TransitionError):
            check_transition(old, new)
        assert not can_transition(old, new)


def test_transition_error_is_a_value_error() -> None:
    assert issubclass(TransitionError, ValueError)


@pytest.mark.parametrize("old", sorted(CLOSED_STATUSES))
def test_closed_items_reopen_only_to_requested(old: ItemStatus) -> None:
    check_transition(old, S.REQUESTED, reopen=True)
    with pytest.raises(TransitionError, match="reopened item goes back to requested"):
        check_transition(old, S.IN_PROGRESS, reopen=True)
    with pytest.raises(TransitionError, match="closed"):
        check_transition(old, S.REQUESTED)


@pytest.mark.parametrize("old", [S.REQUESTED, S.IN_PROGRESS, S.ON_HOLD])
def test_open_items_cannot_be_reopened(old: ItemStatus) -> None:
    with pytest.raises(TransitionError, match="only completed, cancelled or failed"):
        check_transition(old, S.REQUESTED, reopen=True)


def test_messages_are_specific() -> None:
    with pytest.raises(TransitionError, match="already in-progress"):
        check_transition(S.IN_PROGRESS, S.IN_PROGRESS)
    with pytest.raises(TransitionError, match="from in-progress to requested"):
        check_transition(S.IN_PROGRESS, S.REQUESTED)


def test_strings_are_accepted_and_unknowns_refused() -> None:
    check_transition("requested", "in-progress")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'done' is not a valid ItemStatus"):
        check_transition(S.REQUESTED, "done")  # type: ignore[arg-type]


ESCALATION_ALLOWED = {
    (E.RAISED, E.ACKNOWLEDGED),
    (E.RAISED, E.RESOLVED),
    (E.ACKNOWLEDGED, E.RESOLVED),
}


@pytest.mark.parametrize(("old", "new"), list(itertools.product(E, E)))
def test_escalation_lifecycle(old: EscalationState, new: EscalationState) -> None:
    if (old, new) in ESCALATION_ALLOWED:
        check_escalation_transition(old, new)
    else:
        with pytest.raises(TransitionError):
            check_escalation_transition(old, new)


def test_escalation_messages() -> None:
    with pytest.raises(TransitionError, match="resolved and cannot become raised"):
        check_escalation_transition(E.RESOLVED, E.RAISED)
    with pytest.raises(TransitionError, match="from acknowledged back to raised"):
        check_escalation_transition(E.ACKNOWLEDGED, E.RAISED)
