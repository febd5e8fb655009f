"""Lane fields survive the JSON of items.lane_fields_json, and a broken object is refused."""

from datetime import UTC, date, datetime

import pytest

from vmadesk.domain.lane_fields_codec import (
    prior_auth_from_json,
    referral_from_json,
    to_json,
)
from vmadesk.domain.medical_codes import ServiceLine
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PriorAuthFields
from vmadesk.domain.referral_rules import ReferralDirection, ReferralFields


def test_prior_auth_fields_round_trip():
    pa = PriorAuthFields(
        program=PayerProgram.MEDICARE_ADVANTAGE,
        services=(ServiceLine("97110", 12),),
        diagnoses=("M54.5",),
        urgency=PaUrgency.EXPEDITED,
        submitted_at=datetime(2026, 3, 2, 15, tzinfo=UTC),
        valid_to=date(2026, 6, 30),
        units_used=3,
    )
    assert prior_auth_from_json(to_json(pa)) == pa


def test_referral_fields_round_trip():
    ref = ReferralFields(
        direction=ReferralDirection.OUTGOING,
        reason="knee pain",
        sent_at=datetime(2026, 3, 2, 15, tzinfo=UTC),
        referred_to_organization="Ortho (demo)",
        visit_on=date(2026, 3, 20),
    )
    assert referral_from_json(to_json(ref)) == ref


def test_a_broken_object_is_refused_without_its_values():
    with pytest.raises(ValueError, match="services"):
        prior_auth_from_json('{"program": "commercial", "services": []}')
    with pytest.raises(ValueError, match="not an object"):
        prior_auth_from_json("[1]")
