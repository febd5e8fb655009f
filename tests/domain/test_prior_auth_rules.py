"""Prior authorization rules: states and moves, programs, code shapes, fields, outcomes, denial."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from vmadesk.domain.medical_codes import (
    CodeSystem,
    ServiceLine,
    normalise_icd10,
    service_code_system,
)
from vmadesk.domain.payer_programs import PaChannel, PaUrgency, PayerProgram, read_program
from vmadesk.domain.prior_auth_rules import (
    PA_OUTCOMES,
    DenialChoice,
    PaOutcome,
    PaState,
    PriorAuthFields,
    apply_outcome,
    can_move,
    denial_options,
    item_status,
    missing_for,
    outcome_for_key,
    outcomes_for,
)
from vmadesk.domain.vocabulary import HoldReason, ItemStatus

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def fields(**kw: object) -> PriorAuthFields:
    base: dict[str, object] = {
        "program": PayerProgram.MEDICARE_ADVANTAGE,
        "services": (ServiceLine("97110", 12),),
        "diagnoses": ("M17.11",),
    }
    base.update(kw)
    return PriorAuthFields(**base)  # type: ignore[arg-type]


def test_every_state_has_words_on_screen() -> None:
    assert PaState.MORE_INFO_REQUESTED.label == "More information requested"
    assert PaState.NEEDS_SUBMISSION.label == "Needs submission"
    assert PaState.PARTIALLY_APPROVED.label == "Partially approved"
    assert all(s.label and "_" not in s.label for s in PaState)
    assert all("_" not in o.label for o in PaOutcome)


def test_the_main_path_and_its_branches_are_allowed() -> None:
    path = [
        PaState.NEEDS_SUBMISSION, PaState.GATHERING_DOCUMENTS, PaState.SUBMITTED,
        PaState.MORE_INFO_REQUESTED, PaState.SUBMITTED, PaState.PENDED, PaState.DENIED,
        PaState.APPEAL_SUBMITTED, PaState.PARTIALLY_APPROVED, PaState.EXHAUSTED,
    ]  # fmt: skip
    for current, target in pairwise(path):
        assert can_move(current, target), (current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (PaState.APPROVED, PaState.DENIED),
        (PaState.NEEDS_SUBMISSION, PaState.APPROVED),
        (PaState.CLOSED, PaState.SUBMITTED),
        (PaState.DENIED, PaState.APPROVED),
        (PaState.EXPIRED, PaState.SUBMITTED),
    ],
)
def test_moves_that_skip_the_payer_or_leave_a_final_state_are_refused(
    current: PaState, target: PaState
) -> None:
    assert not can_move(current, target)


def test_final_states_and_the_payers_turn() -> None:
    finals = {s for s in PaState if s.is_final}
    assert finals == {PaState.CLOSED, PaState.NOT_REQUIRED, PaState.EXPIRED, PaState.EXHAUSTED}
    waiting = {s for s in PaState if s.waits_on_payer}
    assert waiting == {PaState.SUBMITTED, PaState.PENDED, PaState.APPEAL_SUBMITTED}


def test_item_status_follows_who_holds_the_work() -> None:
    assert item_status(PaState.SUBMITTED) == (ItemStatus.ON_HOLD, HoldReason.WAITING_ON_PAYER)
    assert item_status(PaState.MORE_INFO_REQUESTED) == (ItemStatus.IN_PROGRESS, None)
    assert item_status(PaState.DENIED)[0] is ItemStatus.IN_PROGRESS  # appeal or close: open
    assert item_status(PaState.APPROVED)[0] is ItemStatus.COMPLETED


@pytest.mark.parametrize(
    ("text", "program"),
    [
        ("Medicare Advantage", PayerProgram.MEDICARE_ADVANTAGE),
        ("MA", PayerProgram.MEDICARE_ADVANTAGE),
        ("Medicare Part C", PayerProgram.MEDICARE_ADVANTAGE),
        ("Medicaid MCO", PayerProgram.MEDICAID),
        ("CHIP", PayerProgram.CHIP),
        ("Medicaid/CHIP", PayerProgram.CHIP),
        ("ACA Marketplace", PayerProgram.EXCHANGE),
        ("BCBS PPO", PayerProgram.COMMERCIAL),
        ("Medicare", PayerProgram.OTHER),
        ("medicare_advantage", PayerProgram.MEDICARE_ADVANTAGE),
    ],
)
def test_programs_are_read_as_exports_write_them(text: str, program: PayerProgram) -> None:
    assert read_program(text) is program


def test_an_unknown_program_lists_the_words_not_the_cell() -> None:
    with pytest.raises(ValueError) as info:
        read_program("Zebra Health")
    assert "Zebra" not in str(info.value) and "Medicaid" in str(info.value)


@pytest.mark.parametrize(
    ("code", "system"),
    [("99213", CodeSystem.CPT), ("0042T", CodeSystem.CPT), ("0001F", CodeSystem.CPT),
     ("J1745", CodeSystem.HCPCS), ("e0601", CodeSystem.HCPCS)],
)  # fmt: skip
def test_cpt_and_hcpcs_shapes(code: str, system: CodeSystem) -> None:
    assert service_code_system(code) is system
    assert ServiceLine(code).code == code.upper()


@pytest.mark.parametrize("code", ["9921", "J174", "123456", "12345A", "JJ123", ""])
def test_malformed_service_codes_are_refused_without_the_value(code: str) -> None:
    with pytest.raises(ValueError) as info:
        ServiceLine(code)
    assert "CPT" in str(info.value)
    if code:
        assert code not in str(info.value)


def test_units_and_a_mismatched_system_are_refused() -> None:
    with pytest.raises(ValueError, match="units"):
        ServiceLine("97110", 0)
    with pytest.raises(ValueError, match="HCPCS"):
        ServiceLine("97110", 1, CodeSystem.HCPCS)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("M17.11", "M17.11"), ("m1711", "M17.11"), ("E119", "E11.9"), ("Z00.00", "Z00.00"),
     ("U07.1", "U07.1"), ("I10", "I10"), ("S72.001A", "S72.001A")],
)  # fmt: skip
def test_icd10_codes_are_normalised(raw: str, normal: str) -> None:
    assert normalise_icd10(raw) == normal


@pytest.mark.parametrize("raw", ["123.4", "M1", "M17.11111", "MM7.1", "17.11"])
def test_malformed_icd10_codes_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="ICD-10"):
        normalise_icd10(raw)


def test_fields_validate_and_name_the_field() -> None:
    made = fields(diagnoses=("m1711", "E119"), units_approved=8, auth_number="A1")
    assert made.diagnoses == ("M17.11", "E11.9")
    assert made.units_requested == 12 and made.units_left == 8
    with pytest.raises(ValueError, match=r"^diagnoses: "):
        fields(diagnoses=("XX",))
    with pytest.raises(ValueError, match=r"^services: "):
        fields(services=())
    with pytest.raises(ValueError, match=r"^valid_to: ends before it starts"):
        fields(valid_from=date(2026, 12, 1), valid_to=date(2026, 11, 1))
    with pytest.raises(ValueError, match=r"^service_to: "):
        fields(service_from=date(2026, 12, 1), service_to=date(2026, 11, 1))
    with pytest.raises(ValueError, match=r"^submitted_at: "):
        fields(submitted_at=datetime(2026, 11, 20, 9, 0))
    with pytest.raises(ValueError, match=r"^units_used: "):
        fields(units_used=-1)
    with pytest.raises(ValueError, match=r"^denial_reason: ") as info:
        fields(denial_reason="no; way")
    assert "no; way" not in str(info.value)


def test_an_approval_without_units_grants_what_was_asked() -> None:
    assert fields().units_left is None  # no decision yet
    assert fields(auth_number="A1", units_used=5).units_left == 7


def test_digit_keys_map_to_outcomes_in_order() -> None:
    assert outcome_for_key(1) is PaOutcome.START_DOCUMENTS
    assert outcome_for_key(len(PA_OUTCOMES)) is PaOutcome.NOT_REQUIRED
    assert outcome_for_key(0) is None and outcome_for_key(10) is None
    assert len(PA_OUTCOMES) <= 9


def test_outcomes_offered_follow_the_state() -> None:
    offered = outcomes_for(PaState.SUBMITTED)
    assert PaOutcome.PENDED in offered and PaOutcome.APPROVED in offered
    assert PaOutcome.START_DOCUMENTS not in offered
    assert outcomes_for(PaState.DENIED) == (PaOutcome.APPEAL_SUBMITTED,)
    assert outcomes_for(PaState.CLOSED) == ()


def test_recording_outcomes_checks_the_fields_they_need() -> None:
    start = fields()
    state, sent = apply_outcome(
        PaState.NEEDS_SUBMISSION, PaOutcome.SUBMITTED, start,
        submitted_at=NOW, channel=PaChannel.PORTAL,
    )  # fmt: skip
    assert state is PaState.SUBMITTED and sent.submitted_at == NOW
    with pytest.raises(ValueError, match="authorization number"):
        apply_outcome(state, PaOutcome.APPROVED, sent)
    with pytest.raises(ValueError, match="denial reason code"):
        apply_outcome(state, PaOutcome.DENIED, sent)
    with pytest.raises(ValueError, match="cannot record"):
        apply_outcome(PaState.CLOSED, PaOutcome.APPROVED, sent, auth_number="A1")
    state, approved = apply_outcome(state, PaOutcome.APPROVED, sent, auth_number="AUTH-77")
    assert state is PaState.APPROVED and approved.auth_number == "AUTH-77"
    assert missing_for(PaState.PARTIALLY_APPROVED, approved) == ("units_approved",)


def test_a_denial_offers_appeal_with_its_deadline_then_only_close() -> None:
    deadline = NOW + timedelta(days=65)
    denied = fields(denial_reason="a3", appeal_deadline=deadline, urgency=PaUrgency.EXPEDITED)
    assert denied.denial_reason == "A3"
    appeal, close = denial_options(denied, NOW)
    assert appeal.choice is DenialChoice.APPEAL and appeal.deadline == deadline
    assert close.choice is DenialChoice.CLOSE and close.deadline is None
    assert [o.choice for o in denial_options(denied, deadline + timedelta(seconds=1))] == [
        DenialChoice.CLOSE
    ]
    with pytest.raises(ValueError, match="reason code"):
        denial_options(fields(), NOW)
    for option in (appeal, close):
        assert can_move(PaState.DENIED, option.choice.target)
    assert close.choice.target is PaState.CLOSED
