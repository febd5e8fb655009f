import pytest

from vmadesk.domain.capacity import (
    CapacityAssessment,
    Recommendation,
    Signal,
    SignalCode,
    recommend_for_vma,
    slipping_lanes,
)
from vmadesk.domain.vocabulary import Lane


def made(*codes: SignalCode) -> CapacityAssessment:
    signals = tuple(Signal(c, c in codes, None, "") for c in SignalCode)
    overloaded = len(codes) >= 2
    return CapacityAssessment(signals, overloaded, Recommendation.NONE)


FINE = made()
MILD = made(SignalCode.CARRY_OVER, SignalCode.RESPONSE_STRETCHING)
LATE = made(SignalCode.LATE_RISING, SignalCode.ATTEMPTS_DROPPED)
GROWN = made(SignalCode.LATE_RISING, SignalCode.VOLUME_GROWN)
#: Lanes any VMA works (no specialised role).
GENERAL = (Lane.CALLBACK, Lane.CONFIRMATION, Lane.ELIGIBILITY)


@pytest.mark.parametrize(
    ("per_lane", "expected"),
    [
        ({}, Recommendation.NONE),
        ({Lane.CALLBACK: FINE, Lane.CONFIRMATION: FINE}, Recommendation.NONE),
        ({Lane.CALLBACK: MILD, Lane.CONFIRMATION: FINE}, Recommendation.MORE_HOURS),
        ({lane: MILD for lane in GENERAL}, Recommendation.MORE_HOURS),
        ({Lane.CALLBACK: FINE, Lane.ELIGIBILITY: LATE}, Recommendation.SPECIALIST_FOR_LANE),
        ({Lane.ELIGIBILITY: GROWN}, Recommendation.SPECIALIST_FOR_LANE),
        ({lane: GROWN for lane in GENERAL}, Recommendation.GENERALIST_VMA),
        ({Lane.CALLBACK: MILD, Lane.ELIGIBILITY: GROWN}, Recommendation.GENERALIST_VMA),
        ({lane: LATE for lane in GENERAL}, Recommendation.MORE_HOURS),
        (
            {
                Lane.CALLBACK: made(SignalCode.VOLUME_GROWN),
                Lane.CONFIRMATION: LATE,
                Lane.ELIGIBILITY: MILD,
            },
            Recommendation.MORE_HOURS,
        ),
        # A prior-authorization backlog calls for a specialised role, even a mild one.
        ({Lane.PRIOR_AUTH: MILD, Lane.CALLBACK: FINE}, Recommendation.SPECIALIST_FOR_LANE),
        ({Lane.PRIOR_AUTH: MILD, Lane.CALLBACK: GROWN}, Recommendation.SPECIALIST_FOR_LANE),
        ({Lane.REFERRAL: MILD, Lane.CALLBACK: FINE}, Recommendation.MORE_HOURS),
    ],
)
def test_recommend_for_vma(per_lane: dict, expected: Recommendation) -> None:
    assert recommend_for_vma(per_lane) is expected


def test_slipping_lanes_in_lane_order() -> None:
    per_lane = {Lane.ELIGIBILITY: LATE, Lane.CALLBACK: MILD, Lane.CONFIRMATION: FINE}
    assert slipping_lanes(per_lane) == (Lane.CALLBACK, Lane.ELIGIBILITY)
