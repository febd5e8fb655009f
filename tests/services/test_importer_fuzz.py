"""Random byte mutations of valid exports: a consistent import or a clean refusal."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.import_samples import dump
from vmadesk.ingest import IngestError
from vmadesk.ingest.samples import make_csv, make_fhir_bundle
from vmadesk.services import importer
from vmadesk.store import profile as profiles
from vmadesk.store.profile import UnlockedProfile

NOW = datetime(2026, 3, 8, 12, tzinfo=UTC)
FHIR = json.dumps(make_fhir_bundle(4, seed=5)).encode()
CSV = make_csv(6, seed=5).encode()

mutations = st.lists(
    st.tuples(
        st.integers(min_value=0), st.sampled_from(["flip", "drop", "insert"]), st.binary(max_size=3)
    ),
    min_size=1,
    max_size=6,
)


def _mutate(data: bytes, edits: list[tuple[int, str, bytes]]) -> bytes:
    buf = bytearray(data)
    for pos, op, payload in edits:
        i = pos % max(len(buf), 1)
        if op == "flip" and buf:
            buf[i] ^= (payload[0] if payload else 1) or 1
        elif op == "drop":
            del buf[i : i + 1 + len(payload)]
        else:
            buf[i:i] = payload
    return bytes(buf)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A profile with a practice and one earlier import, copied for each example."""
    directory = tmp_path_factory.mktemp("tpl") / "profile"
    profile, _ = profiles.create(
        directory, PASSPHRASE, vma_handle="ana.r", keychain_choice="no", kdf=FAST_KDF
    )
    try:
        src = tmp_path_factory.mktemp("seed") / "seed.json"
        src.write_bytes(FHIR)
        importer.import_file(profile, src, now=NOW)
    finally:
        profile.close()
    return directory


def _check(template: Path, tmp_path: Path, data: bytes, name: str) -> None:
    work = tmp_path / "w"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(template, work / "profile")
    profile: UnlockedProfile = profiles.unlock(
        work / "profile", passphrase=PASSPHRASE, use_keychain=False
    )
    try:
        before = dump(profile.conn)
        path = work / name
        path.write_bytes(data)
        try:
            report = importer.import_file(profile, path, now=NOW)
        except IngestError as exc:
            assert exc.file == name
            assert dump(profile.conn) == before
            return
        after = dump(profile.conn)
        assert after[1] == before[1] + 1
        n_items = len(after[0])
        assert n_items == len(before[0]) + report.created
        keys = [(r[3], r[4], r[2]) for r in after[0]]
        assert len(keys) == len(set(keys))
    finally:
        profile.close()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=mutations)
def test_fhir_mutations(template: Path, tmp_path: Path, edits: list) -> None:
    _check(template, tmp_path, _mutate(FHIR, edits), "m.json")


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=mutations)
def test_csv_mutations(template: Path, tmp_path: Path, edits: list) -> None:
    _check(template, tmp_path, _mutate(CSV, edits), "m.csv")
