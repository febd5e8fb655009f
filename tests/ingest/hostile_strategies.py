"""Hypothesis strategies for hostile exports: dates, numbers, encodings and structure.

Each strategy draws bytes a practice system (or an attacker) could hand the import: built
from the valid documents of :mod:`tests.ingest.hostile` with one or more parts replaced,
so most draws get past the outer checks and reach the conversions deep in the readers.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from tests.ingest.hostile import CANARY, CSV_HEADER, GOOD_BUNDLE, GOOD_CSV

# -- dates ------------------------------------------------------------------------------------

_years = st.one_of(st.sampled_from([2026, 1, 9999, 1899, 1900, 2999, 3000]), st.integers(0, 9999))
_pad2 = st.integers(0, 99).map(lambda n: f"{n:02d}")


@st.composite
def iso_stamps(draw: st.DrawFn) -> str:
    """ISO-like date-times with every part possibly out of range (leap seconds, 9999, +99:99)."""
    # Each part mostly valid, so that one bad part at a time reaches the deep conversions.
    year = draw(_years)
    month = draw(st.one_of(st.integers(1, 12), st.sampled_from([0, 13])))
    day = draw(st.one_of(st.integers(1, 28), st.sampled_from([0, 29, 30, 31, 32])))
    hour = draw(st.one_of(st.integers(0, 23), st.sampled_from([24, 25])))
    minute = draw(st.one_of(st.integers(0, 59), st.sampled_from([60, 61])))
    second = draw(st.sampled_from([60, 0, 30, 59, 61]))
    fraction = draw(st.sampled_from(["", ".5", ".123456", ".1234567890", ",5"]))
    sep = draw(st.sampled_from(["T", "T", " ", "t", ""]))
    offset = draw(
        st.one_of(
            st.sampled_from(["Z", "-05:00", "+14:00", "-12:00", "", "z", "+00:00", "-00:00"]),
            st.builds(lambda s, h, m: f"{s}{h}:{m}", st.sampled_from("+-"), _pad2, _pad2),
            st.builds(lambda s, h, m: f"{s}{h}{m}", st.sampled_from("+-"), _pad2, _pad2),
        )
    )
    clock = f"{hour:02d}:{minute:02d}" + draw(st.sampled_from([f":{second:02d}{fraction}", ""]))
    return f"{year:04d}-{month:02d}-{day:02d}{sep}{clock}{offset}"


@st.composite
def local_dates(draw: st.DrawFn) -> str:
    """What CSV reports write: US dates, two-digit years, month names, 12-hour clocks."""
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    year = draw(st.one_of(_years.map(str), st.integers(0, 99).map(lambda y: f"{y:02d}")))
    when = draw(
        st.sampled_from(
            [
                f"{month}/{day}/{year}",
                f"{day}-Jan-{year}",
                f"{day} Feb {year}",
                f"{year}-{month}-{day}",
            ]
        )
    )
    clock = draw(
        st.sampled_from(["", " 9:00 AM", " 12:00 am", " 13:00 PM", " 0:61", " 24:00", " 23:59:60"])
    )
    return when + clock


dates = st.one_of(iso_stamps(), local_dates(), st.text(max_size=30))

# -- numbers ----------------------------------------------------------------------------------

#: JSON number *text* (the parser's problem, not json.dumps's): huge, tiny, non-finite.
number_text = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.integers(4000, 6000).map(lambda n: "9" * n),
    st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "-0", "0.0", "1E-400"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)

# -- structure --------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    dates,
    st.just(CANARY * 20),
    st.just("\u0000\u001b\u0085\u2028"),
)
json_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
#: Keys of the valid Bundle's resources worth breaking (and any other key).
_KEYS = [
    "id", "status", "start", "end", "minutesDuration", "participant", "name", "birthDate",
    "telecom", "gender", "beneficiary", "payor", "subscriberId", "period", "contained",
    "identifier", "meta", "resourceType", "appointmentType", "class",
]  # fmt: skip


@st.composite
def fhir_documents(draw: st.DrawFn) -> bytes:
    """The valid Bundle with a few elements replaced by hostile values, as JSON text."""
    doc = copy.deepcopy(GOOD_BUNDLE)
    entries = doc["entry"]  # kept when the draw replaces the Bundle's "entry"
    numbers: dict[str, str] = {}
    for n in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(["bundle", "entry", "resource", "resource", "resource"]))
        entry = entries[draw(st.integers(0, len(entries) - 1))]
        key = draw(st.one_of(st.sampled_from(_KEYS), st.text(max_size=10)))
        value: Any = draw(st.one_of(json_values, dates, st.just(f"@number{n}@")))
        if value == f"@number{n}@":
            numbers[json.dumps(value)] = draw(number_text)
        if target == "bundle":
            doc[draw(st.sampled_from(["type", "entry", "meta", "link", key]))] = value
        elif target == "entry":
            entry[draw(st.sampled_from(["fullUrl", "resource", "request", key]))] = value
        elif isinstance(entry.get("resource"), dict):  # not when replaced with a value
            entry["resource"][key] = value
    if draw(st.booleans()) and isinstance(doc.get("entry"), list):
        doc["entry"].append(copy.deepcopy(draw(st.sampled_from(entries))))
    text = json.dumps(doc)
    for placeholder, number in numbers.items():
        text = text.replace(placeholder, number)
    return text.encode()


_cells = st.one_of(
    dates,
    number_text.map(lambda t: t[:200]),
    st.text(max_size=12),
    st.sampled_from(['"', '""', '"open', "a,b", "a;b", "\t", "\r", "\n", "\x00", "\x1b", CANARY]),
)
_headers = st.one_of(
    st.sampled_from(
        ["Appt ID", "Appt Date", "Appt Time", "Start", "End", "Patient Name", "DOB", "Cell Phone",
         "Status", "Reason", "Requested Window", "Phone", "Name", "Member ID", f"Smithson {CANARY}"]
    ),
    st.text(max_size=10),
)  # fmt: skip


def _csv_cell(text: str, quote: bool) -> str:
    return '"' + text.replace('"', '""') + '"' if quote else text


@st.composite
def csv_documents(draw: st.DrawFn) -> bytes:
    """A CSV report: the valid one with rows added, cells replaced, headers doubled."""
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    if draw(st.booleans()):
        headers = draw(st.lists(_headers, min_size=1, max_size=8))
    else:
        headers = CSV_HEADER.strip().split(",")
    lines = [delimiter.join(_csv_cell(h, draw(st.booleans())) for h in headers)]
    for _ in range(draw(st.integers(0, 4))):
        cells = draw(st.lists(_cells, min_size=0, max_size=len(headers) + 2))
        lines.append(delimiter.join(_csv_cell(c, draw(st.booleans())) for c in cells))
    if draw(st.booleans()):
        lines.append(GOOD_CSV.splitlines()[1].replace(",", delimiter))
    return draw(st.sampled_from(["\r\n", "\n", "\r"])).join(lines).encode()


# -- encodings --------------------------------------------------------------------------------

_ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "cp1252",
    "latin-1",
]


@st.composite
def encoded_documents(draw: st.DrawFn) -> bytes:
    """A valid or broken document in another encoding, perhaps with stray bytes."""
    text = draw(st.one_of(fhir_documents(), csv_documents(), st.just(GOOD_CSV.encode()))).decode()
    encoding = draw(st.sampled_from(_ENCODINGS))
    data = text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        stray = draw(
            st.sampled_from([b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00", b"\x80", b"\xc3"])
        )
        data = data[:at] + stray + data[at:]
    return data


hostile_documents = st.one_of(fhir_documents(), csv_documents(), encoded_documents())
