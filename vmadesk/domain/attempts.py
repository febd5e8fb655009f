"""When to try a patient again, and when to stop trying."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.instants import as_utc
from vmadesk.domain.sla import LanePolicy

AttemptProposal = Literal["retry", "fail_or_escalate"]


def next_attempt_at(
    policy: LanePolicy, hours: BusinessHours, last_attempt_at: datetime
) -> datetime:
    """Return the earliest moment for the next contact attempt, in UTC.

    The gap is elapsed time (the patient's day goes on whether the practice is open or not);
    the result is then moved forward into business hours, because an attempt is made on the
    practice's behalf and during its hours.

    Args:
        policy: The lane's policy (its ``attempt_gap``).
        hours: The practice's business hours.
        last_attempt_at: When the last attempt was made.

    Raises:
        ValueError: If ``last_attempt_at`` is naive.
    """
    return hours.next_open(as_utc(last_attempt_at, "last_attempt_at") + policy.attempt_gap)


def attempts_exhausted(policy: LanePolicy, unsuccessful_count: int) -> bool:
    """Whether ``unsuccessful_count`` failed attempts use up the lane's allowance.

    Raises:
        ValueError: If the count is negative.
    """
    if isinstance(unsuccessful_count, bool) or unsuccessful_count < 0:
        raise ValueError(f"unsuccessful_count must be >= 0, got {unsuccessful_count!r}")
    return unsuccessful_count >= policy.max_attempts


def proposal_after_attempt(policy: LanePolicy, unsuccessful_count: int) -> AttemptProposal:
    """What the console proposes after an unsuccessful attempt.

    It proposes, never decides: the VMA confirms a retry time, or marks the item failed or
    escalates it once the allowance is used up.

    Raises:
        ValueError: If the count is negative.
    """
    if attempts_exhausted(policy, unsuccessful_count):
        return "fail_or_escalate"
    return "retry"
