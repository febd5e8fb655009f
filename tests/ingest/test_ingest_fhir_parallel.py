"""The parallel FHIR read gives exactly what the serial read gives: records, errors, cancel."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from vmadesk.ingest import IngestCancelled, IngestError, fhir_workers, read_bytes
from vmadesk.ingest import fhir_parallel as fp
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.fhir_json import load_json, load_json_spans
from vmadesk.ingest.samples import make_fhir_bundle

BASE = "https://ehr.invalid/fhir/"
SECRET = "Zebulonsky"  # a name that must never show in an error


@pytest.fixture(params=["fork", "fork-sliced", "spawn"])
def parallel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool for any file, with small slices (linked entries in different slices).

    Every way of starting and feeding workers: forked, each parsing the text it inherits
    (a single-threaded process: the CLI, the GUI's import process); forked, parsing the
    slices this process finds in a text too large for that; spawned, sent slices (else).
    """
    monkeypatch.setattr(fp, "START_METHOD", request.param.split("-")[0])
    if request.param == "fork-sliced":
        monkeypatch.setattr(fp, "FORK_PARSE_MAX_BYTES", 0)
    monkeypatch.setattr(fp, "PART_BYTES", 500)
    monkeypatch.setattr(fp, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(fp, "PARALLEL_MIN_ENTRIES", 1)
    monkeypatch.setattr(fp, "CHUNK_MIN", 7)
    monkeypatch.setattr(fp, "CHUNK_MAX", 7)


def _serial(data: bytes, **kw: Any) -> Any:
    saved = fp.PARALLEL_MIN_BYTES
    fp.PARALLEL_MIN_BYTES = 1 << 60
    try:
        return read_bytes(data, "b.json", **kw)
    finally:
        fp.PARALLEL_MIN_BYTES = saved


def _appt(aid: str, patient_ref: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": aid,
        "status": "booked",
        "start": "2026-03-10T09:00:00-05:00",
        "participant": [
            {"actor": patient_ref, "status": "accepted"},
            {"actor": {"reference": "Practitioner/dr1"}, "status": "accepted"},
            {"actor": {"reference": "PractitionerRole/role1"}, "status": "accepted"},
        ],
        **extra,
    }


def _patient(pid: str, family: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"family": family, "given": ["Ann"]}],
        "telecom": [{"system": "phone", "value": "(212) 555-0101", "use": "mobile"}],
    }


def _coverage(cid: str, beneficiary: str, payer: str = "Organization/org1") -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "id": cid,
        "status": "active",
        "beneficiary": {"reference": beneficiary},
        "subscriberId": f"M{cid}",
        "payor": [{"reference": payer}],
    }


def _e(resource: Any, full_url: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"resource": resource, "search": {"mode": "match"}}
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def every_shape_bundle(n: int) -> dict[str, Any]:
    """n rounds of every reference shape the reader resolves, shared resources first."""
    entries = [
        _e({"resourceType": "Practitioner", "id": "dr1", "name": [{"family": "Who"}]},
           BASE + "Practitioner/dr1"),
        _e({"resourceType": "PractitionerRole", "id": "role1",
            "practitioner": {"reference": "Practitioner/dr1"}}, BASE + "PractitionerRole/role1"),
        _e({"resourceType": "Organization", "id": "org1", "name": "Payer One"},
           BASE + "Organization/org1"),
        {"fullUrl": "urn:uuid:no-resource", "search": {"mode": "outcome"}},
    ]  # fmt: skip
    for i in range(n):
        urn = f"urn:uuid:00000000-0000-0000-0000-{i:012d}"
        # urn:uuid patient, coverage by urn
        entries += [
            _e(_appt(f"a{i}-urn", {"reference": urn}), f"urn:uuid:a{i}"),
            _e(_patient(f"pu{i}", f"Urn{i}"), urn),
            _e(_coverage(f"cu{i}", urn), f"urn:uuid:c{i}"),
        ]
        # relative reference resolved against the fullUrl base; absolute URL; coverage by id
        entries += [
            _e(_appt(f"a{i}-rel", {"reference": f"Patient/pr{i}"}), BASE + f"Appointment/r{i}"),
            _e(_patient(f"pr{i}", f"Rel{i}"), BASE + f"Patient/pr{i}"),
            _e(_appt(f"a{i}-abs", {"reference": BASE + f"Patient/pr{i}"})),
            _e(_coverage(f"cr{i}", f"Patient/pr{i}")),
        ]
        # contained patient and coverage
        contained = _appt(f"a{i}-con", {"reference": "#p1"})
        contained["contained"] = [_patient("p1", f"Con{i}"), _coverage("cc", "#p1")]
        entries.append(_e(contained))
        # display-only patient, coverage matched by patient id, second appointment for them
        entries += [
            _e(_appt(f"a{i}-disp", {"reference": f"Patient/ext{i}", "display": f"Ext{i}, Bo"})),
            _e(_coverage(f"cd{i}", f"Patient/ext{i}")),
            _e(_appt(f"a{i}-disp2", {"reference": f"Patient/ext{i}", "display": f"Ext{i}, Bo"},
                     status="cancelled")),
        ]  # fmt: skip
    entries.append(_e({"resourceType": "OperationOutcome", "issue": []}))
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries}


