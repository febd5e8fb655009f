"""Each lane's screen parts, one module per lane, found by lane (README, "How to add a lane")."""

from __future__ import annotations

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.lane_forms import callback, confirmation, eligibility, prior_auth, referral
from vmadesk.ui.lane_forms.form import LaneForm, OutcomeDetails

_FORMS: dict[Lane, LaneForm] = {
    form.lane: form
    for form in (
        callback.FORM,
        confirmation.FORM,
        eligibility.FORM,
        prior_auth.FORM,
        referral.FORM,
    )
}


def lane_form(lane: Lane | str) -> LaneForm:
    """The form of ``lane`` (KeyError for a lane without one: a defect)."""
    return _FORMS[Lane(lane)]


def has_form(lane: Lane) -> bool:
    """Whether ``lane`` has its form (every lane must)."""
    return lane in _FORMS


__all__ = ["LaneForm", "OutcomeDetails", "has_form", "lane_form"]
