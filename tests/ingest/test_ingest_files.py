"""Entry points: files on disk, detection, size limit, binary input, progress, cancel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vmadesk.ingest import IngestCancelled, IngestError, read_bytes, read_file
from vmadesk.ingest.samples import make_csv, make_fhir_bundle

CSV = "Appt ID,Start,Patient Name\nX,2026-03-08 10:00,Ann Example\n"


def test_auto_detects_fhir_and_csv(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(make_fhir_bundle(3, seed=1)))
    (tmp_path / "a.csv").write_text(CSV)
    assert len(read_file(tmp_path / "a.json").appointments) == 3
    assert read_file(tmp_path / "a.csv").appointments[0].source_id == "X"
    # JSON with a leading BOM and whitespace is still FHIR
    data = b"\xef\xbb\xbf \n" + json.dumps(make_fhir_bundle(1, seed=2)).encode()
    assert len(read_bytes(data, "b.json").appointments) == 1


def test_forced_format() -> None:
    with pytest.raises(IngestError):
        read_bytes(CSV.encode(), "a.csv", fmt="fhir")
    with pytest.raises(IngestError):
        read_bytes(json.dumps(make_fhir_bundle(1)).encode(), "a.json", fmt="csv")


def test_binary_file_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\n\x00\x01\x02\xff\xfe binary")
    with pytest.raises(IngestError) as info:
        read_file(path)
    assert info.value.file == "scan.pdf" and "not a text file" in info.value.reason
    with pytest.raises(IngestError):
        read_bytes(bytes(range(1, 32)) * 10, "x.bin")


def test_oversize_names_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(CSV * 10)
    with pytest.raises(IngestError) as info:
        read_file(path, max_bytes=64)
    assert "64 bytes" in str(info.value)
    with pytest.raises(IngestError) as info:
        read_bytes(b"x" * 3000, "big.csv", max_bytes=2048)
    assert "2 KiB" in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        read_file(tmp_path / "gone.csv")
    assert info.value.file == "gone.csv"
    with pytest.raises(IngestError):
        read_file(tmp_path)


def test_empty_file() -> None:
    with pytest.raises(IngestError):
        read_bytes(b"", "empty.csv")


def test_bad_time_zone_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="time zone"):
        read_bytes(CSV.encode(), "a.csv", practice_tz="Mars/Olympus")


def test_progress_reaches_total() -> None:
    calls: list[tuple[int, int]] = []
    read_bytes(make_csv(450, seed=3).encode(), "p.csv", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (450, 450)
    assert all(d <= t for d, t in calls)
    calls.clear()
    doc = make_fhir_bundle(100, seed=3)
    read_bytes(json.dumps(doc).encode(), "p.json", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (len(doc["entry"]), len(doc["entry"]))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cancel_raises_and_returns_nothing(fmt: str) -> None:
    data = (
        make_csv(1000, seed=4).encode()
        if fmt == "csv"
        else json.dumps(make_fhir_bundle(300, seed=4)).encode()
    )
    polls = 0

    def cancelled() -> bool:
        nonlocal polls
        polls += 1
        return polls > 2

    with pytest.raises(IngestCancelled):
        read_bytes(data, f"c.{fmt}", cancelled=cancelled)


def test_samples_are_fictional() -> None:
    batch = read_bytes(make_csv(50, seed=5).encode(), "demo.csv")
    for appt in batch.appointments:
        assert appt.patient.phone_raw is not None
        assert "555-01" in appt.patient.phone_raw
        assert appt.patient.phone_e164 is not None
    assert make_csv(5, seed=9) == make_csv(5, seed=9)
    assert make_fhir_bundle(5, seed=9) == make_fhir_bundle(5, seed=9)


def test_json_array_and_truncated_string_messages() -> None:
    from vmadesk.ingest import IngestError, read_bytes

    try:
        read_bytes(b"[1, 2, 3]", "list.json")
    except IngestError as err:
        assert "not a FHIR resource" in str(err)
    else:
        raise AssertionError("a JSON array was accepted")
    try:
        read_bytes(b'{"resourceType": "Bundle", "entry": [{"fullUrl": "urn:uu', "cut.json")
    except IngestError as err:
        text = str(err)
        assert "(Unterminated string)" in text and "line 1, column" in text
    else:
        raise AssertionError("a truncated file was accepted")
