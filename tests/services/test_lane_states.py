"""Prior-authorization and referral items: created once, moved by the rules, follow-ups once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.services.helpers import MovableClock, practice
from vmadesk.domain.lane_fields_codec import prior_auth_from_json
from vmadesk.domain.medical_codes import ServiceLine
from vmadesk.domain.payer_clock import PaClockPolicy, appeal_deadline
from vmadesk.domain.payer_programs import PayerProgram
from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.domain.referral_rules import OutgoingState, ReferralDirection, ReferralFields
from vmadesk.domain.vocabulary import ItemStatus, Lane
from vmadesk.ingest.lane_records import PriorAuthRecord, ReferralRecord
from vmadesk.ingest.records import PatientRecord
from vmadesk.services.errors import ActionRefused
from vmadesk.services.lane_items import create_lane_items
from vmadesk.services.lane_states import FOLLOW_UP_SOURCE, LaneStateService
from vmadesk.store import history, items

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday
PATIENT = PatientRecord("pt-1", "Testperson", "Alex", date(1980, 1, 2), "+12025550123", None)


def _pa(source_id: str = "pa-1", state: PaState = PaState.NEEDS_SUBMISSION) -> PriorAuthRecord:
    fields = PriorAuthFields(
        program=PayerProgram.MEDICARE_ADVANTAGE,
        services=(ServiceLine("97110", 10),),
        service_from=date(2026, 3, 30),
    )
    return PriorAuthRecord("pms", source_id, PATIENT, state, fields, "row 2")


def _referral() -> ReferralRecord:
    fields = ReferralFields(
        direction=ReferralDirection.OUTGOING,
        reason="knee pain",
        sent_at=NOW - timedelta(days=1),
        referred_to_organization="Ortho (demo)",
    )
    return ReferralRecord("pms", "ref-1", PATIENT, OutgoingState.SENT, fields, "row 2")


@pytest.fixture
def env(new_profile):
    conn = new_profile.conn
    ctx = practice(conn)
    clock = MovableClock(NOW)
    events: list[str] = []
    service = LaneStateService(
        conn, vma="ana.r", clock=clock, on_change=lambda c, item, action, d: events.append(action)
    )
    return conn, ctx, clock, service, events


def test_import_is_idempotent_by_source_id(env):
    conn, ctx, _, _, _ = env
    first = create_lane_items(conn, ctx, [_pa(), _referral()], owner="ana.r", now=NOW)
    again = create_lane_items(conn, ctx, [_pa(), _referral()], owner="ana.r", now=NOW)
    assert dict(first) == {"prior_auth": 1, "referral": 1}
    assert not again
    item = items.find_by_source(conn, "pms", "pa-1", Lane.PRIOR_AUTH)
    assert (item.lane_state, item.status, item.subject_kind) == (
        "needs_submission",
        ItemStatus.REQUESTED,
        "prior_auth",
    )


def test_submitted_pended_approved_spawns_one_reauthorization(env):
    conn, ctx, clock, service, events = env
    create_lane_items(conn, ctx, [_pa()], owner="ana.r", now=NOW)
    item_id = items.find_by_source(conn, "pms", "pa-1", Lane.PRIOR_AUTH).id
    assert service.move(item_id, "submitted", channel="portal") == []
    submitted = items.get_item(conn, item_id)
    assert submitted.status == ItemStatus.ON_HOLD  # the payer's clock runs
    # The payer's window is 7 calendar days from submission (CMS rule, standard).
    assert submitted.due_at.date().isoformat() == "2026-03-09"
    clock.now = NOW + timedelta(days=2)
    service.move(item_id, "pended")
    clock.now = NOW + timedelta(days=4)
    spawned = service.move(
        item_id,
        "approved",
        auth_number="A-1",
        valid_from=date(2026, 3, 6),
        valid_to=date(2026, 5, 1),
    )
    assert len(spawned) == 1
    reauth = items.get_item(conn, spawned[0])
    assert (reauth.lane, reauth.lane_state, reauth.reason) == (
        Lane.PRIOR_AUTH,
        "needs_submission",
        "Re-authorization needed",
    )
    assert reauth.source_system == FOLLOW_UP_SOURCE
    # 14 days before valid_to, first open hour
    assert reauth.due_at.date().isoformat() == "2026-04-17"
    assert items.get_item(conn, item_id).status == ItemStatus.COMPLETED
    # A re-run of the follow-ups spawns nothing new.
    assert (
        service._spawn(
            items.get_item(conn, item_id),
            PaState.APPROVED,
            prior_auth_from_json(items.get_item(conn, item_id).lane_fields_json),
            clock.now,
        )
        == []
    )
    words = [n.text for n in history.notes_for(conn, item_id)]
    assert "Needs submission → Submitted" in words and "Pended → Approved" in words
    assert events[-2:] == ["complete", "imported"]


def test_a_denial_needs_its_reason_and_offers_the_appeal_with_its_deadline(env):
    conn, ctx, _, service, _ = env
    create_lane_items(conn, ctx, [_pa()], owner="ana.r", now=NOW)
    item_id = items.find_by_source(conn, "pms", "pa-1", Lane.PRIOR_AUTH).id
    service.move(item_id, "submitted", channel="portal")
    with pytest.raises(ActionRefused, match="reason code"):
        service.move(item_id, "denied")
    assert items.get_item(conn, item_id).lane_state == "submitted"  # nothing written
    spawned = service.move(item_id, "denied", denial_reason="A1")
    fields = prior_auth_from_json(items.get_item(conn, item_id).lane_fields_json)
    program = PayerProgram.MEDICARE_ADVANTAGE
    assert fields.appeal_deadline == appeal_deadline(NOW, program, PaClockPolicy())
    assert [items.get_item(conn, i).reason for i in spawned] == [
        "Appeal or close the denial before the appeal deadline"
    ]
    assert ("appeal_submitted", "Appeal submitted") in service.choices(item_id)
    service.move(item_id, "closed")
    assert items.get_item(conn, item_id).status == ItemStatus.COMPLETED


def test_a_move_the_rules_forbid_is_refused(env):
    conn, ctx, _, service, _ = env
    create_lane_items(conn, ctx, [_pa()], owner="ana.r", now=NOW)
    item_id = items.find_by_source(conn, "pms", "pa-1", Lane.PRIOR_AUTH).id
    with pytest.raises(ActionRefused, match="cannot become approved"):
        service.move(item_id, "approved", auth_number="A-1")


def test_a_late_payer_raises_one_follow_up(env):
    conn, ctx, clock, service, _ = env
    create_lane_items(conn, ctx, [_pa()], owner="ana.r", now=NOW)
    item_id = items.find_by_source(conn, "pms", "pa-1", Lane.PRIOR_AUTH).id
    service.move(item_id, "submitted", channel="portal")
    clock.now = NOW + timedelta(days=6)
    assert service.check_payer_clocks() == []
    clock.now = NOW + timedelta(days=8)
    late = service.check_payer_clocks()
    assert [items.get_item(conn, i).reason for i in late] == [
        "Payer is past its response window: call the payer"
    ]
    assert service.check_payer_clocks() == []


def test_a_referral_is_closed_by_its_consult_report(env):
    conn, ctx, _, service, _ = env
    create_lane_items(conn, ctx, [_referral()], owner="ana.r", now=NOW)
    item_id = items.find_by_source(conn, "pms", "ref-1", Lane.REFERRAL).id
    service.move(item_id, "received_by_specialist")
    service.move(item_id, "appointment_scheduled", appointment_at=NOW + timedelta(days=5))
    assert items.get_item(conn, item_id).status == ItemStatus.ON_HOLD
    service.move(item_id, "visit_done", visit_on=date(2026, 3, 7))
    with pytest.raises(ActionRefused):
        service.move(item_id, "loop_closed")  # needs the day the report arrived
    service.move(item_id, "loop_closed", report_received_on=date(2026, 3, 12))
    item = items.get_item(conn, item_id)
    assert (item.lane_state, item.status) == ("loop_closed", ItemStatus.COMPLETED)


def test_quick_add_for_both_lanes(env):
    from vmadesk.domain.payer_programs import PaUrgency
    from vmadesk.services.lane_intake import quick_add_prior_auth, quick_add_referral

    conn, ctx, clock, _, _ = env
    pa = quick_add_prior_auth(
        conn, practice_id=ctx.id, family="Testperson", given="", phone="202-555-0123",
        program=PayerProgram.MEDICAID, services=[("72148", 1)], urgency=PaUrgency.EXPEDITED,
        vma="ana.r", clock=clock,
    )  # fmt: skip
    assert items.get_item(conn, pa).lane_state == "needs_submission"
    with pytest.raises(ActionRefused, match="service"):
        quick_add_prior_auth(
            conn, practice_id=ctx.id, family="Testperson", given="", phone="",
            program=PayerProgram.MEDICAID, services=[], vma="ana.r", clock=clock,
        )  # fmt: skip
    ref = quick_add_referral(
        conn, practice_id=ctx.id, family="Testperson", given="", phone="",
        direction=ReferralDirection.INCOMING, reason="new patient", referred_by="Dr. Demo",
        vma="ana.r", clock=clock,
    )  # fmt: skip
    assert (items.get_item(conn, ref).lane, items.get_item(conn, ref).lane_state) == (
        Lane.REFERRAL,
        "received",
    )
