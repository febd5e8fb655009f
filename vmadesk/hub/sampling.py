"""The spot-check draw: a seeded, stratified random sample.

Candidates are one VMA's completed items of one ISO week, each in the stratum (lane, outcome) of
its completion. They are sorted by pseudonym, strata are visited in sorted order, and
``random.Random(seed).sample`` picks up to ``per_stratum`` from each: anyone with the seed and the
candidate list can redo the draw and check it was fair.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True, order=True, slots=True)
class Candidate:
    """A completed item: its pseudonym and stratum."""

    pseudonym: str
    lane: str
    outcome: str | None


@dataclass(frozen=True, slots=True)
class StratumDraw:
    """One stratum's population and what was drawn from it."""

    lane: str
    outcome: str | None
    population: int
    drawn: tuple[Candidate, ...]


def _stratum_key(candidate: Candidate) -> tuple[str, str]:
    return (candidate.lane, candidate.outcome or "")


def draw(candidates: list[Candidate], seed: int, per_stratum: int) -> list[StratumDraw]:
    """Draw up to ``per_stratum`` candidates uniformly from each stratum, reproducibly."""
    rng = random.Random(seed)
    strata: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in sorted(set(candidates)):
        strata[_stratum_key(candidate)].append(candidate)
    out = []
    for key in sorted(strata):
        population = strata[key]
        chosen = rng.sample(population, min(per_stratum, len(population)))
        out.append(
            StratumDraw(
                lane=key[0],
                outcome=key[1] or None,
                population=len(population),
                drawn=tuple(chosen),
            )
        )
    return out


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """``"2025-W07"`` -> [Monday 00:00 UTC, next Monday 00:00 UTC)."""
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


def iso_week(moment: datetime) -> str:
    """The ISO week of ``moment`` (UTC) as ``YYYY-Www``."""
    year, number, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{number:02d}"
