"""The lane registry: every lane defined once, with PHI-free summary codes and sane rules."""

import re
from datetime import timedelta

import pytest

from vmadesk.domain import lanes
from vmadesk.domain.lanes import (
    ClockKind,
    ClockRule,
    DueAnchor,
    DueRule,
    FieldKind,
    FollowUpRule,
    LaneDefinition,
    LaneField,
    LaneState,
    StateSet,
    WorkSource,
    appointment_lanes,
    lane_definition,
)
from vmadesk.domain.sla import LanePolicy
from vmadesk.domain.vocabulary import (
    CONTACT_OUTCOMES,
    EscalationCategory,
    ItemStatus,
    Lane,
    Outcome,
)

#: A summary code is a lower-case word code: it cannot hold a name, a phone number, a date
#: or an identifier (no digits, no spaces, no capitals, no punctuation but "_").
CODE = re.compile(r"^[a-z]+(?:_[a-z]+)*$")


def test_every_lane_has_exactly_one_definition():
    assert [d.lane for d in lanes.ALL] == list(Lane)
    for lane in Lane:
        assert lane_definition(lane).lane is lane
        assert lane_definition(lane.value) is lane_definition(lane)


def test_an_unknown_lane_code_is_refused():
    with pytest.raises(ValueError):
        lane_definition("dentistry")


@pytest.mark.parametrize("definition", lanes.ALL, ids=lambda d: d.lane.value)
def test_summary_codes_are_phi_free_codes_of_the_lanes_own_vocabulary(definition):
    declared = (
        {definition.lane.value}
        | {o.value for o in CONTACT_OUTCOMES}
        | {o.value for o in definition.outcomes}
        | {s.code for states in definition.state_sets for s in states.states}
        | {c.code for c in definition.clocks}
        | {f.code for f in definition.follow_ups}
        | {f.key for f in definition.fields if not f.phi}
    )
    assert definition.summary_codes, "a lane reports at least its own code"
    for code in definition.summary_codes:
        assert CODE.fullmatch(code), code
        assert code in declared, f"{code} is not a code of lane {definition.lane}"


@pytest.mark.parametrize("definition", lanes.ALL, ids=lambda d: d.lane.value)
def test_no_phi_field_is_a_summary_code(definition):
    phi = {f.key for f in definition.fields if f.phi}
    assert not phi & definition.summary_codes


@pytest.mark.parametrize("definition", lanes.ALL, ids=lambda d: d.lane.value)
def test_each_definition_makes_a_valid_default_policy(definition):
    policy = LanePolicy.default(definition.lane)
    assert policy.anchor is definition.due.anchor
    assert (policy.due_offset, policy.due_soon) == (
        definition.due.due_offset,
        definition.due.due_soon,
    )
    assert policy.horizon_days == definition.due.horizon_days
    assert definition.default_sop.strip()
    assert definition.first_attempt_minutes > 0


@pytest.mark.parametrize("definition", lanes.ALL, ids=lambda d: d.lane.value)
def test_required_details_are_fields_of_the_lane(definition):
    keys = {f.key for f in definition.fields}
    for outcome in definition.outcomes:
        assert set(definition.required_details(outcome)) <= keys
    for f in definition.fields:
        assert f.required_for <= set(definition.outcomes), f.key


def test_outcomes_belong_to_one_lane_and_are_no_contact_outcomes():
    seen: dict[Outcome, Lane] = {}
    for definition in lanes.ALL:
        for outcome in definition.outcomes:
            assert outcome not in CONTACT_OUTCOMES
            assert seen.setdefault(outcome, definition.lane) is definition.lane


def test_todays_lanes_keep_their_rules():
    callback = lane_definition(Lane.CALLBACK)
    assert not callback.finishes_with_outcome and callback.source is WorkSource.CALLBACK_REQUEST
    assert appointment_lanes() == (Lane.CONFIRMATION, Lane.ELIGIBILITY)
    eligibility = lane_definition(Lane.ELIGIBILITY)
    assert eligibility.required_details(Outcome.COVERAGE_ACTIVE) == (
        "plan",
        "copay",
        "deductible_remaining",
        "reference_number",
    )
    assert eligibility.amount_fields() == {
        "copay": "Copay",
        "deductible_remaining": "Deductible remaining",
    }
    assert eligibility.escalation_category is EscalationCategory.PAYER_BILLING
    assert eligibility.answer_keeps_for == timedelta(days=30)
    assert lane_definition(Lane.CONFIRMATION).due.create_window == timedelta(days=14)


