"""A FIFO, a device or a folder is refused at once: opening one must never wait for data."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from vmadesk.ingest import IngestError, read_file
from vmadesk.ingest.files import NOT_A_FILE
from vmadesk.services.csv_mappings import csv_headers

# Not a timing assertion: a bound so that a regression fails the test instead of hanging it.
_HANG_GUARD_SECONDS = 60


def _refusal_without_hanging(call: Callable[[], object]) -> IngestError:
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(_HANG_GUARD_SECONDS)
    assert not worker.is_alive(), "the read blocked"
    (result,) = outcome
    assert isinstance(result, IngestError), result
    return result


def _fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    path = tmp_path / "export.csv"
    os.mkfifo(path)
    return path


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    path = _fifo(tmp_path)
    err = _refusal_without_hanging(lambda: read_file(path))
    assert (err.file, err.reason) == ("export.csv", NOT_A_FILE)


def test_a_fifo_is_refused_before_its_headers_are_sniffed(tmp_path: Path) -> None:
    # The import looks at a CSV's headers (for a remembered mapping) before reading it.
    path = _fifo(tmp_path)
    err = _refusal_without_hanging(lambda: csv_headers(path))
    assert err.reason == NOT_A_FILE


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_at_once() -> None:
    err = _refusal_without_hanging(lambda: read_file(Path("/dev/zero")))
    assert (err.file, err.reason) == ("zero", NOT_A_FILE)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    err = _refusal_without_hanging(lambda: read_file(tmp_path))
    assert (err.file, err.reason) == (tmp_path.name, NOT_A_FILE)
