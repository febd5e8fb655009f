"""A prior authorization handed off: its state and fields travel sealed, whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.helpers import MovableClock, practice
from tests.services.test_lane_states import NOW, _pa
from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import Lane, Priority
from vmadesk.services.handoff import HandoffService
from vmadesk.services.lane_items import create_lane_items
from vmadesk.services.lane_states import LaneStateService
from vmadesk.store import items
from vmadesk.store import profile as profiles


@pytest.fixture
def receiver(tmp_path: Path):
    profile, _ = profiles.create(
        tmp_path / "bo", PASSPHRASE, vma_handle="bo.k", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


def test_a_prior_authorization_travels_with_its_state_and_fields(new_profile, receiver, tmp_path):
    clock = MovableClock(NOW)
    conn = new_profile.conn
    ctx = practice(conn)
    create_lane_items(conn, ctx, [_pa()], owner="ana.r", now=NOW)
    item_id = items.find_by_source(conn, "pms", "pa-1", Lane.PRIOR_AUTH).id
    LaneStateService(conn, vma="ana.r", clock=clock).move(item_id, "submitted", channel="fax")
    sent = items.get_item(conn, item_id)
    sender = HandoffService(conn, vma="ana.r", clock=clock)
    bo = HandoffService(receiver.conn, vma="bo.k", clock=clock)
    sender.add_colleague("bo.k", bo.my_public_key())
    note = HandoffNote(
        Priority.WATCH, "Payer answer due", (ActionStep("Call the payer"),), "If denied then appeal"
    )
    result = sender.create_packet("bo.k", {item_id: note}, "", out_dir=tmp_path / "out")
    assert b"97110" not in result.path.read_bytes()  # sealed: no service code in clear
    handoff_id = bo.open_packet(result.path)
    _, rows = bo.packet(handoff_id)
    new_id = bo.acknowledge(rows[0].id, "Call the payer when the window ends")
    got = items.get_item(receiver.conn, new_id)
    assert (got.lane, got.lane_state, got.subject_kind) == (
        Lane.PRIOR_AUTH,
        "submitted",
        "prior_auth",
    )
    assert got.lane_fields_json == sent.lane_fields_json
    assert got.due_at == sent.due_at