def test_a_definition_carries_state_sets_two_clocks_and_follow_ups():
    """What the next lanes need (prior authorization): several state sets with words, a
    calendar-time clock beside the business-hours SLA, and a spawned follow-up item."""
    submitted = LaneState("submitted", "Submitted", ItemStatus.IN_PROGRESS)
    approved = LaneState("approved", "Approved", ItemStatus.COMPLETED)
    states = StateSet(
        "default",
        "Authorization",
        (LaneState("needs_submission", "Needs submission", ItemStatus.REQUESTED), submitted,
         approved),
        {"needs_submission": frozenset({"submitted"}), "submitted": frozenset({"approved"})},
    )  # fmt: skip
    definition = LaneDefinition(
        lane=Lane.CALLBACK,
        item_words="Test",
        subject_kind="callback",
        source=WorkSource.LANE_RECORD,
        due=DueRule(DueAnchor.REQUEST, timedelta(hours=8), timedelta(hours=2)),
        default_sop="Submit.",
        escalation_category=EscalationCategory.PAYER_BILLING,
        first_attempt_minutes=60.0,
        fields=(LaneField("units_approved", "Units approved", FieldKind.COUNT, phi=False),),
        state_sets=(states,),
        clocks=(
            ClockRule(
                "payer_response",
                "Payer's answer due",
                ClockKind.CALENDAR,
                starts_at_state="submitted",
                runs_for=timedelta(days=7),
                follow_up_lane=Lane.CALLBACK,
            ),
        ),
        follow_ups=(FollowUpRule("reauthorization", "Re-authorize", Lane.CALLBACK, "approved"),),
        summary_codes=frozenset({"submitted", "payer_response", "units_approved"}),
    )
    assert states.may_move("needs_submission", "submitted")
    assert not states.may_move("approved", "submitted")
    assert states.state("approved").status is ItemStatus.COMPLETED
    assert definition.clocks[0].kind is ClockKind.CALENDAR
    assert definition.lane_field("units_approved").kind is FieldKind.COUNT
    with pytest.raises(KeyError):
        definition.lane_field("member_id")


def test_a_lane_may_narrow_its_status_moves():
    from vmadesk.domain.status_rules import ITEM_TRANSITIONS, TransitionError, check_transition

    assert all(d.status_moves == ITEM_TRANSITIONS for d in lanes.ALL)
    no_hold = {s: moves - {ItemStatus.ON_HOLD} for s, moves in ITEM_TRANSITIONS.items()}
    check_transition(ItemStatus.REQUESTED, ItemStatus.ON_HOLD)
    with pytest.raises(TransitionError, match="it may go to"):
        check_transition(ItemStatus.REQUESTED, ItemStatus.ON_HOLD, moves=no_hold)


@pytest.mark.parametrize("definition", lanes.ALL, ids=lambda d: d.lane.value)
def test_a_lane_with_states_of_its_own_says_where_its_work_stands(definition):
    """The summary's work figures come from the definition: a new lane adds no branch there."""
    assert (definition.standing is not None) == bool(definition.state_sets)
    if definition.standing is None:
        return
    states = {s.code for state_set in definition.state_sets for s in state_set.states}
    assert definition.late_words
    # the standing's codes are summary codes: nothing but codes reaches the hub
    assert states <= definition.summary_codes


def test_the_payer_is_late_only_while_it_has_the_request():
    from datetime import UTC, datetime

    from vmadesk.domain.lane_fields_codec import to_json
    from vmadesk.domain.medical_codes import ServiceLine
    from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
    from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields

    submitted = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    now = submitted + timedelta(days=10)
    fields = to_json(
        PriorAuthFields(
            program=PayerProgram.MEDICARE_ADVANTAGE,
            services=(ServiceLine("97110", 12),),
            urgency=PaUrgency.STANDARD,
            submitted_at=submitted,
        )
    )
    standing = lanes.lane_definition(Lane.PRIOR_AUTH).standing
    assert standing is not None
    waiting = standing(PaState.SUBMITTED.value, fields, now, now)
    assert (waiting.program, waiting.urgency) == ("medicare_advantage", "standard")
    assert waiting.late_by == timedelta(days=3)  # 7 calendar days for the payer
    assert standing(PaState.APPROVED.value, fields, now, now).late_by is None