def _bytes(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle).encode()


@pytest.mark.usefixtures("parallel")
@pytest.mark.parametrize("bundle", [every_shape_bundle(12), make_fhir_bundle(120, seed=3)])
def test_parallel_read_is_the_serial_read(
    bundle: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _bytes(bundle)
    serial = _serial(data)

    def no_fallback(*_: Any) -> None:
        raise AssertionError("the parallel read fell back to the serial one")

    monkeypatch.setattr(fp.fhir_reader, "read_fhir_data", no_fallback)
    parallel = read_bytes(data, "b.json")
    assert parallel == serial
    assert len(parallel.appointments) >= 72


def test_entry_spans_slice_the_text_into_the_entries() -> None:
    bundle = every_shape_bundle(2)
    text = json.dumps(bundle, indent=1)
    data, spans = load_json_spans(text, ReadContext(file_name="b.json"))
    assert data == bundle and spans is not None and len(spans) == len(bundle["entry"])
    for a, b in ((0, 3), (2, 9), (len(spans) - 1, len(spans))):
        part = "[" + text[spans[a][0] : spans[b - 1][1]] + "]"
        assert json.loads(part) == bundle["entry"][a:b]


def _error_fields(exc: IngestError) -> tuple[Any, ...]:
    return (exc.file, exc.location, exc.field, exc.reason)


def _both_errors(data: bytes) -> tuple[IngestError, IngestError]:
    with pytest.raises(IngestError) as serial:
        _serial(data)
    with pytest.raises(IngestError) as parallel:
        read_bytes(data, "b.json")
    return serial.value, parallel.value


@pytest.mark.usefixtures("parallel")
@pytest.mark.parametrize("kind", ["date", "shell", "mapping", "duplicate", "two"])
def test_an_error_deep_in_a_chunk_is_the_serial_error(kind: str) -> None:
    bundle = every_shape_bundle(12)
    entries = bundle["entry"]
    deep = max(i for i, e in enumerate(entries) if str(e.get("fullUrl")).startswith(BASE + "App"))
    resource = entries[deep]["resource"]
    if kind == "date":
        resource["start"] = f"{SECRET}-not-a-date"
    elif kind == "shell":
        entries[deep]["search"] = {"mode": "match", "bogus": SECRET}
    elif kind == "mapping":
        resource["participant"] = resource["participant"][1:]
    elif kind == "duplicate":
        resource["id"] = "a0-urn"
    else:  # two errors: the earlier one wins even if its chunk finishes later
        resource["start"] = SECRET
        entries[40]["resource"]["meta"] = {"lastUpdated": SECRET}
    serial, parallel = _both_errors(_bytes(bundle))
    assert _error_fields(parallel) == _error_fields(serial)
    assert parallel.location == f"entry {40 if kind == 'two' else deep}"
    assert SECRET not in str(parallel) and SECRET not in repr(parallel.args)


@pytest.mark.usefixtures("parallel")
def test_bundle_level_errors_match() -> None:
    bundle = every_shape_bundle(3)
    bundle["total"] = SECRET
    serial, parallel = _both_errors(_bytes(bundle))
    assert _error_fields(parallel) == _error_fields(serial)
    no_appointments = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [_e(_patient(f"x{i}", SECRET)) for i in range(20)],
    }
    serial, parallel = _both_errors(_bytes(no_appointments))
    assert _error_fields(parallel) == _error_fields(serial)


@pytest.mark.usefixtures("parallel")
def test_cancel_stops_the_read_and_the_pool() -> None:
    import multiprocessing

    reports: list[tuple[int, int]] = []
    with pytest.raises(IngestCancelled):
        read_bytes(
            _bytes(every_shape_bundle(30)),
            "b.json",
            progress=lambda done, total: reports.append((done, total)),
            cancelled=lambda: bool(reports),
        )
    # How far the workers got before the cancel was seen depends on the machine's load;
    # what matters is that nothing is returned and no worker process is left behind.
    assert reports
    for child in multiprocessing.active_children():
        child.join(timeout=10)
    assert not multiprocessing.active_children()


