"""Spot-check evidence: VMA approval, sealed to the supervisor, ciphertext at the hub, audited."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.services.helpers import CANARY_FAMILY, CANARY_PHONE, callback, practice
from tests.ui.supervisor.simulate import HubFixture, env, sqlite_hub
from vmadesk import wire
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.evidence import EvidenceError, EvidenceResponder, EvidenceViewer
from vmadesk.store import items
from vmadesk.store import profile as profiles
from vmadesk.sync.hub_client import HubClient, HubRejected
from vmadesk.sync.item_events import item_pseudonym

SECRET = b"k" * 32


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubFixture]:
    with sqlite_hub(tmp_path) as fixture:
        yield fixture


@pytest.fixture
def supervisor_profile(tmp_path: Path) -> Iterator[profiles.UnlockedProfile]:
    profile, _ = profiles.create(
        tmp_path / "sup", PASSPHRASE, vma_handle="sue", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


def audit_details(profile: profiles.UnlockedProfile, event: str) -> list[dict]:  # type: ignore[type-arg]
    rows = profile.conn.execute("SELECT details FROM audit WHERE event = ?", (event,))
    return [json.loads(d) for (d,) in rows]


def setup_request(hub: HubFixture, new_profile, supervisor_profile, n: int = 1):  # type: ignore[no-untyped-def]
    ctx = practice(new_profile.conn)
    item_ids = [callback(new_profile.conn, ctx, i) for i in range(1, n + 1)]
    ana, sue = hub.client("ana"), hub.client("sue")
    pseudonyms = [item_pseudonym(SECRET, items.get_item(new_profile.conn, i)) for i in item_ids]
    ana.send(
        [
            env(
                wire.ItemEvent(
                    pseudonym=p,
                    lane=Lane.CALLBACK,
                    event=wire.ItemEventKind.COMPLETED,
                    seconds_from_due=-60,
                )
            )
            for p in pseudonyms
        ]
    )
    viewer = EvidenceViewer(supervisor_profile.conn)
    sue.register_public_key(viewer.public_key_b64())
    week = "{}-W{:02d}".format(*datetime.now(UTC).isocalendar()[:2])
    sample = sue.draw_sample(wire.SampleRequest(vma="ana", week=week, per_stratum=10))
    requests = []
    for item in sample.items:
        request = wire.EvidenceRequest(
            request_id=str(uuid.uuid4()), sample_id=sample.sample_id, pseudonym=item.pseudonym
        )
        requests.append(sue.request_evidence(request))
    responder = EvidenceResponder(
        new_profile.conn, lambda: HubClient(hub.base_url, hub.tokens["ana"]), team_secret=SECRET
    )
    return responder, viewer, requests, item_ids


def test_approved_evidence_opens_only_with_the_supervisors_key(  # type: ignore[no-untyped-def]
    hub, new_profile, supervisor_profile, tmp_path
) -> None:
    responder, viewer, (request,), (item_id,) = setup_request(hub, new_profile, supervisor_profile)
    sue = hub.client("sue")
    # nothing reaches the supervisor until the VMA approves
    assert sue.evidence(request.request_id).sealed is None
    (pending,) = responder.pending()
    assert responder.item_for(pending) == item_id
    responder.approve(pending)
    assert responder.pending() == []
    # the hub holds ciphertext only
    dump = hub.dump()
    assert CANARY_FAMILY not in dump and CANARY_PHONE not in dump
    record = sue.evidence(request.request_id)
    assert record.state is wire.EvidenceState.ANSWERED and record.sealed
    payload = viewer.open(record)
    assert payload["patient"]["family"] == CANARY_FAMILY
    assert payload["patient"]["phone"] == CANARY_PHONE
    assert payload["subject"]["lane"] == "callback"
    # another profile's key (here: the VMA's own) cannot open it
    with pytest.raises(EvidenceError):
        EvidenceViewer(new_profile.conn).open(record)
    other, _ = profiles.create(
        tmp_path / "other", PASSPHRASE, vma_handle="zed", keychain_choice="no", kdf=FAST_KDF
    )
    try:
        with pytest.raises(EvidenceError):
            EvidenceViewer(other.conn).open(record)
    finally:
        other.close()
    # audited on both sides, with ids and codes only
    (vma_side,) = audit_details(new_profile, "export")
    assert vma_side == {
        "kind": "evidence",
        "action": "approved",
        "request_id": request.request_id,
        "sample_id": request.sample_id,
        "supervisor": "sue",
    }
    viewed = [
        d for d in audit_details(supervisor_profile, "item_viewed") if d.get("kind") == "evidence"
    ]
    assert viewed == [
        {
            "kind": "evidence",
            "request_id": request.request_id,
            "sample_id": request.sample_id,
            "vma": "ana",
        }
    ]
    for profile in (new_profile, supervisor_profile):
        text = " ".join(d for (d,) in profile.conn.execute("SELECT details FROM audit"))
        assert CANARY_FAMILY not in text


def test_declined_request_sends_nothing(hub, new_profile, supervisor_profile) -> None:  # type: ignore[no-untyped-def]
    responder, viewer, _requests, _ = setup_request(hub, new_profile, supervisor_profile, n=2)
    first, second = responder.pending()
    responder.decline(first, wire.EvidenceDeclineReason.PRACTICE_POLICY)
    assert [r.request_id for r in responder.pending()] == [second.request_id]
    record = hub.client("sue").evidence(first.request_id)
    # The supervisor sees the decline and its reason; nothing sealed travelled.
    assert record.state is wire.EvidenceState.DECLINED and record.sealed is None
    assert record.decline_reason is wire.EvidenceDeclineReason.PRACTICE_POLICY
    with pytest.raises(EvidenceError):
        viewer.open(record)
    assert [(d["action"], d["reason"]) for d in audit_details(new_profile, "export")] == [
        ("declined", "practice_policy")
    ]
    with pytest.raises(HubRejected):  # a declined request cannot be answered afterwards
        responder.approve(first)


def test_unknown_item_is_refused(hub, new_profile, supervisor_profile) -> None:  # type: ignore[no-untyped-def]
    _responder, _, _, _ = setup_request(hub, new_profile, supervisor_profile)
    stranger = EvidenceResponder(
        new_profile.conn, lambda: HubClient(hub.base_url, hub.tokens["ana"]), team_secret=b"x" * 32
    )
    (pending,) = stranger.pending()
    with pytest.raises(EvidenceError):
        stranger.approve(pending)
    assert hub.client("sue").evidence(pending.request_id).sealed is None
    assert audit_details(new_profile, "export") == []
