"""What a lane is: one frozen :class:`LaneDefinition` per lane, read by every layer.

A lane's outcomes, states, due rules, clocks, follow-ups, fields, default SOP and summary
codes live in its own module beside this one (``callback.py``, ``eligibility.py``, ...); the
rest of vmadesk asks :func:`vmadesk.domain.lanes.lane_definition` instead of naming lanes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from vmadesk.domain.status_rules import ITEM_TRANSITIONS
from vmadesk.domain.vocabulary import EscalationCategory, ItemStatus, Lane, Outcome


class DueAnchor(StrEnum):
    """What a lane's due time is measured from."""

    REQUEST = "request"
    """Due ``due_offset`` of business time after the request."""
    APPOINTMENT = "appointment"
    """Due ``due_offset`` of wall time before the appointment starts."""


class ClockKind(StrEnum):
    """How a clock counts time."""

    BUSINESS_HOURS = "business_hours"
    """Only the practice's open hours count (the practice's own SLA)."""
    CALENDAR = "calendar"
    """Every hour counts, nights, weekends and holidays too (a payer's response window)."""


class FieldKind(StrEnum):
    """What a lane field holds, so forms and checks treat it alike."""

    TEXT = "text"
    AMOUNT = "amount"
    CODE = "code"
    COUNT = "count"
    DATE = "date"
    INSTANT = "instant"


class WorkSource(StrEnum):
    """What an import makes a lane's items from."""

    APPOINTMENT = "appointment"
    CALLBACK_REQUEST = "callback_request"
    LANE_RECORD = "lane_record"
    """A record of the lane's own kind (a prior-authorization request, a referral)."""


class ImportRule(StrEnum):
    """A lane-specific rule an import of appointments applies to the lane's items."""

    SOURCE_CONFIRMS = "source_confirms"
    """An export's "confirmed" appointment completes the item (nobody calls again)."""
    COVERAGE_CHECK = "coverage_check"
    """A coverage verified recently is not checked again; a changed coverage is."""


@dataclass(frozen=True)
class LaneField:
    """One detail field of a lane (an outcome's figure or a per-lane item field).

    Attributes:
        key: Stored key (in ``outcome_json`` or the item's ``lane_fields_json``).
        label: Words a form shows beside it.
        kind: What it holds.
        required_for: Outcomes that cannot be recorded without it.
        phi: Whether it may identify a patient (never in a summary, never on the wire).
    """

    key: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required_for: frozenset[Outcome] = frozenset()
    phi: bool = True


@dataclass(frozen=True)
class LaneState:
    """One lane-specific state (finer than :class:`ItemStatus`), with its words.

    Attributes:
        code: Stored and summarised code (PHI-free).
        words: What the screen says.
        status: The FHIR ``Task`` status an item in this state has.
    """

    code: str
    words: str
    status: ItemStatus


@dataclass(frozen=True)
class StateSet:
    """A set of lane states an item moves through, with the moves allowed between them.

    A lane may have several: a referral sent out moves through other states than one received.

    Attributes:
        code: Which set (``outgoing``, ``incoming``, ``default``).
        words: What the set is called on screen.
        states: The states, first the initial one.
        moves: Allowed moves, state code -> codes it may go to.
    """

    code: str
    words: str
    states: tuple[LaneState, ...]
    moves: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    def state(self, code: str) -> LaneState:
        """The state of ``code`` (KeyError if the set has none)."""
        for state in self.states:
            if state.code == code:
                return state
        raise KeyError(code)

    def may_move(self, old: str, new: str) -> bool:
        """Whether an item in state ``old`` may move to ``new``."""
        return new in self.moves.get(old, frozenset())


@dataclass(frozen=True)
class DueRule:
    """When a lane's items are due by default (a practice may change the figures).

    Attributes:
        anchor: What the due time counts from.
        due_offset: How far from the anchor (always non-negative).
        due_soon: How long before the due time an item counts as due soon.
        horizon_days: Days before the date of service an import first creates the item
            (None: no limit; appointment-anchored lanes only).
        create_window: How far ahead an import creates items at all (None: no limit).
    """

    anchor: DueAnchor
    due_offset: timedelta
    due_soon: timedelta
    horizon_days: int | None = None
    create_window: timedelta | None = None


@dataclass(frozen=True)
class ClockRule:
    """A clock of its own beside the lane's SLA (e.g. the payer's response window).

    Attributes:
        code: PHI-free code (``payer_response``).
        words: What the screen calls it.
        kind: Business hours or calendar time.
        starts_at_state: The lane state that starts the clock.
        runs_for: How long it runs by default (overridable per payer program).
        follow_up_lane: The lane of the item raised when it runs out (None: none).
    """

    code: str
    words: str
    kind: ClockKind
    starts_at_state: str
    runs_for: timedelta
    follow_up_lane: Lane | None = None


