"""The identity check of a call: asked once per call, ticked with one key (I, or Space on it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtWidgets import QCheckBox

from vmadesk.domain.vocabulary import Outcome
from vmadesk.services.views import AttemptRow, from_db

IDENTITY_TEXT = "&Identity verified: name + date of birth (key I)"


def identity_checkbox() -> QCheckBox:
    """The identity check box (Alt+I or I ticks it; I alone while no text field has focus)."""
    box = QCheckBox(IDENTITY_TEXT)
    box.setAccessibleName("Identity verified")
    return box


#: How long after a "Reached" with the identity checked the call is taken to go on.
SAME_CALL = timedelta(minutes=30)


def checked_in_this_call(attempts: Sequence[AttemptRow], now: datetime) -> bool:
    """Whether the latest attempt reached the patient with the identity checked just now.

    The outcome recorded right after such a call (O) does not ask the check a second time.
    """
    if not attempts:
        return False
    last = attempts[-1]
    return (
        last.outcome == Outcome.REACHED.value
        and last.identity_verified
        and now - from_db(last.at) <= SAME_CALL
    )
