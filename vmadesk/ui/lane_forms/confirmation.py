"""The confirmation lane's form: its outcomes carry no details."""

from __future__ import annotations

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.lane_forms.form import LaneForm

FORM = LaneForm(lane=Lane.CONFIRMATION)
