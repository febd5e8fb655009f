"""Each lane's form is found from the lane, and the outcome panel builds itself from it."""

from __future__ import annotations

from datetime import UTC, datetime

from vmadesk.domain import lanes
from vmadesk.domain.vocabulary import Lane, Outcome
from vmadesk.ui.icons import icon, lane_icon_name
from vmadesk.ui.lane_forms import has_form, lane_form
from vmadesk.ui.widgets.lane_outcome_panel import LaneOutcomePanel

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_every_lane_has_a_form_with_an_icon(qtbot):
    for lane in Lane:
        assert has_form(lane)
        form = lane_form(lane)
        assert form.lane is lane
        assert not icon(lane_icon_name(lane)).isNull()


def test_each_outcome_of_each_lane_carries_the_details_its_definition_requires(qtbot):
    for definition in lanes.ALL:
        panel = LaneOutcomePanel(definition.lane)
        qtbot.addWidget(panel)
        assert panel.outcomes == definition.outcomes
        for outcome in definition.outcomes:
            panel.choose(outcome)
            assert set(definition.required_details(outcome)) <= set(panel.details()), outcome


def test_the_panel_names_the_missing_figures_in_words(qtbot):
    panel = LaneOutcomePanel(Lane.ELIGIBILITY, plan="Gold")
    qtbot.addWidget(panel)
    panel.choose(Outcome.COVERAGE_ACTIVE)
    assert panel.problem(identity_verified=False) == (
        "'Coverage active' needs: Copay, Deductible remaining, Reference number."
    )
    panel.choose(Outcome.UNABLE_TO_VERIFY)
    assert panel.problem(identity_verified=False) == "'Unable to verify' needs: Reason."
    assert panel.extra is not None and panel.extra.reason.isEnabled()


def test_detail_lines_come_from_the_lane(qtbot):
    class Item:
        payer, plan, member_id, appointment_start = "Demo Health", "Gold", "M1", None

    assert lane_form(Lane.ELIGIBILITY).detail_lines(Item(), "UTC", NOW) == [
        "Coverage: Demo Health · plan Gold · member M1"
    ]
    assert lane_form(Lane.CALLBACK).detail_lines(Item(), "UTC", NOW) == []


def test_clock_lines_say_when_a_due_time_has_passed() -> None:
    from datetime import timedelta

    from vmadesk.domain.medical_codes import ServiceLine
    from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
    from vmadesk.domain.prior_auth_rules import PriorAuthFields
    from vmadesk.domain.referral_rules import ReferralDirection, ReferralFields
    from vmadesk.ui.lane_forms.clock_words import payer_clock_line, schedule_clock_line

    sent = NOW - timedelta(days=21)
    referral = ReferralFields(
        direction=ReferralDirection.OUTGOING, reason="Knee", sent_at=sent, referred_by=None,
        referred_to_organization="Ortho",
    )  # fmt: skip
    assert schedule_clock_line(referral, "UTC", sent).startswith("Visit to be scheduled by ")
    late = schedule_clock_line(referral, "UTC", NOW)
    assert late.startswith("Visit was to be scheduled by ") and late.endswith("7 days overdue")
    pa = PriorAuthFields(
        program=PayerProgram.MEDICAID, services=(ServiceLine("97110", 1),),
        urgency=PaUrgency.EXPEDITED, submitted_at=NOW - timedelta(days=4),
    )  # fmt: skip
    early = payer_clock_line(pa, "UTC", NOW - timedelta(days=3))
    assert early is not None and "answer due by" in early and "late" not in early
    assert payer_clock_line(pa, "UTC", NOW).endswith("the payer is 1 day late")
