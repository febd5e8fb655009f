"""The import pauses the garbage collector; every way out of it turns the collector back on."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from tests.services.import_samples import NOW, bundle, visit, write
from vmadesk.ingest import IngestCancelled, IngestError
from vmadesk.ingest.gc_pause import gc_paused
from vmadesk.services import importer
from vmadesk.store.profile import UnlockedProfile


@pytest.fixture(autouse=True)
def _collector_on() -> None:
    gc.enable()
    assert gc.get_freeze_count() == 0


def _after_pause() -> None:
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing left out of the collector's reach


def test_a_refused_file_turns_gc_back_on(new_profile: UnlockedProfile, tmp_path: Path) -> None:
    text = json.dumps(bundle(*visit()))
    with pytest.raises(IngestError):
        importer.import_file(new_profile, write(tmp_path / "cut.json", text[:-20]), now=NOW)
    _after_pause()


def test_a_cancelled_read_or_write_turns_gc_back_on(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    path = write(tmp_path / "ok.json", bundle(*visit(), *visit("a2", pid="p2")))
    with pytest.raises((IngestCancelled, importer.ImportCancelled)):
        importer.import_file(new_profile, path, now=NOW, cancelled=lambda: True)
    _after_pause()
    ctx = importer.resolve_practice(new_profile.conn)
    batch, _ = importer.read_for_practice(new_profile.conn, path, practice=ctx)
    plan = importer.plan_import(new_profile.conn, batch, practice_id=ctx.id, vma="a", now=NOW)
    with pytest.raises(importer.ImportCancelled):
        importer.apply_import(new_profile.conn, plan, cancelled=lambda: True)
    _after_pause()


def test_an_unexpected_error_in_the_hook_turns_gc_back_on(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        importer.import_file(
            new_profile, write(tmp_path / "ok.json", bundle(*visit())), now=NOW, on_change=broken
        )
    _after_pause()


def test_pauses_nest_and_respect_a_collector_that_was_off() -> None:
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner exit does not turn it on under the outer pause
    _after_pause()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # off before, off after: the caller's choice is kept
    finally:
        gc.enable()
