"""Fair, reproducible random samples of finished work for a supervisor's spot checks.

Sampling per stratum (VMA, lane, outcome) makes sure a quiet VMA or a rare outcome is looked
at too, instead of the sample mirroring whoever closed the most items. Reproducibility from a
seed lets a reviewer (or an auditor) recompute exactly which items were drawn.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from vmadesk.domain.vocabulary import Lane

Stratum = tuple[str, Lane, str]


@dataclass(frozen=True)
class SampleCandidate:
    """One finished item that may be drawn.

    Attributes:
        key: Stable unique identifier of the item (a pseudonym or local id, never PHI).
        vma: Who did the work.
        lane: The item's lane.
        outcome: The outcome code the item closed with.
    """

    key: str
    vma: str
    lane: Lane
    outcome: str

    @property
    def stratum(self) -> Stratum:
        """The group this candidate is drawn within."""
        return (self.vma, Lane(self.lane), self.outcome)


def stratified_sample(
    items: Sequence[SampleCandidate], *, per_stratum: int, seed: int
) -> list[SampleCandidate]:
    """Draw up to ``per_stratum`` candidates uniformly at random from each stratum.

    The result depends only on the *set* of candidates and the seed, not on their order:
    strata are visited in sorted order and each is sorted by key before drawing, all from one
    ``random.Random(seed)``. A stratum smaller than ``per_stratum`` is taken whole.

    Args:
        items: The candidates; keys must be unique.
        per_stratum: How many to draw per (vma, lane, outcome); zero draws nothing.
        seed: Seed of the draw; record it with the sample.

    Returns:
        The drawn candidates, grouped by stratum in sorted order, by key within a stratum.

    Raises:
        ValueError: If ``per_stratum`` is negative or a key repeats.
    """
    if isinstance(per_stratum, bool) or per_stratum < 0:
        raise ValueError(f"per_stratum must be >= 0, got {per_stratum!r}")
    strata: dict[Stratum, list[SampleCandidate]] = {}
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise ValueError(f"candidate key {item.key!r} appears twice")
        seen.add(item.key)
        strata.setdefault(item.stratum, []).append(item)
    rng = random.Random(seed)
    drawn: list[SampleCandidate] = []
    for stratum in sorted(strata):
        members = sorted(strata[stratum], key=lambda c: c.key)
        picked = rng.sample(members, min(per_stratum, len(members)))
        drawn.extend(sorted(picked, key=lambda c: c.key))
    return drawn
