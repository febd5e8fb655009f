from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.helpers import CANARY_FAMILY, NOW, MovableClock, appointment, callback, practice
from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
from vmadesk.domain.vocabulary import DeclineReason, Lane, Priority
from vmadesk.services.errors import ActionRefused
from vmadesk.services.handoff import HandoffService
from vmadesk.services.worklist import WorkList
from vmadesk.store import audit, items
from vmadesk.store import profile as profiles
from vmadesk.sync.sealed import EnvelopeError


def _note(summary: str = "Confirm before noon") -> HandoffNote:
    return HandoffNote(
        Priority.WATCH,
        summary,
        (ActionStep("Call again at 11:00"),),
        "If no answer then leave a voicemail and escalate",
    )


@pytest.fixture
def receiver(tmp_path: Path):
    profile, _ = profiles.create(
        tmp_path / "bo", PASSPHRASE, vma_handle="bo.k", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


def test_handoff_round_trip_two_acknowledged_one_declined(new_profile, receiver, tmp_path):
    clock = MovableClock(NOW)
    sender = HandoffService(new_profile.conn, vma="ana.r", clock=clock)
    bo = HandoffService(receiver.conn, vma="bo.k", clock=clock)
    sender.add_colleague("bo.k", bo.my_public_key())
    ctx = practice(new_profile.conn)
    ids = [
        callback(new_profile.conn, ctx, 1),
        appointment(new_profile.conn, ctx, Lane.CONFIRMATION, 2),
        appointment(new_profile.conn, ctx, Lane.ELIGIBILITY, 3),
    ]
    result = sender.create_packet(
        "bo.k", {i: _note() for i in ids}, "Quiet shift", out_dir=tmp_path / "out"
    )
    assert CANARY_FAMILY.encode() not in result.path.read_bytes()
    assert CANARY_FAMILY not in result.path.name
    # Until acknowledged, items stay the sender's, marked in handoff.
    mine = WorkList(new_profile.conn, vma="ana.r")
    assert mine.count(mine.query(None)) == 3
    assert all(items.get_item(new_profile.conn, i).handoff_id for i in ids)

    handoff_id = bo.open_packet(result.path)
    assert bo.open_packet(result.path) == handoff_id  # opening twice is harmless
    _, rows = bo.packet(handoff_id)
    assert [r.payload["item"]["patient_family"] for r in rows] == [CANARY_FAMILY] * 3
    with pytest.raises(ActionRefused, match="Restate"):
        bo.acknowledge(rows[0].id, " ")
    new_a = bo.acknowledge(rows[0].id, "Call at 11:00 as promised")
    bo.acknowledge(rows[1].id, "Confirm today")
    bo.decline(rows[2].id, DeclineReason.NOT_MY_LANE)
    theirs = WorkList(receiver.conn, vma="bo.k")
    assert theirs.count(theirs.query(None)) == 2
    moved = items.get_item(receiver.conn, new_a)
    assert moved.due_at == items.get_item(new_profile.conn, ids[0]).due_at
    receipt = bo.write_receipt(handoff_id, tmp_path / "out")
    assert CANARY_FAMILY.encode() not in receipt.read_bytes()

    counts = sender.apply_receipt(receipt)
    assert counts == {"acknowledged": 2, "declined": 1}
    assert mine.count(mine.query(None)) == 1
    back = items.get_item(new_profile.conn, ids[2])
    assert back.owner == "ana.r" and back.handoff_id is None
    assert items.get_item(new_profile.conn, ids[0]).owner == "bo.k"
    assert audit.verify(new_profile.conn).ok and audit.verify(receiver.conn).ok


def test_one_time_code_packet(new_profile, receiver, tmp_path):
    sender = HandoffService(new_profile.conn, vma="ana.r")
    bo = HandoffService(receiver.conn, vma="bo.k")
    item = callback(new_profile.conn, practice(new_profile.conn))
    with pytest.raises(ActionRefused, match="No public key"):
        sender.create_packet("bo.k", {item: _note()}, "", out_dir=tmp_path)
    result = sender.create_packet("bo.k", {item: _note()}, "", out_dir=tmp_path, one_time_code=True)
    assert result.code and len(result.code) == 14
    with pytest.raises(ActionRefused, match="code"):
        bo.open_packet(result.path)
    with pytest.raises(EnvelopeError):
        bo.open_packet(result.path, code="AAAA-BBBB-CCCC")
    handoff_id = bo.open_packet(result.path, code=result.code.lower())
    assert len(bo.packet(handoff_id)[1]) == 1


def test_packet_for_someone_else_does_not_open(new_profile, receiver, tmp_path):
    other, _ = profiles.create(
        tmp_path / "cy", PASSPHRASE, vma_handle="cy", keychain_choice="no", kdf=FAST_KDF
    )
    sender = HandoffService(new_profile.conn, vma="ana.r")
    sender.add_colleague("bo.k", HandoffService(receiver.conn, vma="bo.k").my_public_key())
    item = callback(new_profile.conn, practice(new_profile.conn))
    result = sender.create_packet("bo.k", {item: _note()}, "", out_dir=tmp_path)
    with pytest.raises(EnvelopeError):
        HandoffService(other.conn, vma="cy").open_packet(result.path)
    other.close()


def test_invalid_note_and_bad_file_are_refused(new_profile, receiver, tmp_path):
    sender = HandoffService(new_profile.conn, vma="ana.r")
    sender.add_colleague("bo.k", HandoffService(receiver.conn, vma="bo.k").my_public_key())
    item = callback(new_profile.conn, practice(new_profile.conn))
    bad = HandoffNote(Priority.HIGH, "Urgent", (), "call them")
    with pytest.raises(ActionRefused, match="contingency"):
        sender.create_packet("bo.k", {item: bad}, "", out_dir=tmp_path)
    assert items.get_item(new_profile.conn, item).handoff_id is None
    junk = tmp_path / "junk.vmahandoff"
    junk.write_bytes(b"\x00\x01 not json")
    with pytest.raises(ActionRefused, match=r"junk\.vmahandoff"):
        HandoffService(receiver.conn, vma="bo.k").open_packet(junk)
    with pytest.raises(ActionRefused, match="Public key"):
        sender.add_colleague("x", "not-a-key")


def test_packet_carries_the_items_escalations(new_profile, receiver, tmp_path):
    from vmadesk.domain.vocabulary import EscalationCategory, Urgency
    from vmadesk.services.escalation import EscalationService, Sbar

    sender = HandoffService(new_profile.conn, vma="ana.r")
    bo = HandoffService(receiver.conn, vma="bo.k")
    sender.add_colleague("bo.k", bo.my_public_key())
    item = callback(new_profile.conn, practice(new_profile.conn))
    EscalationService(new_profile.conn, vma="ana.r").raise_(
        item,
        EscalationCategory.CLINICAL_CONCERN,
        Urgency.URGENT,
        Sbar("Dizzy since the new dose", "On the new dose for 3 days", "", "Nurse call back"),
        red_flags_confirmed=True,
    )
    result = sender.create_packet("bo.k", {item: _note()}, "", out_dir=tmp_path)
    assert b"Dizzy" not in result.path.read_bytes()  # sealed, like the rest of the item
    _, rows = bo.packet(bo.open_packet(result.path))
    (escalation,) = rows[0].payload["escalations"]
    assert escalation["category"] == "clinical_concern"
    assert (escalation["urgency"], escalation["state"]) == ("urgent", "raised")
    assert escalation["situation"] == "Dizzy since the new dose"
    assert escalation["request"] == "Nurse call back"
