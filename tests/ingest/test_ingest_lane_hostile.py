"""PA and referral readers under hostile values: a refusal naming the place, never a traceback.

Each example replaces one value of a sample file with something an export should not hold;
the reader must either read the file or raise :class:`IngestError` (nothing else), and a
refusal must not quote the value.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.crash_guard import UNEXPECTED_REASON
from vmadesk.ingest.errors import IngestError
from vmadesk.ingest.lane_detect import read_lane_file

DATA = Path(__file__).parent / "data" / "lanes"
CTX = ReadContext(file_name="hostile", practice_tz=ZoneInfo("America/New_York"))
CANARY = "Zq9Canary"
FHIR_FILES = [json.loads((DATA / n).read_text()) for n in
              ("pas-prior-auth-bundle.json", "referral-servicerequests.json")]  # fmt: skip
CSV_FILES = [(DATA / n).read_text() for n in ("prior-auth-worklist.csv", "referral-worklist.csv")]
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False),
    st.just(CANARY),
    st.just(f"{CANARY}-2026-13-45"),
    st.just([CANARY]),
    st.just({"value": CANARY}),
    st.text(max_size=12).map(lambda t: CANARY + t),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in [(*prefix, k), *_paths(v, (*prefix, k))]]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in [(*prefix, i), *_paths(v, (*prefix, i))]]
    return []


PATHS = [(n, path) for n, doc in enumerate(FHIR_FILES) for path in _paths(doc)]


def _read(text: str) -> None:
    try:
        read_lane_file(text, CTX)
    except IngestError as exc:
        assert CANARY not in str(exc), str(exc)
        # The readers' safety net is for what nobody foresaw; these values are foreseen.
        assert exc.reason != UNEXPECTED_REASON, str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PATHS), value=HOSTILE)
def test_one_hostile_fhir_value_is_read_or_refused(place: tuple[int, tuple[Any, ...]],
                                                   value: Any) -> None:  # fmt: skip
    n, path = place
    doc = json.loads(json.dumps(FHIR_FILES[n]))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _read(json.dumps(doc))


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, len(CSV_FILES) - 1),
    row=st.integers(1, 6),
    col=st.integers(0, 23),
    cell=st.one_of(st.just(CANARY), st.text(max_size=16).map(lambda t: CANARY + t),
                   st.sampled_from(["0", "-1", "99999999", "13/45/2026", "x", "  ", "1e9"])),
)  # fmt: skip
def test_one_hostile_csv_cell_is_read_or_refused(n: int, row: int, col: int, cell: str) -> None:
    rows = list(csv.reader(io.StringIO(CSV_FILES[n])))
    if row < len(rows) and col < len(rows[row]):
        rows[row][col] = cell
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    _read(out.getvalue())
