"""PHI canaries cannot reach the hub: the wire refuses them, and nothing is stored or logged."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import httpx

from vmadesk import wire
from vmadesk.sync.pseudonym import pseudonym

# The "." keeps this name out of any base64 or hex text the hub stores by chance.
SOURCE_SYSTEM = "ehr.canary"
CANARIES = ["Zebulon", "Quackenbush", "555-867-5309", "5558675309", "1961-07-04", "MBR88771234"]


def good_event() -> dict:  # type: ignore[type-arg]
    message = wire.ItemEvent(
        pseudonym=pseudonym(b"c" * 32, SOURCE_SYSTEM, "MBR88771234"),
        lane=wire.Lane.ELIGIBILITY,
        event=wire.ItemEventKind.COMPLETED,
        outcome=wire.Outcome.COVERAGE_ACTIVE,
        seconds_from_due=-7200,
        attempt_count=1,
    )
    return wire.Envelope(idempotency_key=str(uuid.uuid4()), message=message).model_dump(mode="json")


def attempts() -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    out = []
    for field, value in [
        ("note", "Zebulon Quackenbush 555-867-5309"),
        ("pseudonym", "Zebulon Quackenbush"),
        ("pseudonym", "5558675309"),
        ("outcome", "Zebulon"),
        ("lane", "MBR88771234"),
        ("seconds_from_due", "1961-07-04"),
        ("patient_dob", "1961-07-04"),
        ("Zebulon", "Quackenbush"),
    ]:
        envelope = good_event()
        envelope["message"][field] = value
        out.append(("/v1/messages", {"schema_version": 1, "envelopes": [envelope]}))
    envelope = good_event()
    envelope["idempotency_key"] = "MBR88771234"
    out.append(("/v1/messages", {"schema_version": 1, "envelopes": [envelope]}))
    out.append(("/v1/claims", {"pseudonyms": ["Zebulon Quackenbush"], "lease_seconds": 60}))
    out.append(
        (
            "/v1/handoffs",
            {
                "envelope_id": str(uuid.uuid4()),
                "receiver": "ben",
                "sealed": "Zebulon Quackenbush 555-867-5309 1961-07-04 MBR88771234" * 2,
                "item_count": 1,
            },
        )
    )
    out.append(
        (
            "/v1/handoffs",
            {
                "envelope_id": str(uuid.uuid4()),
                "receiver": "Zebulon",
                "sealed": "QUFB" * 20,
                "item_count": 1,
            },
        )
    )
    return out


def test_canaries_are_refused_and_never_stored(hub, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    headers = {"Authorization": f"Bearer {hub.tokens['ana']}"}
    for path, body in attempts():
        response = httpx.post(hub.base_url + path, json=body, headers=headers, timeout=10)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"] == "validation_failed"
        for canary in CANARIES:
            assert canary not in response.text
    # in the URL too
    for url in ["/v1/keys/Zebulon", "/v1/events?pseudonym=5558675309", "/v1/Quackenbush"]:
        response = httpx.get(hub.base_url + url, headers=headers, timeout=10)
        assert response.status_code in (404, 422)
        assert not any(canary in response.text for canary in CANARIES)
    # legitimate traffic around the canaries
    ok = httpx.post(
        hub.base_url + "/v1/messages",
        json={"schema_version": 1, "envelopes": [good_event()]},
        headers=headers,
        timeout=10,
    )
    assert ok.status_code == 200
    assert hub.count("item_events") == 1
    assert hub.count("claims") == 0 and hub.count("handoffs") == 0

    dump = hub.dump()
    # hub-side log records (httpx/httpcore are this test's own client)
    logs = "\n".join(
        f"{r.name} {r.getMessage()}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )
    files = b""
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            files += path.read_bytes()
    assert SOURCE_SYSTEM not in dump  # not even the source system name: only the pseudonym
    for canary in CANARIES:
        assert canary not in dump, canary
        assert canary not in logs, canary
        assert canary.encode() not in files, canary
    assert "/v1/messages" in logs  # the access log ran, naming route templates
    json.dumps(dump)
