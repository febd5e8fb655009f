"""What a lane's form is: its lines in the detail pane and its outcome details.

Each lane's module beside this one builds a :class:`LaneForm`; the registry in
``__init__`` finds it by :class:`~vmadesk.domain.vocabulary.Lane`. The lane's rules come from
its domain definition (:func:`vmadesk.domain.lanes.lane_definition`); only the widgets and
the words on screen live here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from vmadesk.domain.vocabulary import Lane, Outcome


class OutcomeDetails(QWidget):
    """The detail inputs a lane's outcomes carry (figures, a reason), shown under the outcomes.

    Attributes:
        fields: The inputs by field key.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, QLineEdit] = {}

    def enable_for(self, outcome: Outcome | None) -> None:
        """Enable the inputs the chosen outcome uses; disable the rest."""

    def details(self, outcome: Outcome | None) -> dict[str, str]:
        """The values the chosen outcome carries, by field key."""
        return {}

    def focus_for(self, outcome: Outcome | None) -> bool:
        """Put the cursor in the first input the outcome still needs (False: none)."""
        return False

    def label(self, key: str) -> str:
        """A field's name in a refusal."""
        return key


#: Lines a lane adds to the detail pane's "at hand" text: ``(item, practice zone, now) -> lines``.
DetailLines = Callable[[Any, str, datetime], list[str]]
#: Builds a lane's :class:`OutcomeDetails`: ``(plan, date of service) -> widget``.
DetailsFactory = Callable[[str, str], OutcomeDetails]


def no_lines(item: Any, zone: str, now: datetime) -> list[str]:
    """A lane without lines of its own in the detail pane."""
    return []


@dataclass(frozen=True)
class LaneForm:
    """The screen parts of one lane.

    Attributes:
        lane: The lane.
        detail_lines: Its lines in the detail pane.
        outcome_details: Builds its outcome detail inputs (None: its outcomes carry none).
    """

    lane: Lane
    detail_lines: DetailLines = no_lines
    outcome_details: DetailsFactory | None = None
