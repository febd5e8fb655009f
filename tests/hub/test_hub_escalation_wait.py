"""The escalation long poll: the hub answers a waiting desk as soon as an escalation arrives."""

from __future__ import annotations

import threading
import uuid

import httpx

from tests.hub.test_hub_api import env, pn
from vmadesk import wire
from vmadesk.domain.vocabulary import EscalationCategory, Lane, Urgency


def _raise(hub, urgency: Urgency = Urgency.IMMEDIATE) -> str:  # type: ignore[no-untyped-def]
    escalation_id = str(uuid.uuid4())
    hub.client("ana").send(
        [
            env(
                wire.EscalationRaised(
                    escalation_id=escalation_id,
                    category=EscalationCategory.PATIENT_COMPLAINT,
                    urgency=urgency,
                    lane=Lane.CALLBACK,
                    pseudonym=pn(1),
                    age_seconds=30,
                )
            )
        ]
    )
    return escalation_id


def test_waiting_desk_is_answered_when_an_escalation_arrives(hub) -> None:  # type: ignore[no-untyped-def]
    sue = hub.client("sue")
    start = sue.escalation_changes(None, 0)  # from now: nothing yet
    assert start.escalations == []
    answered: dict[str, wire.EscalationChanges] = {}
    waiting = threading.Thread(
        target=lambda: answered.update(got=hub.client("sue").escalation_changes(start.cursor, 25))
    )
    waiting.start()
    escalation_id = _raise(hub)
    waiting.join(20)  # answered on arrival, well before its 25 s wait ends
    assert not waiting.is_alive()
    got = answered["got"]
    assert [e.escalation_id for e in got.escalations] == [escalation_id]
    assert got.cursor > start.cursor
    # nothing newer: a short wait ends empty, with the same cursor
    again = sue.escalation_changes(got.cursor, 1)
    assert again.escalations == [] and again.cursor == got.cursor
    # acknowledging is a change too
    sue.acknowledge_escalation(escalation_id)
    acked = sue.escalation_changes(got.cursor, 0)
    assert [e.state for e in acked.escalations] == [wire.EscalationState.ACKNOWLEDGED]


def test_vma_waits_only_for_their_own(hub) -> None:  # type: ignore[no-untyped-def]
    start = hub.client("ben").escalation_changes(None, 0)
    _raise(hub)
    assert hub.client("ben").escalation_changes(start.cursor, 0).escalations == []
    assert len(hub.client("ana").escalation_changes(start.cursor, 0).escalations) == 1
    bad = httpx.get(
        hub.base_url + "/v1/escalations/changes?wait=31",
        headers={"Authorization": f"Bearer {hub.tokens['sue']}"},
        timeout=10,
    )
    assert bad.status_code == 422
    no_cursor = httpx.get(
        hub.base_url + "/v1/escalations/changes?wait=5",
        headers={"Authorization": f"Bearer {hub.tokens['sue']}"},
        timeout=10,
    )
    assert (no_cursor.status_code, no_cursor.json()["detail"]) == (422, ["query.after"])
