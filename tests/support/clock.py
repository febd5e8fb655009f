"""The one movable clock of the tests: time moves when the test says so, never by sleeping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class MovableClock:
    """A clock the test moves by hand (``clock.advance(minutes=20)``); call it for the time.

    By default it starts at the current minute (the demo profile's items are made around it).
    """

    now: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(second=0, microsecond=0)
    )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)
