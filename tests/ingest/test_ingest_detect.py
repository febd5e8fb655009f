"""decode_text's control-character scan: sliced (no long GIL hold), same answer as one scan."""

from __future__ import annotations

import pytest

from vmadesk.ingest import IngestError
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.detect import (
    _CONTROLS,
    BYTE_SLICE,
    SCAN_SLICE,
    count_control_bytes,
    count_controls,
    decode_text,
)

CTX = ReadContext(file_name="export.csv")


def test_slices_count_what_one_scan_counts_at_every_boundary() -> None:
    chars = list("a" * (3 * SCAN_SLICE + 10))
    # Last of the first slice, first of the second, and a pair straddling the second boundary.
    for i in (SCAN_SLICE - 1, SCAN_SLICE, 2 * SCAN_SLICE - 1, 2 * SCAN_SLICE, 3 * SCAN_SLICE + 5):
        chars[i] = "\x01"
    text = "".join(chars)
    assert count_controls(text, stop_after=len(text)) == len(_CONTROLS.findall(text)) == 5


def test_controls_only_in_a_later_slice_still_refuse_the_file() -> None:
    clean = "a" * (2 * SCAN_SLICE)
    binary = "\x01\x02\x03x" * (SCAN_SLICE // 40)  # 75 % controls, all in the third slice
    assert len(clean) >= 2 * SCAN_SLICE  # the first two slices hold no control at all
    with pytest.raises(IngestError) as info:
        decode_text((clean + binary).encode("ascii"), CTX)
    assert "not a text file" in info.value.reason


def test_a_control_straddling_the_slice_boundary_counts_toward_the_share() -> None:
    # 1 % of the text is allowed: put just over 1 % around the boundary, half on each side.
    n = 2 * SCAN_SLICE
    over, half = n // 100 + 2, (n // 100 + 2) // 2
    text = "a" * (SCAN_SLICE - half) + "\x07" * over + "a" * (n - SCAN_SLICE - over + half)
    assert len(text) == n and text[SCAN_SLICE - 1] == text[SCAN_SLICE] == "\x07"
    with pytest.raises(IngestError):
        decode_text(text.encode("ascii"), CTX)
    # Under the share it is text (a stray bell in a big export does not refuse it).
    ok = "a" * (SCAN_SLICE + 3) + "\x07" + "a" * SCAN_SLICE
    assert decode_text(ok.encode("ascii"), CTX) == ok


def test_counting_stops_early_past_the_limit() -> None:
    assert count_controls("\x01" * 50, stop_after=3) == 4


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_counting_the_bytes_counts_the_texts_controls(encoding: str) -> None:
    # Every C0 control, allowed or not, among multi-byte characters, across a slice boundary.
    text = "é€ñ" * 5 + "".join(chr(c) for c in range(1, 32)) + "ü" * BYTE_SLICE + "\x07\x1b"
    data = text.encode(encoding)
    assert len(data) > BYTE_SLICE
    assert count_control_bytes(data) == len(_CONTROLS.findall(text)) == 27
