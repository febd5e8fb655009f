"""Splitting a parsed Bundle into chunks that can be read independently, and parsing it.

See :mod:`vmadesk.ingest.fhir_parallel`. Tokens name what an entry is found by or points
at: ``u:<url>`` (a fullUrl, or a URL a reference could be looked up as), ``k:<type>/<id>``
and ``p:<id>`` (a patient id, which links coverages to appointments even when the patient
is not in the file). Entries of the core types (Appointment, Patient, Coverage) that share
a token end up in one group; other resources are copied into the chunks that mention them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vmadesk.ingest import fhir_reader
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.fhir_references import _TAIL, _base_of

#: With more distinct fullUrl service bases than this, grouping gives up (serial read).
MAX_BASES = 32
_CORE_TYPES = frozenset({"Appointment", "Patient", "Coverage"})
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


# -- JSON, entry by entry -----------------------------------------------------------------------


def _parse_array(s: str, i: int) -> tuple[list[Any], int]:
    scan, ws = _DECODER.scan_once, _WS.match
    out: list[Any] = []
    i = ws(s, i).end()
    if s[i : i + 1] == "]":
        return out, i + 1
    while True:
        value, i = scan(s, i)
        out.append(value)
        i = ws(s, i).end()
        c = s[i : i + 1]
        if c == "]":
            return out, i + 1
        if c != ",":
            raise ValueError
        i = ws(s, i + 1).end()


def _parse_object(s: str) -> dict[str, Any]:
    """``json.loads`` of a top-level object, one top-level value or array element at a time.

    Every call into the C scanner is short, so a UI thread gets the GIL between them.
    Raises anything on bad input: the caller then lets ``json.loads`` name the error.
    """
    scan, ws = _DECODER.scan_once, _WS.match
    i = ws(s, 0).end()
    if s[i : i + 1] != "{":
        raise ValueError
    i = ws(s, i + 1).end()
    out: dict[str, Any] = {}
    if s[i : i + 1] == "}":
        i += 1
    else:
        while True:
            if s[i : i + 1] != '"':
                raise ValueError
            key, i = json.decoder.scanstring(s, i + 1)
            i = ws(s, i).end()
            if s[i : i + 1] != ":":
                raise ValueError
            i = ws(s, i + 1).end()
            value, i = _parse_array(s, i + 1) if s[i : i + 1] == "[" else scan(s, i)
            out[key] = value
            i = ws(s, i).end()
            c = s[i : i + 1]
            if c == "}":
                i += 1
                break
            if c != ",":
                raise ValueError
            i = ws(s, i + 1).end()
    if ws(s, i).end() != len(s):
        raise ValueError
    return out


def load_json(text: str, ctx: ReadContext) -> Any:
    """Parse like ``json.loads`` (same value, same errors) without one long GIL hold."""
    try:
        return _parse_object(text)
    except (ValueError, StopIteration, RecursionError, IndexError):
        return fhir_reader._load_json(text, ctx)  # raises the error the serial reader raises


# -- grouping -----------------------------------------------------------------------------------


def _references(node: Any, out: list[tuple[str, Any]]) -> None:
    """Collect every ``reference`` string under a resource, with its element's ``type``."""
    values = node.values() if type(node) is dict else node
    for value in values:
        kind = type(value)
        if kind is dict:
            ref = value.get("reference")
            if type(ref) is str:
                out.append((ref, value.get("type")))
            _references(value, out)
        elif kind is list:
            _references(value, out)


