"""The callback lane's form: nothing beyond the common parts (no outcome of its own)."""

from __future__ import annotations

from vmadesk.domain.vocabulary import Lane
from vmadesk.ui.lane_forms.form import LaneForm

FORM = LaneForm(lane=Lane.CALLBACK)
