"""The spot-check draw: reproducible from its seed, uniform within strata."""

from __future__ import annotations

import random
from collections import Counter

from vmadesk.hub.sampling import Candidate, draw, week_bounds


def population() -> list[Candidate]:
    rng = random.Random(1)
    out = [
        Candidate(f"{rng.getrandbits(256):064x}", "confirmation", "confirmed") for _ in range(10)
    ]
    out += [
        Candidate(f"{rng.getrandbits(256):064x}", "eligibility", "coverage_active")
        for _ in range(6)
    ]
    out += [Candidate(f"{rng.getrandbits(256):064x}", "callback", None) for _ in range(1)]
    return out


def test_reproducible_and_order_independent() -> None:
    people = population()
    shuffled = people[:]
    random.Random(5).shuffle(shuffled)
    assert draw(people, 42, 3) == draw(shuffled, 42, 3)
    assert draw(people, 42, 3) != draw(people, 43, 3)
    strata = draw(people, 42, 3)
    assert [(s.lane, s.outcome, s.population, len(s.drawn)) for s in strata] == [
        ("callback", None, 1, 1),
        ("confirmation", "confirmed", 10, 3),
        ("eligibility", "coverage_active", 6, 3),
    ]


def test_uniform_within_strata_chi_square() -> None:
    people = population()
    counts: Counter[str] = Counter()
    runs = 4000
    for seed in range(runs):
        for stratum in draw(people, seed, 2):
            if stratum.lane == "confirmation":
                counts.update(c.pseudonym for c in stratum.drawn)
    expected = runs * 2 / 10
    chi2 = sum((counts[c.pseudonym] - expected) ** 2 / expected for c in people[:10])
    # 9 degrees of freedom: the 0.999 quantile is 27.88
    assert chi2 < 27.88, chi2


def test_week_bounds() -> None:
    start, end = week_bounds("2025-W01")
    assert start.isoformat() == "2024-12-30T00:00:00+00:00"
    assert (end - start).days == 7
