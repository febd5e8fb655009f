"""Whatever the bytes, a reader returns an ImportBatch or raises IngestError: nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmadesk.ingest import ImportBatch, IngestError, read_bytes
from vmadesk.ingest.samples import make_csv, make_fhir_bundle

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,  # keep example files out of the shared checkout
    suppress_health_check=[HealthCheck.too_slow],
)
VALID_CSV = make_csv(4, seed=11).encode()
VALID_JSON = json.dumps(make_fhir_bundle(2, seed=11)).encode()


def _read(data: bytes, name: str = "fuzz") -> None:
    try:
        batch = read_bytes(data, name)
    except IngestError as err:
        assert str(err).startswith(name)
    else:
        assert isinstance(batch, ImportBatch)


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data: bytes) -> None:
    _read(data)


@FUZZ
@given(st.text(max_size=600))
def test_arbitrary_text(text: str) -> None:
    _read(text.encode())


def _mutate(base: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    data = bytearray(base)
    for pos, cut, insert in edits:
        pos %= len(data) + 1
        data[pos : pos + cut] = insert
    return bytes(data)


EDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10**6),
        st.integers(min_value=0, max_value=8),
        st.sampled_from(
            [
                b"",
                b",",
                b";",
                b'"',
                b"\n",
                b"\t",
                b"{",
                b"}",
                b"[",
                b"]",
                b":",
                b"null",
                b"-05:00",
                b"#",
                b"Patient/",
                b"urn:uuid:",
                b"\xff",
                b"\x00",
                b"13/45/2026",
                b"99:99 PM",
                b"0",
                b'""',
                b"\\u0000",
            ]
        ),
    ),
    min_size=1,
    max_size=6,
)


@FUZZ
@given(EDITS)
def test_mutated_csv(edits: list[tuple[int, int, bytes]]) -> None:
    _read(_mutate(VALID_CSV, edits), "m.csv")


@FUZZ
@given(EDITS)
def test_mutated_json_bytes(edits: list[tuple[int, int, bytes]]) -> None:
    _read(_mutate(VALID_JSON, edits), "m.json")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@FUZZ
@given(st.data())
def test_structurally_mutated_fhir(data: st.DataObject) -> None:
    doc = make_fhir_bundle(2, seed=12)
    paths = [p for p in _paths(doc) if p]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(paths))
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if data.draw(st.booleans()):
                parent[path[-1]] = data.draw(JSON_VALUES)
            elif isinstance(parent, dict):
                del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
    _read(json.dumps(doc).encode(), "s.json")
