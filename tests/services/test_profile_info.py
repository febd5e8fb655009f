"""`vmadesk profile info` counts what the VMA holds; items in a handoff packet apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.helpers import MovableClock, appointment, callback, practice
from tests.support.consoles import NOW
from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import Lane, Priority
from vmadesk.services.handoff import HandoffService
from vmadesk.services.profile_info import profile_info
from vmadesk.store import profile as profiles


@pytest.fixture
def receiver(tmp_path: Path):
    profile, _ = profiles.create(
        tmp_path / "bo", PASSPHRASE, vma_handle="bo.k", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


def test_info_counts_held_items_and_handoff_apart(new_profile, receiver, tmp_path) -> None:
    clock = MovableClock(NOW)
    vma = profile_info(new_profile)["open_items"]
    assert vma == {lane.value: 0 for lane in Lane}
    sender = HandoffService(new_profile.conn, vma="ana.r", clock=clock)
    bo = HandoffService(receiver.conn, vma="bo.k", clock=clock)
    sender.add_colleague("bo.k", bo.my_public_key())
    ctx = practice(new_profile.conn)
    sent = [
        callback(new_profile.conn, ctx, 1),
        appointment(new_profile.conn, ctx, Lane.CONFIRMATION, 2),
    ]
    appointment(new_profile.conn, ctx, Lane.ELIGIBILITY, 3)
    note = HandoffNote(
        Priority.WATCH, "Confirm", (ActionStep("Call at 11"),), "If no answer then escalate"
    )
    result = sender.create_packet("bo.k", {i: note for i in sent}, "", out_dir=tmp_path / "out")

    info = profile_info(new_profile)
    assert info["open_items"] == {
        "callback": 0,
        "confirmation": 0,
        "eligibility": 1,
        "prior_auth": 0,
        "referral": 0,
    }
    assert info["in_handoff"] == {
        "callback": 1,
        "confirmation": 1,
        "eligibility": 0,
        "prior_auth": 0,
        "referral": 0,
    }

    handoff_id = bo.open_packet(result.path)
    for row in bo.packet(handoff_id)[1]:
        bo.acknowledge(row.id, "Call at 11 as promised")
    sender.apply_receipt(bo.write_receipt(handoff_id, tmp_path / "out"))
    info = profile_info(new_profile)  # the colleague's now: not on this VMA's plate
    assert info["open_items"] == {
        "callback": 0,
        "confirmation": 0,
        "eligibility": 1,
        "prior_auth": 0,
        "referral": 0,
    }
    assert info["in_handoff"] == {
        "callback": 0,
        "confirmation": 0,
        "eligibility": 0,
        "prior_auth": 0,
        "referral": 0,
    }
