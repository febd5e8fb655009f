"""Codes read aloud: grouped base32 that survives case, spaces and dashes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vmadesk.domain.spoken_codes import from_spoken, to_spoken


@given(st.binary(min_size=32, max_size=32))
def test_round_trip_however_it_is_typed(data: bytes) -> None:
    code = to_spoken(data)
    assert len(code) == 64 and code.count("-") == 12  # 13 groups of four
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-")
    assert from_spoken(code, 32) == data
    assert from_spoken(code.lower().replace("-", " "), 32) == data


def test_a_short_or_foreign_code_is_refused() -> None:
    code = to_spoken(bytes(range(32)))
    assert from_spoken(code[:-5], 32) is None
    assert from_spoken("not a code at all!", 32) is None
