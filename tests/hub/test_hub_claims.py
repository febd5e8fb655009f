"""Ownership claims: first claim wins under concurrency, leases, heartbeat, release, takeover."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter

import pytest
from nacl.public import PrivateKey

from vmadesk import wire
from vmadesk.sync import sealed
from vmadesk.sync.hub_client import HubClient, HubRejected
from vmadesk.sync.pseudonym import pseudonym

SECRET = b"k" * 32


def test_concurrent_claimers_one_owner_each(hub) -> None:  # type: ignore[no-untyped-def]
    items = [pseudonym(SECRET, "ehr", f"appt-{i}") for i in range(50)]
    names = [f"vma{i:02d}" for i in range(20)]
    for name in names:
        hub.add(name)
    barrier = threading.Barrier(len(names))
    granted: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def claimer(name: str) -> None:
        try:
            with HubClient(hub.base_url, hub.tokens[name], 30) as client:
                order = items[:]
                random.Random(name).shuffle(order)
                barrier.wait()
                mine = []
                for start in range(0, len(order), 5):
                    for result in client.claim(order[start : start + 5]).results:
                        if result.status is wire.ClaimStatus.GRANTED:
                            assert result.held_by == name
                            mine.append(result.pseudonym)
                        else:
                            assert result.held_by != name
                granted[name] = mine
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    owners = Counter(p for mine in granted.values() for p in mine)
    assert set(owners) == set(items)
    assert all(count == 1 for count in owners.values())
    # the database agrees, and every refused claim is a recorded conflict
    with hub.engine.connect() as conn:
        from vmadesk.hub.db import claims

        rows = {row.pseudonym: row.holder for row in conn.execute(claims.select())}
    assert rows == {p: n for n, mine in granted.items() for p in mine}
    conflicts = hub.client("sue").conflicts(limit=5000).conflicts
    assert len(conflicts) == 50 * 19


def lapse(hub, *codes: str) -> None:  # type: ignore[no-untyped-def]
    """Let the leases of ``codes`` run out (the hub's clock is real: move the lease instead)."""
    from sqlalchemy import update

    from vmadesk.hub.db import claims

    with hub.engine.begin() as conn:
        conn.execute(
            update(claims).where(claims.c.pseudonym.in_(codes)).values(lease_expires_at=1000)
        )


def test_lease_heartbeat_done_lapse_takeover(hub) -> None:  # type: ignore[no-untyped-def]
    ana, ben, sue = hub.client("ana"), hub.client("ben"), hub.client("sue")
    a, b, c = (pseudonym(SECRET, "ehr", x) for x in "abc")
    first = ana.claim([a, b, c], lease_seconds=60).results
    assert all(r.status is wire.ClaimStatus.GRANTED for r in first)
    held = ben.claim([a]).results[0]
    assert held.status is wire.ClaimStatus.HELD and held.held_by == "ana"
    assert held.since == first[0].since
    # a lapsed lease is unattended: listed for the supervisor, never granted to another VMA
    lapse(hub, a)
    assert [u.pseudonym for u in sue.unattended().claims] == [a]
    took = ben.claim([a, b]).results
    assert [r.status for r in took] == [wire.ClaimStatus.HELD, wire.ClaimStatus.HELD]
    assert took[0].held_by == "ana"
    # the holder coming back refreshes it
    assert ana.heartbeat([a, b]) == wire.HeartbeatResult(refreshed=sorted([a, b]), lost=[])
    assert sue.unattended().claims == []
    # done work stays owned: another VMA is told it is done and by whom
    assert ana.release([c], wire.ReleaseReason.COMPLETED) == wire.ReleaseResult(
        released=[c], not_held=[]
    )
    told = ben.claim([c]).results[0]
    assert (told.status, told.held_by) == (wire.ClaimStatus.DONE, "ana")
    assert ben.release([c], wire.ReleaseReason.COMPLETED).not_held == [c]
    # a handoff or an ended shift lets nothing go
    assert ana.release([b], wire.ReleaseReason.HANDED_OFF).kept == [b]
    assert ben.claim([b]).results[0].held_by == "ana"
    # done work cannot be taken over; its holder reopens it by claiming it again
    assert _status(lambda: ben.takeover(c, wire.TakeoverReason.OTHER)) == 409
    assert ana.claim([c]).results[0].status is wire.ClaimStatus.GRANTED
    assert ben.claim([c]).results[0].status is wire.ClaimStatus.HELD
    # takeover with a reason, recorded
    over = ana.takeover(b, wire.TakeoverReason.HOLDER_OFF_SHIFT)
    assert over.previous_holder == "ana"  # taking over one's own is allowed and recorded
    over = ben.takeover(c, wire.TakeoverReason.OTHER)
    assert over.previous_holder == "ana" and over.claim.held_by == "ben"
    assert ana.heartbeat([c]).lost == [c]
    log = sue.conflicts().conflicts
    takeovers = [x for x in log if x.kind is wire.ConflictKind.TAKEOVER]
    assert takeovers[0].reason is wire.TakeoverReason.OTHER
    assert (takeovers[0].claimant, takeovers[0].holder) == ("ben", "ana")
    assert any(x.kind is wire.ConflictKind.CONFLICT and x.claimant == "ben" for x in log)
    # ana is told of ben's takeover; ben's own takeover is not news to ben
    moves = ana.claim_moves().moves
    assert [(m.kind, m.pseudonym, m.to_holder) for m in moves] == [
        (wire.ConflictKind.TAKEOVER, c, "ben")
    ]
    assert ben.claim_moves().moves == []
    assert ana.claim_moves(after=moves[-1].id).moves == []
    assert ana.claim_moves(after=9_999_999_999).moves == []  # past any id: empty, not a 500
    assert ana.lookup([c]).results[0].held_by == "ben"


def _status(call) -> int:  # type: ignore[no-untyped-def]
    from vmadesk.sync.hub_client import HubRejected

    try:
        call()
    except HubRejected as error:
        return error.status
    raise AssertionError("not refused")


def test_offer_moves_only_on_acknowledgement(hub) -> None:  # type: ignore[no-untyped-def]
    hub.add("cat")
    ana, ben, cat = hub.client("ana"), hub.client("ben"), hub.client("cat")
    a, b = (pseudonym(SECRET, "ehr", x) for x in "ab")
    ana.claim([a, b])
    # an acknowledgement before the offer waits (no conflict recorded)
    assert ben.claim([a], accept_offer=True).results[0].status is wire.ClaimStatus.HELD
    assert ana.offer([a, b], "ben") == wire.ClaimOfferResult(offered=sorted([a, b]), not_held=[])
    # a third VMA's import, or its own acknowledgement, gets a conflict: the offer is ben's
    assert cat.claim([a]).results[0].held_by == "ana"
    assert cat.claim([a], accept_offer=True).results[0].held_by == "ana"
    # ben acknowledges a, declines b: a moves, b stays ana's
    granted = ben.claim([a], accept_offer=True).results[0]
    assert (granted.status, granted.held_by) == (wire.ClaimStatus.GRANTED, "ben")
    assert ana.claim([b]).results[0].status is wire.ClaimStatus.GRANTED  # withdraws the offer
    assert ben.claim([b], accept_offer=True).results[0].held_by == "ana"
    assert ana.heartbeat([a, b]).lost == [a]
    assert [(m.kind, m.from_holder, m.to_holder) for m in ana.claim_moves().moves] == [
        (wire.ConflictKind.HANDOFF, "ana", "ben")
    ]
    assert cat.claim([a, b]).results[0].held_by == "ben"


def test_supervisor_reassigns_unattended_work(hub) -> None:  # type: ignore[no-untyped-def]
    ana, ben, sue = hub.client("ana"), hub.client("ben"), hub.client("sue")
    a = pseudonym(SECRET, "ehr", "a")
    ana.claim([a])
    lapse(hub, a)
    (unattended,) = sue.unattended().claims
    assert unattended.holder == "ana"
    # a supervisor reassigns; it never holds work itself
    assert _status(lambda: sue.claim([a])) == 403
    assert _status(lambda: sue.takeover(a, wire.TakeoverReason.OTHER)) == 403
    assert _status(lambda: ana.reassign(a, "ben", wire.TakeoverReason.OTHER)) == 403
    assert _status(lambda: sue.reassign(a, "sue", wire.TakeoverReason.OTHER)) == 409
    done = sue.reassign(a, "ben", wire.TakeoverReason.HOLDER_OFF_SHIFT)
    assert (done.previous_holder, done.claim.held_by) == ("ana", "ben")
    assert sue.unattended().claims == []
    for client in (ana, ben):
        (move,) = client.claim_moves().moves
        assert (move.kind, move.from_holder, move.to_holder, move.by, move.reason) == (
            wire.ConflictKind.REASSIGN,
            "ana",
            "ben",
            "sue",
            wire.TakeoverReason.HOLDER_OFF_SHIFT,
        )
    assert sue.conflicts().conflicts[0].by == "sue"
    assert ana.heartbeat([a]).lost == [a]
    assert ben.heartbeat([a]).refreshed == [a]


def _raised(escalation_id: str, code: str) -> wire.Envelope:
    return wire.Envelope(
        idempotency_key=str(uuid.uuid4()),
        message=wire.EscalationRaised(
            escalation_id=escalation_id,
            category=wire.EscalationCategory.SCHEDULING_CONFLICT,
            urgency=wire.Urgency.URGENT,
            lane=wire.Lane.CONFIRMATION,
            pseudonym=code,
            age_seconds=60,
        ),
    )


def test_open_escalations_follow_the_claim_and_the_raiser_still_seals_details(hub) -> None:  # type: ignore[no-untyped-def]
    ana, ben, sue = hub.client("ana"), hub.client("ben"), hub.client("sue")
    supervisor_key = PrivateKey.generate()
    sue.register_public_key(bytes(supervisor_key.public_key))
    taken, lapsed = pseudonym(b"k" * 32, "ehr", "taken"), pseudonym(b"k" * 32, "ehr", "lapsed")
    ana.claim([taken, lapsed])
    first, second, late = (str(uuid.uuid4()) for _ in range(3))
    ana.send([_raised(first, taken), _raised(second, taken)])
    sue.resolve_escalation(first, wire.ResolutionCode.NO_ACTION_NEEDED)
    ben.takeover(taken, wire.TakeoverReason.PATIENT_CALLED_BACK)
    holders = {e.escalation_id: e.vma for e in sue.escalations(state="all").escalations}
    assert holders == {first: "ana", second: "ben"}  # the resolved one stays with ana
    assert [e.escalation_id for e in ben.escalations().escalations] == [second]
    # ana's console resends her message under a new key: hers, not another VMA's id
    assert len(ana.send([_raised(second, taken)]).accepted) == 1
    assert sue.escalation(second).vma == "ben"
    # a lapsed item reassigned before ana's console sent its escalation: filed under ben
    lapse(hub, lapsed)
    sue.reassign(lapsed, "ben", wire.TakeoverReason.HOLDER_OFF_SHIFT)
    ana.send([_raised(late, lapsed)])
    assert sue.escalation(late).vma == "ben"
    # ana, who has the text, may still seal it to the supervisor; a third VMA may not
    box = sealed.b64(sealed.seal_to(supervisor_key.public_key, b'{"situation": "x"}'))
    details = wire.EscalationDetails(details=[wire.SealedDetail(recipient="sue", sealed=box)])
    assert ana.put_escalation_details(late, details).details_for == ["sue"]
    hub.add("cat")
    with pytest.raises(HubRejected) as refused:
        hub.client("cat").put_escalation_details(late, details)
    assert refused.value.status == 404
