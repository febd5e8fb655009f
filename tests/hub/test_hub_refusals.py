"""Requests a fuzzer of the hub's OpenAPI document found answered wrongly, over loopback.

Each must be a 4xx that stores nothing (or the documented refusal), never a 500 or a silent drop.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nacl.public import PrivateKey, SealedBox

from tests.hub.test_hub_api import env, event, pn, raw_post, stored_rows, summary
from vmadesk import wire
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Urgency
from vmadesk.sync.hub_client import HubRejected


def _sealed(size: int = 10) -> str:
    box = SealedBox(PrivateKey.generate().public_key).encrypt(b"x" * size)
    return base64.b64encode(bytes(box)).decode()


@pytest.mark.parametrize("week", ["2025-W53", "0000-W01", "9999-W52"])
def test_week_that_does_not_exist_is_422(hub, week: str) -> None:  # type: ignore[no-untyped-def]
    hub.client("ana").send([env(event(1))])
    response = raw_post(
        hub, "/v1/spotchecks", {"vma": "ana", "week": week, "seed": 1}, hub.tokens["sue"]
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == ["week.value_error"]
    assert hub.count("samples") == 0
    ok = raw_post(hub, "/v1/spotchecks", {"vma": "ana", "week": "2026-W53"}, hub.tokens["sue"])
    assert ok.status_code == 201  # 2026 has 53 weeks


def test_json_nested_100000_deep_is_400(hub) -> None:  # type: ignore[no-untyped-def]
    deep = b"[" * 100_000 + b"]" * 100_000
    response = raw_post(hub, "/v1/messages", deep, hub.tokens["ana"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    nested = b'{"envelopes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert raw_post(hub, "/v1/messages", nested, hub.tokens["ana"]).status_code == 400
    assert stored_rows(hub) == 0


def test_idempotency_keys_are_scoped_per_sender(hub) -> None:  # type: ignore[no-untyped-def]
    key = str(uuid.uuid4())
    ana_env = wire.Envelope(idempotency_key=key, message=event(1))
    ben_env = wire.Envelope(idempotency_key=key, message=event(2))
    assert hub.client("ana").send([ana_env]).accepted == [key]
    # the same key from another VMA is that VMA's message, not a duplicate of ana's
    assert hub.client("ben").send([ben_env]).accepted == [key]
    assert hub.client("ben").send([ben_env]).duplicates == [key]
    assert hub.client("ana").send([ana_env]).duplicates == [key]
    assert hub.count("item_events") == 2


def _escalation(escalation_id: str) -> wire.EscalationRaised:
    return wire.EscalationRaised(
        escalation_id=escalation_id,
        category=EscalationCategory.CLINICAL_CONCERN,
        urgency=Urgency.IMMEDIATE,
        lane=Lane.CALLBACK,
        pseudonym=pn(1),
        age_seconds=60,
    )


def test_another_vmas_escalation_id_is_refused(hub) -> None:  # type: ignore[no-untyped-def]
    escalation_id = str(uuid.uuid4())
    hub.client("ana").send([env(_escalation(escalation_id))])
    before = stored_rows(hub)
    with pytest.raises(HubRejected) as info:
        hub.client("ben").send([env(event(5)), env(_escalation(escalation_id))])
    assert (info.value.status, info.value.detail) == (409, ["escalation_id"])
    assert stored_rows(hub) == before  # the whole batch was refused, ben's event too
    # ana re-raising her own escalation under a new key is a harmless repeat
    assert len(hub.client("ana").send([env(_escalation(escalation_id))]).accepted) == 1
    assert hub.count("escalations") == 1


def test_supervisor_token_posts_no_item_events_and_holds_no_claims(hub) -> None:  # type: ignore[no-untyped-def]
    sue = hub.client("sue")
    for message in (event(1), _escalation(str(uuid.uuid4()))):
        with pytest.raises(HubRejected) as info:
            sue.send([env(message)])
        assert info.value.status == 403
    with pytest.raises(HubRejected) as info:
        sue.claim([pn(1)])
    assert info.value.status == 403
    hub.client("ana").claim([pn(2)])
    with pytest.raises(HubRejected) as info:
        sue.takeover(pn(2), wire.TakeoverReason.SUPERVISOR_ASSIGNED)
    assert info.value.status == 403
    for path in ("/v1/claims/heartbeat", "/v1/claims/release"):
        body = {"pseudonyms": [pn(2)], "reason": "shift_ended"}
        if path.endswith("heartbeat"):
            del body["reason"]
        assert raw_post(hub, path, body, hub.tokens["sue"]).status_code == 403
    assert hub.count("item_events") == hub.count("escalations") == 0
    assert hub.count("claims") == 1


def test_takeover_of_an_unclaimed_item_is_refused(hub) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(HubRejected) as info:
        hub.client("ana").takeover(pn(9), wire.TakeoverReason.DEADLINE_AT_RISK)
    assert (info.value.status, info.value.detail) == (409, ["pseudonym.not_claimed"])
    assert hub.count("claims") == hub.count("claim_events") == 0


def test_empty_receipt_is_refused(hub) -> None:  # type: ignore[no-untyped-def]
    ana, ben = hub.client("ana"), hub.client("ben")
    envelope = wire.HandoffEnvelope(
        envelope_id=str(uuid.uuid4()), receiver="ben", sealed=_sealed(), item_count=2
    )
    ana.post_handoff(envelope)
    with pytest.raises(HubRejected) as info:
        ben.ack_handoff(envelope.envelope_id, 0, 0)
    assert (info.value.status, info.value.detail) == (422, ["body.empty_receipt"])
    assert ben.handoff(envelope.envelope_id).state is not wire.HandoffState.RECEIPTED
    assert ben.ack_handoff(envelope.envelope_id, 1, 1).state is wire.HandoffState.RECEIPTED


@pytest.mark.parametrize(
    "sealed",
    [
        "A" * 64,  # 48 bytes: a sealed box with nothing in it
        "QUJD" * 16 + "QQ==",  # 49 bytes, fine ...
        "QUJD" * 16 + "QR==",  # ... but not canonical base64 (stray bits)
        "====" * 20,
    ],
    ids=["too-short", "valid", "non-canonical", "padding-only"],
)
def test_sealed_payload_must_be_a_sealed_box(hub, sealed: str) -> None:  # type: ignore[no-untyped-def]
    body = {"envelope_id": str(uuid.uuid4()), "receiver": "ben", "sealed": sealed, "item_count": 1}
    response = raw_post(hub, "/v1/handoffs", body, hub.tokens["ana"])
    if sealed.endswith("QQ=="):
        assert response.status_code == 201
        return
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0].startswith("sealed.")
    assert hub.count("handoffs") == 0


def test_role_is_checked_before_query_and_path(hub) -> None:  # type: ignore[no-untyped-def]
    ana = {"Authorization": f"Bearer {hub.tokens['ana']}"}
    assert httpx.get(hub.base_url + "/v1/board?vma=NOT%20A%20HANDLE", headers=ana).status_code == (
        403
    )
    assert httpx.get(hub.base_url + "/v1/spotchecks/not-a-uuid", headers=ana).status_code == 403
    assert httpx.get(hub.base_url + "/v1/board?vma=NOT%20A%20HANDLE").status_code == 401
    sue = {"Authorization": f"Bearer {hub.tokens['sue']}"}
    assert httpx.get(hub.base_url + "/v1/board?vma=NOT%20A%20HANDLE", headers=sue).status_code == (
        422
    )


def test_405_carries_allow(hub) -> None:  # type: ignore[no-untyped-def]
    token = {"Authorization": f"Bearer {hub.tokens['ana']}"}
    response = httpx.delete(hub.base_url + "/v1/handoffs", headers=token)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}
    assert response.json() == {"error": "method_not_allowed", "detail": []}
    response = httpx.put(hub.base_url + "/health")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_every_error_body_is_json_not_a_traceback(hub) -> None:  # type: ignore[no-untyped-def]
    response = raw_post(hub, "/v1/messages", json.dumps([1] * 3).encode(), hub.tokens["ana"])
    assert response.status_code == 422 and response.json()["error"] == "validation_failed"


def _summary_at(start, end, **kw) -> wire.Summary:  # type: ignore[no-untyped-def]
    base = summary()
    return base.model_copy(update={"interval_start": start, "interval_end": end, **kw})


def test_summary_times_far_from_the_hub_clock_are_refused(hub) -> None:  # type: ignore[no-untyped-def]
    ana, sue = hub.client("ana"), hub.client("sue")
    now = datetime.now(UTC).replace(microsecond=0)
    ana.send([env(_summary_at(now - timedelta(hours=1), now))])
    before = sue.board().vmas[0]
    cases = {
        "interval_end.clock_skew": _summary_at(now, now + timedelta(days=3)),
        "shift_start.clock_skew": _summary_at(
            now, now + timedelta(minutes=1), shift_start=now + timedelta(hours=2)
        ),
        # reaching back over what was reported would hide those completions
        "interval_start.overlaps_reported": _summary_at(now - timedelta(days=6), now),
        "interval_start.overlaps_reported ": _summary_at(datetime(1970, 1, 1, tzinfo=UTC), now),
    }
    for expected, bad in cases.items():
        expected = expected.strip()
        with pytest.raises(HubRejected) as info:
            ana.send([env(bad)])
        assert info.value.status == 422
        assert info.value.detail == [f"envelopes.0.message.{expected}"]
    assert hub.count("summaries") == 1
    after = sue.board().vmas[0]
    assert after.lanes == before.lanes  # nothing wiped
    # a "so far" snapshot from the same start, and the next interval, are fine
    ana.send([env(_summary_at(now - timedelta(hours=1), now + timedelta(minutes=1)))])
    ana.send([env(_summary_at(now + timedelta(minutes=1), now + timedelta(minutes=2)))])
    assert hub.count("summaries") == 3


def test_keys_stored_before_scoping_still_count_once(hub) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.hub.db import messages, now_ms

    key = str(uuid.uuid4())
    with hub.engine.begin() as conn:  # a row written by a hub that kept keys as sent
        conn.execute(
            messages.insert().values(
                idempotency_key=key, sender="ana", kind="item_event", received_at=now_ms()
            )
        )
    message = wire.Envelope(idempotency_key=key, message=event(1))
    assert hub.client("ana").send([message]).duplicates == [key]
    assert hub.client("ben").send([message]).accepted == [key]  # ben's own key


def test_an_audit_head_that_goes_backwards_is_refused_and_shown(hub) -> None:  # type: ignore[no-untyped-def]
    ana, sue = hub.client("ana"), hub.client("sue")
    now = datetime.now(UTC).replace(microsecond=0)

    def at(minutes: int, seq: int, digest: str) -> wire.Summary:
        start = now - timedelta(hours=1)
        return _summary_at(
            start,
            start + timedelta(minutes=minutes),
            audit_head=wire.AuditHead(seq=seq, hash=digest * 64),
        )

    first = env(at(10, 40, "a"))
    ana.send([first])
    ana.send([env(at(20, 42, "b"))])  # the chain grew
    ana.send([env(at(25, 42, "b"))])  # nothing audited since: the same head again
    assert ana.send([first]).duplicates == [first.idempotency_key]  # a replay is a duplicate
    assert sue.board().vmas[0].audit_went_back_at is None
    for bad in (at(30, 41, "c"), at(30, 42, "d")):  # shorter, or the same length rewritten
        with pytest.raises(HubRejected) as info:
            ana.send([env(bad)])
        assert info.value.status == 422
        assert info.value.detail == ["envelopes.0.message.audit_head.went_backwards"]
    assert hub.count("summaries") == 3
    flagged = sue.board().vmas[0]
    assert flagged.vma == "ana" and flagged.audit_went_back_at is not None
    ana.send([env(at(35, 43, "e"))])  # the chain grows again past the stored head: accepted
    assert hub.count("summaries") == 4
