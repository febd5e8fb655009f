"""The hub over loopback: health, auth, validation, limits, idempotency, escalations, handoffs,
keys, team secrets, spot checks, OpenAPI."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nacl.public import PrivateKey, SealedBox

from vmadesk import wire
from vmadesk.domain.vocabulary import (
    DueState,
    EscalationCategory,
    EscalationState,
    ItemStatus,
    Lane,
    Outcome,
    Urgency,
)
from vmadesk.hub.openapi import OPENAPI_PATH, render_openapi
from vmadesk.sync.hub_client import HubRejected
from vmadesk.sync.pseudonym import pseudonym

SECRET = b"s" * 32


def pn(i: int | str) -> str:
    return pseudonym(SECRET, "ehr", f"appt-{i}")


def summary() -> wire.Summary:
    now = datetime.now(UTC).replace(microsecond=0)
    return wire.Summary(
        interval_start=now - timedelta(hours=1),
        interval_end=now,
        shift_start=now - timedelta(hours=3),
        lanes=[
            wire.LaneSummary(
                lane=Lane.CALLBACK,
                by_status={ItemStatus.REQUESTED: 4, ItemStatus.COMPLETED: 7},
                by_due_state={DueState.OVERDUE: 1, DueState.ON_TRACK: 3},
                completed_on_time=6,
                completed_late=1,
                first_attempt_median_s=600,
                first_attempt_p90_s=3000,
                attempts_total=12,
                items_attempted=8,
                attempts_per_item=1.5,
                outcomes={Outcome.REACHED: 7, Outcome.VOICEMAIL: 5},
            )
        ],
        escalations=[
            wire.EscalationCount(
                category=EscalationCategory.CLINICAL_CONCERN, urgency=Urgency.URGENT, count=1
            )
        ],
        handoffs=wire.HandoffCounts(sent=3, acknowledged=2, declined=1),
        audit_head=wire.AuditHead(seq=42, hash="a" * 64),
    )


def event(i: int, kind: wire.ItemEventKind = wire.ItemEventKind.COMPLETED) -> wire.ItemEvent:
    return wire.ItemEvent(
        pseudonym=pn(i),
        lane=Lane.CONFIRMATION,
        event=kind,
        outcome=Outcome.CONFIRMED if kind is wire.ItemEventKind.COMPLETED else None,
        seconds_from_due=-93_600,
        attempt_count=2,
    )


def env(message) -> wire.Envelope:  # type: ignore[no-untyped-def]
    return wire.Envelope(idempotency_key=str(uuid.uuid4()), message=message)


def raw_post(hub, path: str, body, token: str | None = None, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        hub.base_url + path,
        content=content,
        headers={"Content-Type": "application/json", **headers},
        timeout=10,
        **kw,
    )


def stored_rows(hub) -> int:  # type: ignore[no-untyped-def]
    return sum(
        hub.count(t)
        for t in ("messages", "summaries", "item_events", "escalations", "claims", "handoffs")
    )


def test_health_needs_no_token(hub) -> None:  # type: ignore[no-untyped-def]
    assert hub.client(token=None).health().status == "ok"
    response = httpx.get(hub.base_url + "/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "schema_version": 1, "database": "ok"}


def test_auth_401_and_403(hub) -> None:  # type: ignore[no-untyped-def]
    assert httpx.get(hub.base_url + "/v1/summaries").status_code == 401
    bad = httpx.get(
        hub.base_url + "/v1/summaries", headers={"Authorization": "Bearer nope-nope-nope-nope-nope"}
    )
    assert bad.status_code == 401
    assert bad.json() == {"error": "unauthenticated", "detail": []}
    with pytest.raises(HubRejected) as info:
        hub.client("ana").conflicts()
    assert (info.value.status, info.value.code) == (403, "forbidden")
    with pytest.raises(HubRejected) as info:
        hub.client("ana").summaries(vma="ben")
    assert info.value.status == 403
    # revoked tokens are refused like unknown ones
    from vmadesk.hub import auth

    with hub.engine.begin() as conn:
        assert auth.revoke_account(conn, "ben")
    with pytest.raises(HubRejected) as info:
        hub.client("ben").whoami()
    assert info.value.status == 401
    assert hub.client("ana").whoami() == wire.Whoami(handle="ana", role=wire.Role.VMA)


@pytest.mark.parametrize(
    ("mutate", "expected_path"),
    [
        (lambda m: m.update(patient_name="Zelda Quux"), "<unknown>.extra_forbidden"),
        (lambda m: m.update(pseudonym="Zelda Quux 555-0100"), "pseudonym.string_pattern_mismatch"),
        (lambda m: m.update(seconds_from_due="-3600"), "seconds_from_due.int_type"),
        (lambda m: m.update(outcome="told her the results"), "outcome.enum"),
        (lambda m: m.update(schema_version=2), "schema_version.literal_error"),
    ],
    ids=["unknown-field", "free-text-pseudonym", "wrong-type", "free-text-code", "version"],
)
def test_422_stores_nothing_and_echoes_nothing(hub, mutate, expected_path) -> None:  # type: ignore[no-untyped-def]
    good = env(event(1)).model_dump(mode="json")
    bad = json.loads(json.dumps(good))
    mutate(bad["message"])
    body = {"schema_version": 1, "envelopes": [good, bad]}
    response = raw_post(hub, "/v1/messages", body, hub.tokens["ana"])
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "validation_failed"
    assert any(p.endswith(expected_path) for p in payload["detail"]), payload
    assert "Zelda" not in response.text and "555" not in response.text
    assert "told her" not in response.text
    assert stored_rows(hub) == 0


def test_bad_json_and_media_type(hub) -> None:  # type: ignore[no-untyped-def]
    token = hub.tokens["ana"]
    assert raw_post(hub, "/v1/messages", b"{not json", token).status_code == 400
    r = raw_post(
        hub,
        "/v1/messages",
        b"x",
        token,
    )
    assert r.status_code == 400
    r = httpx.post(
        hub.base_url + "/v1/messages",
        content=b"a=b",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert r.status_code == 415
    r = httpx.get(
        hub.base_url + "/v1/summaries?vma=Zelda%20Quux",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422 and "Zelda" not in r.text
    r = httpx.get(hub.base_url + "/v1/nowhere", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert stored_rows(hub) == 0


def test_413_oversize(hub) -> None:  # type: ignore[no-untyped-def]
    big = {"schema_version": 1, "envelopes": [], "pad": "x" * (1024 * 1024 + 10)}
    response = raw_post(hub, "/v1/messages", big, hub.tokens["ana"])
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"

    # chunked upload without Content-Length is cut off too
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b" " * 65536

    response = httpx.post(
        hub.base_url + "/v1/messages",
        content=chunks(),
        headers={
            "Authorization": f"Bearer {hub.tokens['ana']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413
    assert stored_rows(hub) == 0


def test_idempotent_resend_counts_once(hub) -> None:  # type: ignore[no-untyped-def]
    ana = hub.client("ana")
    batch = [env(summary()), *(env(event(i)) for i in range(10))]
    first = ana.send(batch)
    assert len(first.accepted) == 11 and first.duplicates == []
    again = ana.send(batch)
    assert again.accepted == [] and len(again.duplicates) == 11
    mixed = ana.send([*batch[:3], env(event(99))])
    assert len(mixed.accepted) == 1 and len(mixed.duplicates) == 3
    assert hub.count("item_events") == 11 and hub.count("summaries") == 1
    own = ana.summaries()
    assert len(own.summaries) == 1 and own.summaries[0].vma == "ana"
    assert own.summaries[0].summary == batch[0].message
    assert hub.client("ben").summaries().summaries == []
    assert len(hub.client("sue").summaries().summaries) == 1
    assert len(hub.client("sue").events(vma="ana", pseudonym=pn(3)).events) == 1


def test_escalation_lifecycle(hub) -> None:  # type: ignore[no-untyped-def]
    ana, sue = hub.client("ana"), hub.client("sue")
    ids = [str(uuid.uuid4()) for _ in range(3)]
    urgencies = [Urgency.ROUTINE, Urgency.IMMEDIATE, Urgency.URGENT]
    ana.send(
        env(
            wire.EscalationRaised(
                escalation_id=ids[i],
                category=EscalationCategory.PATIENT_COMPLAINT,
                urgency=urgencies[i],
                lane=Lane.CALLBACK,
                pseudonym=pn(i),
                age_seconds=60 * (i + 1),
            )
        )
        for i in range(3)
    )
    open_ = sue.escalations().escalations
    assert [e.urgency for e in open_] == [Urgency.IMMEDIATE, Urgency.URGENT, Urgency.ROUTINE]
    with pytest.raises(HubRejected) as info:
        ana.acknowledge_escalation(ids[1])
    assert info.value.status == 403
    acked = sue.acknowledge_escalation(ids[1])
    assert acked.state is EscalationState.ACKNOWLEDGED and acked.acknowledged_by == "sue"
    no_code = raw_post(
        hub, f"/v1/escalations/{ids[1]}/state", {"state": "resolved"}, hub.tokens["sue"]
    )
    assert no_code.status_code == 422
    resolved = sue.resolve_escalation(ids[1], wire.ResolutionCode.FORWARDED_TO_CLINICIAN)
    assert resolved.state is EscalationState.RESOLVED
    with pytest.raises(HubRejected) as info:
        sue.resolve_escalation(ids[1], wire.ResolutionCode.DUPLICATE)
    assert info.value.status == 409
    # the state flows back to the console
    assert ana.escalation(ids[1]).resolution is wire.ResolutionCode.FORWARDED_TO_CLINICIAN
    assert [e.escalation_id for e in sue.escalations().escalations] == [ids[2], ids[0]]
    assert len(ana.escalations(state="all").escalations) == 3
    with pytest.raises(HubRejected) as info:
        hub.client("ben").escalation(ids[0])
    assert info.value.status == 404


def test_handoff_relay_stores_only_ciphertext(hub) -> None:  # type: ignore[no-untyped-def]
    ana, ben = hub.client("ana"), hub.client("ben")
    ben_key = PrivateKey.generate()
    ben.register_public_key(bytes(ben_key.public_key))
    fetched_key = base64.b64decode(ana.public_key("ben").public_key)
    packet = json.dumps({"items": [{"patient": "Zelda Quux", "phone": "555-0100"}]}).encode()
    sealed = base64.b64encode(
        SealedBox(__import__("nacl.public").public.PublicKey(fetched_key)).encrypt(packet)
    ).decode()
    envelope = wire.HandoffEnvelope(
        envelope_id=str(uuid.uuid4()), receiver="ben", sealed=sealed, item_count=3
    )
    posted = ana.post_handoff(envelope)
    assert posted.state is wire.HandoffState.WAITING and posted.sealed is None
    assert ana.post_handoff(envelope).envelope_id == envelope.envelope_id  # resend is idempotent
    assert "Zelda" not in hub.dump() and sealed in hub.dump()
    inbox = ben.handoffs().handoffs
    assert len(inbox) == 1 and inbox[0].state is wire.HandoffState.FETCHED
    opened = SealedBox(ben_key).decrypt(base64.b64decode(inbox[0].sealed))
    assert opened == packet
    assert hub.client("sue").handoffs().handoffs == []
    with pytest.raises(HubRejected):
        ben.ack_handoff(envelope.envelope_id, 3, 1)  # more than item_count
    receipt = ben.ack_handoff(envelope.envelope_id, 2, 1)
    assert (receipt.acknowledged, receipt.declined) == (2, 1)
    assert sealed not in hub.dump()  # ciphertext dropped after the receipt
    sent = ana.handoffs(box="outbox").handoffs
    assert sent[0].state is wire.HandoffState.RECEIPTED and sent[0].sealed is None
    assert ben.handoffs().handoffs == []


def test_team_secret_envelope(hub) -> None:  # type: ignore[no-untyped-def]
    ana, sue = hub.client("ana"), hub.client("sue")
    key = PrivateKey.generate()
    ana.register_public_key(base64.b64encode(bytes(key.public_key)).decode())
    secret = b"T" * 32
    from nacl.public import PublicKey

    pub = PublicKey(base64.b64decode(sue.public_key("ana").public_key))
    sealed = base64.b64encode(SealedBox(pub).encrypt(secret)).decode()
    with pytest.raises(HubRejected) as info:
        ana.post_team_secret(wire.TeamSecretEnvelope(recipient="ana", key_version=1, sealed=sealed))
    assert info.value.status == 403
    sue.post_team_secret(wire.TeamSecretEnvelope(recipient="ana", key_version=1, sealed=sealed))
    record = ana.team_secret()
    assert SealedBox(key).decrypt(base64.b64decode(record.sealed)) == secret
    assert record.posted_by == "sue"
    with pytest.raises(HubRejected) as info:
        hub.client("ben").team_secret()
    assert info.value.status == 404
    assert secret.decode() not in hub.dump()


def test_spot_check_and_evidence(hub) -> None:  # type: ignore[no-untyped-def]
    ana, sue = hub.client("ana"), hub.client("sue")
    ana.send([env(event(i)) for i in range(12)] + [env(event(50, wire.ItemEventKind.ATTEMPT))])
    week = wire_week(datetime.now(UTC))
    sample = sue.draw_sample(wire.SampleRequest(vma="ana", week=week, per_stratum=4, seed=7))
    assert sample.seed == 7 and len(sample.items) == 4
    assert sample.strata == [
        wire.Stratum(lane=Lane.CONFIRMATION, outcome=Outcome.CONFIRMED, population=12, drawn=4)
    ]
    again = sue.draw_sample(wire.SampleRequest(vma="ana", week=week, per_stratum=4, seed=7))
    assert again.items == sample.items  # reproducible from the recorded seed
    assert sue.sample(sample.sample_id) == sample
    with pytest.raises(HubRejected):
        ana.draw_sample(wire.SampleRequest(vma="ana", week=week, seed=1))
    target = sample.items[0].pseudonym
    score = wire.SpotCheckScore(
        pseudonym=target,
        on_time=True,
        outcome_consistent=True,
        documentation_complete=False,
        comment=wire.CommentCode.DOCUMENTATION_MISSING,
    )
    assert sue.score(sample.sample_id, score).score == score
    assert len(sue.scores(sample.sample_id).scores) == 1
    # evidence: the VMA seals to the supervisor's key; the hub relays ciphertext only
    sue_key = PrivateKey.generate()
    sue.register_public_key(bytes(sue_key.public_key))
    request = wire.EvidenceRequest(
        request_id=str(uuid.uuid4()), sample_id=sample.sample_id, pseudonym=target
    )
    sue.request_evidence(request)
    pending = ana.evidence_requests(state="requested").requests
    assert [r.request_id for r in pending] == [request.request_id]
    from nacl.public import PublicKey

    pub = PublicKey(base64.b64decode(ana.public_key("sue").public_key))
    sealed = base64.b64encode(SealedBox(pub).encrypt(b"Zelda Quux, 555-0100")).decode()
    ana.answer_evidence(request.request_id, sealed)
    got = sue.evidence(request.request_id)
    assert got.state is wire.EvidenceState.ANSWERED
    assert SealedBox(sue_key).decrypt(base64.b64decode(got.sealed)) == b"Zelda Quux, 555-0100"
    assert ana.evidence(request.request_id).sealed is None
    with pytest.raises(HubRejected):
        hub.client("ben").answer_evidence(request.request_id, sealed)
    assert "Zelda" not in hub.dump()


def wire_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def test_openapi_served_and_committed(hub) -> None:  # type: ignore[no-untyped-def]
    served = httpx.get(hub.base_url + "/v1/openapi.json").json()
    assert served["openapi"].startswith("3.1")
    assert "/v1/claims/takeover" in served["paths"]
    assert "Summary" in served["components"]["schemas"]
    committed = OPENAPI_PATH.read_text(encoding="utf-8")
    assert committed == render_openapi(), (
        "vmadesk/hub/openapi.json is stale: run "
        "python -c 'from vmadesk.hub.openapi import write_openapi; write_openapi()'"
    )
    assert json.loads(committed) == served


def test_migrations_match_tables(migrated) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from vmadesk.hub import migrate
    from vmadesk.hub.db import metadata

    with migrated.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    migrate.upgrade(migrated)  # idempotent
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert migrate.current(migrated) == head
