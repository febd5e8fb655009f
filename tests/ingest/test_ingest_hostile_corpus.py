"""A generated hostile corpus against both readers: a batch or a refusal, nothing else.

Every draw must end as an :class:`ImportBatch` or as an :class:`IngestError` that names the
file and quotes nothing from it; and never through the catch-all that reports an unforeseen
failure (that would be a conversion nobody handled: a case to handle, with its own words).
Deterministic (``derandomize``) and bounded, so the suite stays fast and repeatable.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.ingest.hostile import CANARY
from tests.ingest.hostile_strategies import (
    csv_documents,
    encoded_documents,
    fhir_documents,
    iso_stamps,
    local_dates,
)
from vmadesk.ingest import ImportBatch, IngestError, read_bytes
from vmadesk.ingest.crash_guard import UNEXPECTED_REASON

CORPUS = settings(
    max_examples=500,
    derandomize=True,
    deadline=None,
    database=None,  # keep example files out of the shared checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _read(data: bytes, fmt: str = "auto") -> None:
    try:
        batch = read_bytes(data, "corpus.dat", fmt=fmt)  # type: ignore[arg-type]
    except IngestError as err:
        message = str(err)
        assert message.startswith("corpus.dat")
        assert err.reason != UNEXPECTED_REASON, message
        assert CANARY not in message and "\x00" not in message
    else:
        assert isinstance(batch, ImportBatch)
        for warning in batch.warnings:
            assert CANARY not in str(warning)


@CORPUS
@given(fhir_documents())
def test_fhir_structure_and_values(data: bytes) -> None:
    _read(data)


@CORPUS
@given(csv_documents())
def test_csv_structure_and_values(data: bytes) -> None:
    _read(data)
    _read(data, "csv")


@CORPUS
@given(encoded_documents())
def test_encodings(data: bytes) -> None:
    _read(data)


@settings(CORPUS, max_examples=600)
@given(iso_stamps())
def test_dates_in_fhir_and_csv(stamp: str) -> None:
    from tests.ingest.hostile import GOOD_CSV, bundle_with, encoded

    _read(encoded(bundle_with(entry0_start=stamp, entry0_end=stamp)))
    _read(encoded(bundle_with(entry1_birthDate=stamp[:10])))
    _read(GOOD_CSV.replace("03/09/2026,9:00 AM", f"{stamp[:10]},{stamp[11:]}").encode())
    _read(f"Appt ID,Start,Patient Name\r\nA1,{stamp},x\r\n".encode())


@settings(CORPUS, max_examples=500)
@given(local_dates())
def test_local_dates_in_csv_cells(cell: str) -> None:
    from tests.ingest.hostile import GOOD_CSV

    _read(GOOD_CSV.replace("03/09/2026,9:00 AM", f"{cell},{cell}").encode())
    _read(GOOD_CSV.replace("01/31/1970", cell).encode())
    _read(f'Name,Phone,Reason,Requested Window\r\nx,2125550142,y,"{cell}"\r\n'.encode())