def test_errors_pickle_with_their_parts() -> None:
    exc = IngestError("b.json", "bad", location="entry 7", field="start")
    back = pickle.loads(pickle.dumps(exc))
    assert _error_fields(back) == _error_fields(exc) and str(back) == str(exc)
    cancelled = pickle.loads(pickle.dumps(IngestCancelled("b.json")))
    assert cancelled.file == "b.json" and str(cancelled) == "b.json: import cancelled"


@pytest.mark.parametrize(
    "text",
    [
        ' {"a": [1, {"b": [2]}], "entry": [ {"x": 1.5} , [] ], "a": null, "s": "\\u00e9"} ',
        '{"entry": []}',
        "{}",
    ],
)
def test_entry_by_entry_json_is_json_loads(text: str) -> None:
    assert load_json(text, ReadContext(file_name="b.json")) == json.loads(text)


@pytest.mark.parametrize("text", ['{"entry": [{"a": 1}, {"b": ', '{"a": 1} x', '{"a" 1}'])
def test_entry_by_entry_json_errors_are_the_serial_errors(text: str) -> None:
    from vmadesk.ingest import fhir_reader

    ctx = ReadContext(file_name="b.json")
    with pytest.raises(IngestError) as serial:
        fhir_reader._load_json(text, ctx)
    with pytest.raises(IngestError) as ours:
        load_json(text, ctx)
    assert _error_fields(ours.value) == _error_fields(serial.value)


@pytest.mark.parametrize(
    "shell",
    [
        {},
        {"fullUrl": "urn:uuid:1", "search": {"mode": "match"}},
        {"fullUrl": "a b\t", "search": {"mode": "match"}},
        {"fullUrl": 5, "search": {"mode": "match"}},
        {"fullUrl": None},
        {"fullUrl": "x", "search": {"mode": "bogus"}},
        {"fullUrl": "x", "search": {"mode": "match", "score": "high"}},
        {"fullUrl": "x", "search": {"mode": "match", "score": 1}},
        {"fullUrl": "x", "request": {"method": "PUT", "url": "Patient/1"}},
        {"fullUrl": "x", "request": {"method": "PUT"}},
        {"fullUrl": "x", "_fullUrl": {"extension": []}},
        {"_fullUrl": {"id": 5}},
        {"fullUrl": "x", "link": [None]},
        {"fullUrl": "x", "link": [{"relation": "self", "url": "u"}]},
        {"fullUrl": "x", "bogus": 1},
        {"fullUrl": "x", "response": {"status": "201"}},
        {"fullUrl": "x", "response": {}},
    ],
)
def test_the_workers_shell_check_is_the_model(shell: dict[str, Any]) -> None:
    from fhir.resources.R4B.bundle import BundleEntry

    try:
        BundleEntry.model_validate(shell)
        valid = True
    except Exception:
        valid = False
    check = fhir_workers._ShellCheck()
    assert check.ok({**shell, "resource": {}}) is valid
    assert check.ok(dict(shell)) is valid  # the second time, from the cache


def test_workers_fork_only_from_a_single_thread() -> None:
    import threading

    assert fp.START_METHOD == "auto"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not fp.can_fork()  # another thread could hold a lock the children need
    finally:
        stop.set()
        other.join()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_pool_started_early_is_shut_down_when_the_file_is_not_a_bundle(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    monkeypatch.setattr(fp, "START_METHOD", method)
    big = b'{"resourceType": "Bundle", "entry": [' + b" " * fp.PARALLEL_MIN_BYTES  # truncated
    with pytest.raises(IngestError) as caught:
        read_bytes(big, "b.json")
    assert caught.value.reason.startswith("not valid JSON")
    for child in multiprocessing.active_children():
        child.join(timeout=10)
    assert not multiprocessing.active_children()


_READER = """
import json, sys
from vmadesk.ingest import read_bytes
from vmadesk.ingest.samples import make_fhir_bundle
data = json.dumps(make_fhir_bundle(4000, seed=1)).encode()
print("reading", flush=True)
read_bytes(data, "b.json")
"""


def _children(pid: int) -> set[int]:
    found = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found.update(int(c) for c in handle.read().split())
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_forked_workers_end_with_a_killed_reader() -> None:
    # A forked worker holds its own copy of the task pipe: without a guard it would wait
    # forever for work from a reader killed mid-read.
    reader = subprocess.Popen([sys.executable, "-c", _READER], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "reading\n"
        deadline = time.monotonic() + 60
        while len(workers := _children(reader.pid)) < fp.WORKERS:
            assert time.monotonic() < deadline, "no workers forked"
            time.sleep(0.02)
    finally:
        reader.kill()
        reader.wait()
        reader.stdout.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + 30
    while alive := [w for w in workers if _state(w) != "Z"]:
        if time.monotonic() > deadline:
            for pid in alive:  # leave no orphan behind a failure
                os.kill(pid, signal.SIGKILL)
            raise AssertionError("a worker outlived its reader")
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
