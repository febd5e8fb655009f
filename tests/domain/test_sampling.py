import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmadesk.domain.sampling import SampleCandidate, stratified_sample
from vmadesk.domain.vocabulary import Lane

# Upper 0.1 % points of the chi-square distribution (standard tables, e.g. NIST/SEMATECH
# e-Handbook 1.3.6.7.4), by degrees of freedom. A fair sampler exceeds them once in 1,000
# runs; the draws below are seeded, so each test is deterministic and either always passes
# or always fails.
CHI2_999 = {4: 18.467, 9: 27.877}


def make(n: int, vma: str = "vma-a", lane: Lane = Lane.CALLBACK, outcome: str = "reached"):
    return [
        SampleCandidate(f"{vma}-{lane}-{outcome}-{i:03d}", vma, lane, outcome) for i in range(n)
    ]


POOL = (
    make(10)
    + make(5, outcome="voicemail")
    + make(2, vma="vma-b", lane=Lane.ELIGIBILITY, outcome="coverage_active")
    + make(7, vma="vma-b", lane=Lane.CONFIRMATION, outcome="confirmed")
)


def test_per_stratum_counts() -> None:
    drawn = stratified_sample(POOL, per_stratum=3, seed=1)
    per = Counter((c.vma, c.lane, c.outcome) for c in drawn)
    assert per == {
        ("vma-a", Lane.CALLBACK, "reached"): 3,
        ("vma-a", Lane.CALLBACK, "voicemail"): 3,
        ("vma-b", Lane.ELIGIBILITY, "coverage_active"): 2,  # smaller stratum taken whole
        ("vma-b", Lane.CONFIRMATION, "confirmed"): 3,
    }
    assert len({c.key for c in drawn}) == len(drawn)


def test_reproducible_from_seed_and_independent_of_input_order() -> None:
    first = stratified_sample(POOL, per_stratum=2, seed=42)
    shuffled = list(POOL)
    random.Random(7).shuffle(shuffled)
    assert stratified_sample(shuffled, per_stratum=2, seed=42) == first
    assert stratified_sample(tuple(reversed(POOL)), per_stratum=2, seed=42) == first


def test_different_seeds_draw_differently() -> None:
    draws = {
        tuple(c.key for c in stratified_sample(POOL, per_stratum=2, seed=s)) for s in range(20)
    }
    assert len(draws) > 10


def test_output_is_grouped_by_sorted_stratum_then_key() -> None:
    drawn = stratified_sample(POOL, per_stratum=2, seed=3)
    keys = [((c.vma, c.lane, c.outcome), c.key) for c in drawn]
    assert keys == sorted(keys)


def test_zero_and_bad_arguments() -> None:
    assert stratified_sample(POOL, per_stratum=0, seed=1) == []
    assert stratified_sample([], per_stratum=3, seed=1) == []
    with pytest.raises(ValueError, match="per_stratum"):
        stratified_sample(POOL, per_stratum=-1, seed=1)
    with pytest.raises(ValueError, match="appears twice"):
        stratified_sample([*POOL, POOL[0]], per_stratum=1, seed=1)


def chi_square(counts: Counter, keys: list[str], expected: float) -> float:
    return sum((counts[k] - expected) ** 2 / expected for k in keys)


@pytest.mark.parametrize(("size", "per_stratum", "df"), [(10, 3, 9), (5, 2, 4)])
def test_uniform_within_a_stratum(size: int, per_stratum: int, df: int) -> None:
    stratum = make(size)
    runs = 20_000
    counts: Counter = Counter()
    for seed in range(runs):
        counts.update(c.key for c in stratified_sample(stratum, per_stratum=per_stratum, seed=seed))
    keys = [c.key for c in stratum]
    expected = runs * per_stratum / size
    statistic = chi_square(counts, keys, expected)
    assert statistic < CHI2_999[df], (statistic, counts)


def test_chi_square_detects_a_biased_draw() -> None:
    # The check itself must be able to fail: always drawing the first key is rejected.
    keys = [f"k{i}" for i in range(10)]
    counts = Counter({"k0": 20_000})
    assert chi_square(counts, keys, 2_000) > CHI2_999[9]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(list(Lane)),
            st.sampled_from(["reached", "failed"]),
        ),
        max_size=60,
    ),
    st.integers(min_value=0, max_value=5),
    st.integers(),
)
def test_sample_properties(strata: list, per_stratum: int, seed: int) -> None:
    pool = [
        SampleCandidate(f"key-{i}", vma, lane, out) for i, (vma, lane, out) in enumerate(strata)
    ]
    drawn = stratified_sample(pool, per_stratum=per_stratum, seed=seed)
    sizes = Counter(c.stratum for c in pool)
    got = Counter(c.stratum for c in drawn)
    assert set(drawn) <= set(pool)
    for stratum, size in sizes.items():
        assert got[stratum] == min(size, per_stratum)
    assert stratified_sample(list(reversed(pool)), per_stratum=per_stratum, seed=seed) == drawn