def _tokens(entry: dict[str, Any], bases: list[str]) -> tuple[str | None, set[str]]:
    """An entry's resource type and every token it owns or mentions (see the module doc)."""
    res = entry.get("resource")
    if res is None:
        return None, set()
    if not isinstance(res, dict):
        return None, set()
    rtype = res.get("resourceType") if isinstance(res.get("resourceType"), str) else None
    out: set[str] = set()
    full_url = entry.get("fullUrl")
    if isinstance(full_url, str) and full_url:
        out.add("u:" + full_url)
    rid = res.get("id")
    if isinstance(rid, str) and rid and rtype:
        out.add(f"k:{rtype}/{rid}")
        if rtype == "Patient":
            out.add("p:" + rid)
    contained = res.get("contained")
    for inner in contained if isinstance(contained, list) else ():
        if isinstance(inner, dict) and inner.get("resourceType") == "Patient":
            out.add(f"p:{inner.get('id')}")
    refs: list[tuple[str, Any]] = []
    _references(res, refs)
    for ref, declared in refs:
        if ref.startswith("#"):
            continue
        out.add("u:" + ref)
        if ref.startswith("urn:"):
            continue
        out.update("u:" + base + ref for base in bases)
        m = _TAIL.search(ref.split("?", 1)[0])
        if m is None:
            continue
        out.add(f"k:{m['type']}/{m['id']}")
        kind = declared.rsplit("/", 1)[-1] if isinstance(declared, str) and declared else m["type"]
        if rtype in ("Appointment", "Coverage") and "Patient" in (kind, m["type"]):
            out.add("p:" + m["id"])
    return rtype, out


def plan_chunks(entries: list[dict[str, Any]], size: int) -> list[list[int]] | None:
    """Entry indexes per chunk (sorted; shared resources repeated), or None to read serially.

    Every entry index appears in exactly one chunk as a *member*; shared resources (types
    other than Appointment, Patient and Coverage that no core entry's token conflicts with)
    may appear in several.
    """
    bases = sorted({b for e in entries if (b := _base_of(_str(e.get("fullUrl"))))})
    if len(bases) > MAX_BASES:
        return None
    info = [_tokens(e, bases) for e in entries]
    n = len(entries)
    shared = [t is not None and t not in _CORE_TYPES for t, _ in info]
    owned: list[set[str]] = [_owned(e, t, toks) for e, (t, toks) in zip(entries, info, strict=True)]
    while True:  # demote shared entries that touch a core entry's token, until none does
        core_owned = {tok for i in range(n) if not shared[i] for tok in owned[i]}
        demote = [i for i in range(n) if shared[i] and not info[i][1].isdisjoint(core_owned)]
        if not demote:
            break
        for i in demote:
            shared[i] = False
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_owner: dict[str, int] = {}
    for i in range(n):
        if not shared[i]:
            for tok in owned[i]:
                first_owner.setdefault(tok, i)
    shared_owners: dict[str, list[int]] = {}
    for i in range(n):
        if shared[i]:
            for tok in owned[i]:
                shared_owners.setdefault(tok, []).append(i)
    for i in range(n):
        if not shared[i]:
            for tok in info[i][1]:
                j = first_owner.get(tok)
                if j is not None and (ri := find(i)) != (rj := find(j)):
                    parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        if not shared[i]:
            groups.setdefault(find(i), []).append(i)
    chunks: list[list[int]] = []
    current: list[int] = []
    for root in sorted(groups):
        current += groups[root]
        if len(current) >= size:
            chunks.append(current)
            current = []
    if current or not chunks:
        chunks.append(current)
    attached: set[int] = set()
    out = []
    for members in chunks:
        extra = _closure(members, info, shared_owners)
        attached |= extra
        out.append(sorted({*members, *extra}))
    out[0] = sorted({*out[0], *(i for i in range(n) if shared[i] and i not in attached)})
    return out


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _owned(entry: dict[str, Any], rtype: str | None, toks: set[str]) -> set[str]:
    """The tokens an entry is found by: its fullUrl, type/id and patient ids it carries."""
    res = entry.get("resource")
    if res is None:
        return set()
    out = {t for t in toks if t.startswith("p:")}  # patient ids link like owners
    if isinstance(full_url := entry.get("fullUrl"), str) and full_url:
        out.add("u:" + full_url)
    if isinstance(res, dict) and rtype and isinstance(rid := res.get("id"), str) and rid:
        out.add(f"k:{rtype}/{rid}")
    return out


def _closure(
    members: list[int], info: list[tuple[str | None, set[str]]], owners: dict[str, list[int]]
) -> set[int]:
    """Shared entries a chunk's members mention, and those they mention in turn."""
    found: set[int] = set()
    todo = [tok for i in members for tok in info[i][1]]
    while todo:
        for j in owners.get(todo.pop(), ()):
            if j not in found:
                found.add(j)
                todo.extend(info[j][1])
    return found
