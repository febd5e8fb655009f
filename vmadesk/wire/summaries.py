"""A VMA's PHI-free summary of an interval, and the board and trends the hub builds from them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    StringConstraints,
    model_validator,
)

from vmadesk.domain import vocabulary
from vmadesk.domain.vocabulary import (
    DueState,
    EscalationCategory,
    ItemStatus,
    Lane,
    Outcome,
    Urgency,
)
from vmadesk.wire.common import (
    SCHEMA_VERSION,
    WORK_KIND_CODES,
    WORK_STATE_CODES,
    Count,
    Handle,
    Seconds,
    Sha256Hex,
    Timestamp,
    Wire,
)

# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


#: Days of summaries the board sums "done" over (the domain's figure, which consoles use too).
BOARD_WINDOW_DAYS = vocabulary.BOARD_WINDOW_DAYS


#: State codes of the lanes with states of their own (prior authorization, referral).
WorkStateCode = Annotated[
    str, StringConstraints(pattern=f"^({'|'.join(sorted(WORK_STATE_CODES))})$")
]
#: Payer programs and urgencies (prior authorization) and referral urgencies.
WorkKindCode = Annotated[str, StringConstraints(pattern=f"^({'|'.join(sorted(WORK_KIND_CODES))})$")]


class LaneWork(Wire):
    """Open work of a lane with states of its own, as codes and durations only.

    Never a payer's name, a service or diagnosis code, or anything else that could single a
    patient out: the state each item is in, its payer program and urgency, and how late the
    late ones are (the payer past its window, a referral past its due time).
    """

    by_state: dict[WorkStateCode, Count] = Field(default_factory=dict, max_length=32)
    by_program: dict[WorkKindCode, Count] = Field(default_factory=dict, max_length=16)
    by_urgency: dict[WorkKindCode, Count] = Field(default_factory=dict, max_length=8)
    late: Count = Field(0, description="payer past its window (PA) or referral overdue")
    late_by_median_s: Seconds | None = None
    late_by_max_s: Seconds | None = None


class LaneSummary(Wire):
    """One lane's figures for the interval."""

    lane: Lane
    by_status: dict[ItemStatus, Count] = Field(default_factory=dict)
    by_due_state: dict[DueState, Count] = Field(default_factory=dict, description="open items")
    completed_on_time: Count = 0
    completed_late: Count = 0
    first_attempt_median_s: Seconds | None = None
    first_attempt_p90_s: Seconds | None = None
    attempts_total: Count = 0
    items_attempted: Count = 0
    attempts_per_item: float = Field(0.0, ge=0, le=1000, description="attempts / items attempted")
    outcomes: dict[Outcome, Count] = Field(default_factory=dict)
    carried_over: Count = Field(0, description="open items carried over to the next day")
    reopened_on_time: Count = Field(
        0, description="completions on time (of the board's window) reopened in the interval"
    )
    reopened_late: Count = Field(
        0, description="late completions (of the board's window) reopened in the interval"
    )
    work: LaneWork | None = Field(None, description="prior authorization and referral lanes")


class EscalationCount(Wire):
    """Escalations raised in the interval for one category and urgency."""

    category: EscalationCategory
    urgency: Urgency
    count: Count


class HandoffCounts(Wire):
    """Handoff items sent, and how their receivers answered."""

    sent: Count = 0
    acknowledged: Count = 0
    declined: Count = 0


class AuditHead(Wire):
    """The head of the console's audit chain: proves the chain only grows."""

    seq: int = Field(ge=0, le=2**62)
    hash: Sha256Hex


class Summary(Wire):
    """One VMA's PHI-free figures for an interval (the sender is the authenticated account)."""

    kind: Literal["summary"] = "summary"
    schema_version: Literal[1] = SCHEMA_VERSION
    interval_start: Timestamp
    interval_end: Timestamp
    shift_start: Timestamp | None = Field(None, description="the VMA's shift, UTC")
    shift_end: Timestamp | None = None
    lanes: list[LaneSummary] = Field(default_factory=list, max_length=len(Lane))
    escalations: list[EscalationCount] = Field(default_factory=list, max_length=64)
    handoffs: HandoffCounts = HandoffCounts()
    audit_head: AuditHead

    @model_validator(mode="after")
    def _check(self) -> Summary:
        if self.interval_end < self.interval_start:
            raise ValueError("interval_end before interval_start")
        if len({lane.lane for lane in self.lanes}) != len(self.lanes):
            raise ValueError("a lane appears twice")
        return self


# --------------------------------------------------------------------------------------------
# Supervisor board and trends
# --------------------------------------------------------------------------------------------

DAY_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
HubDay = Annotated[str, StringConstraints(pattern=DAY_PATTERN)]
"""A UTC calendar day of the hub's bookkeeping (``2025-02-14``), never a patient's date."""


class BoardLane(Wire):
    """One VMA's lane on the team board: the latest snapshot plus a week of completions."""

    lane: Lane
    open: Count = 0
    due_soon: Count = 0
    overdue: Count = 0
    completed_on_time: Count = Field(0, description="over the board window (7 days)")
    completed_late: Count = Field(0, description="over the board window (7 days)")
    first_attempt_median_s: Seconds | None = None
    carried_over: Count = 0
    escalations_open: Count = 0
    summary_at: Timestamp | None = Field(None, description="interval end of the latest summary")
    work: LaneWork | None = Field(None, description="states, programs, urgencies, lateness")


class BoardVma(Wire):
    """One VMA on the team board."""

    vma: Handle
    lanes: list[BoardLane] = Field(default_factory=list, max_length=len(Lane))
    escalations_open: Count = 0
    handoffs_awaiting_ack: Count = Field(0, description="items sent, not yet receipted")
    last_sync_at: Timestamp | None = None
    audit_went_back_at: Timestamp | None = Field(
        None,
        description="when a summary's audit-chain head went backwards (a console restored from"
        " an older copy, or a chain cut short); refused, kept for the supervisor",
    )


class Board(Wire):
    """``GET /v1/board``: every active VMA account, in handle order."""

    generated_at: Timestamp
    window_days: int = Field(ge=1, le=400)
    vmas: list[BoardVma]


class TrendPoint(Wire):
    """One VMA's day in one lane (UTC hub days), shaped for the capacity signals."""

    day: HubDay
    opened: Count = Field(0, description="items imported (item events received that day)")
    completed_on_time: Count = 0
    completed_late: Count = 0
    open: Count = Field(0, description="backlog: open items in the day's last summary")
    due_soon: Count = 0
    overdue: Count = 0
    carried_over: Count = 0
    dropped: Count = Field(0, description="failed/cancelled after due without a patient reason")
    escalations: Count = Field(0, description="escalations raised that day")
    first_attempt_median_s: Seconds | None = None


class TrendSeries(Wire):
    """Daily points of one VMA in one lane, oldest first (days without data left out)."""

    vma: Handle
    lane: Lane
    points: list[TrendPoint]


class Trends(Wire):
    """``GET /v1/trends``: series for the days ``start`` … ``end`` inclusive."""

    days: int = Field(ge=1, le=400)
    start: HubDay
    end: HubDay
    series: list[TrendSeries]


__all__ = [
    "BOARD_WINDOW_DAYS",
    "DAY_PATTERN",
    "AuditHead",
    "Board",
    "BoardLane",
    "BoardVma",
    "EscalationCount",
    "HandoffCounts",
    "HubDay",
    "LaneSummary",
    "LaneWork",
    "Summary",
    "TrendPoint",
    "TrendSeries",
    "Trends",
    "WorkKindCode",
    "WorkStateCode",
]