@dataclass(frozen=True)
class FollowUpRule:
    """An item one lane's item spawns (a re-authorization before an approval runs out).

    Attributes:
        code: PHI-free code (``reauthorization``).
        words: What the spawned item's reason says.
        lane: Lane of the spawned item.
        when_state: The lane state that arms it.
        lead: How long before the triggering time the follow-up is due.
    """

    code: str
    words: str
    lane: Lane
    when_state: str
    lead: timedelta = timedelta(0)


@dataclass(frozen=True)
class WorkStanding:
    """Where one open item of a lane with states of its own stands: codes and a duration.

    What the summary counts per lane (never PHI: the fields it was read from stay here).

    Attributes:
        state: The item's lane state code.
        program: Its payer program code (None: the lane has no programs).
        urgency: Its urgency code.
        late_by: How far past its due time it is (None: not late, or no clock running).
    """

    state: str
    program: str | None
    urgency: str
    late_by: timedelta | None


#: ``(lane state code, lane fields JSON, effective due, now) -> WorkStanding``; raises
#: ``ValueError`` when the item's details cannot be read.
StandingRule = Callable[[str, str | None, datetime, datetime], WorkStanding]


@dataclass(frozen=True)
class LaneDefinition:
    """Everything vmadesk knows about one lane, in one place.

    Attributes:
        lane: The lane.
        item_words: One item in words ("Eligibility check").
        subject_kind: ``items.subject_kind`` of its items.
        source: What an import makes its items from.
        new_item_reason: The reason a new imported item carries (None: the record's own).
        moved_note: History note when its appointment moved (None: not appointment-made).
        outcomes: The outcomes that finish its work, in digit-key order.
        fields: Detail fields (outcome figures and per-lane item fields).
        state_sets: Lane-specific state sets (empty: the FHIR ``Task`` status is enough).
        due: The default due rule (the practice's SLA clock).
        clocks: Further clocks (a calendar-time payer clock, ...).
        follow_ups: Items its items spawn.
        default_sop: The SOP text a new practice starts with.
        summary_codes: Every code of this lane that may appear in a summary (PHI-free).
        escalation_category: The category an escalation of its items starts on.
        first_attempt_minutes: Target minutes from arrival to the first contact attempt.
        date_of_service_detail: Whether its outcome records the appointment's date of service.
        import_rules: Lane-specific rules of an appointment import.
        status_moves: Its items' ordinary status transitions (FHIR ``Task`` statuses).
        answer_keeps_for: How long a completed item's answer stays good (``COVERAGE_CHECK``:
            the same coverage verified this recently is not checked again). None: no reuse.
        specialised: Whether a backlog in it calls for a specialised role rather than more
            hours (payer rules and portals take long to learn: prior authorization).
        standing: Where an open item stands for the summary's work figures (None: the lane
            has none: its items are counted by status alone).
        late_words: What the supervisor's board calls its late items ("payer late").
    """

    lane: Lane
    item_words: str
    subject_kind: str
    source: WorkSource
    due: DueRule
    default_sop: str
    escalation_category: EscalationCategory
    first_attempt_minutes: float
    outcomes: tuple[Outcome, ...] = ()
    fields: tuple[LaneField, ...] = ()
    state_sets: tuple[StateSet, ...] = ()
    clocks: tuple[ClockRule, ...] = ()
    follow_ups: tuple[FollowUpRule, ...] = ()
    summary_codes: frozenset[str] = frozenset()
    new_item_reason: str | None = None
    moved_note: str | None = None
    date_of_service_detail: bool = False
    import_rules: frozenset[ImportRule] = frozenset()
    answer_keeps_for: timedelta | None = None
    specialised: bool = False
    standing: StandingRule | None = None
    late_words: str = "overdue"
    status_moves: Mapping[ItemStatus, frozenset[ItemStatus]] = field(
        default_factory=lambda: ITEM_TRANSITIONS
    )

    @property
    def label(self) -> str:
        """The lane's name in lists and headers."""
        return self.lane.label

    @property
    def finishes_with_outcome(self) -> bool:
        """Whether the lane's work ends with one of its own outcomes."""
        return bool(self.outcomes)

    @property
    def from_appointments(self) -> bool:
        """Whether imports make its items from appointments."""
        return self.source is WorkSource.APPOINTMENT

    def required_details(self, outcome: Outcome) -> tuple[str, ...]:
        """Keys of the fields ``outcome`` cannot be recorded without, in form order."""
        return tuple(f.key for f in self.fields if outcome in f.required_for)

    def amount_fields(self) -> dict[str, str]:
        """Money fields, key -> words a refusal uses."""
        return {
            f.key: f.label.removesuffix(" ($)") for f in self.fields if f.kind is FieldKind.AMOUNT
        }

    def lane_field(self, key: str) -> LaneField:
        """The field of ``key`` (KeyError if the lane has none)."""
        for lane_field in self.fields:
            if lane_field.key == key:
                return lane_field
        raise KeyError(key)
