"""Demo work for the PA and referral lanes: every state, both clocks live, obviously fake."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.follow_ups import FollowUpKind
from vmadesk.domain.payer_clock import PaClockPolicy, follow_ups
from vmadesk.domain.prior_auth_rules import PaState
from vmadesk.domain.referral_rules import (
    IncomingState,
    OutgoingState,
    ReferralPolicy,
    is_unscheduled_overdue,
)
from vmadesk.services.demo_lanes import demo_prior_auths, demo_referrals

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
HOURS = BusinessHours.default("America/New_York")


def test_every_pa_state_is_in_the_demo_and_the_clocks_have_something_to_show() -> None:
    records = demo_prior_auths(NOW)
    assert {r.state for r in records} == set(PaState)
    kinds = {
        spec.kind
        for r in records
        for spec in follow_ups(r.state, r.fields, NOW, HOURS, PaClockPolicy())
    }
    assert kinds == {FollowUpKind.PAYER_LATE, FollowUpKind.REAUTHORIZATION, FollowUpKind.APPEAL}


def test_every_referral_state_is_in_the_demo_with_one_overdue() -> None:
    records = demo_referrals(NOW)
    assert {r.state for r in records if isinstance(r.state, OutgoingState)} == set(OutgoingState)
    assert {r.state for r in records if isinstance(r.state, IncomingState)} == set(IncomingState)
    assert any(is_unscheduled_overdue(r.state, r.fields, NOW, ReferralPolicy()) for r in records)


def test_demo_records_are_fake_unique_and_repeatable() -> None:
    records = (*demo_prior_auths(NOW), *demo_referrals(NOW))
    assert len({r.source_id for r in records}) == len(records)
    for r in records:
        assert r.patient.source_id.startswith("DEMO-")
        assert r.patient.phone_e164 is not None
        assert re.fullmatch(r"\+1\d{3}5550[12]\d\d", r.patient.phone_e164)
    assert demo_prior_auths(NOW) == demo_prior_auths(NOW)
    assert demo_referrals(NOW) == demo_referrals(NOW)
