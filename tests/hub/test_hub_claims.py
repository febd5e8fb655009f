"""Ownership claims: first claim wins under concurrency, leases, heartbeat, release, takeover."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

from vmadesk.sync import wire
from vmadesk.sync.hub_client import HubClient
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


def test_lease_heartbeat_release_expiry_takeover(hub) -> None:  # type: ignore[no-untyped-def]
    ana, ben, sue = hub.client("ana"), hub.client("ben"), hub.client("sue")
    a, b, c = (pseudonym(SECRET, "ehr", x) for x in "abc")
    first = ana.claim([a, b, c], lease_seconds=1).results
    assert all(r.status is wire.ClaimStatus.GRANTED for r in first)
    held = ben.claim([a]).results[0]
    assert held.status is wire.ClaimStatus.HELD and held.held_by == "ana"
    assert held.since == first[0].since
    # heartbeat keeps b alive; a and c lapse
    assert ana.heartbeat([b], lease_seconds=60).refreshed == [b]
    time.sleep(1.2)
    took = ben.claim([a, b]).results
    assert [r.status for r in took] == [wire.ClaimStatus.GRANTED, wire.ClaimStatus.HELD]
    assert ana.heartbeat([a, b]) == wire.HeartbeatResult(refreshed=[b], lost=[a])
    # release
    assert ana.release([c, a], wire.ReleaseReason.COMPLETED) == wire.ReleaseResult(
        released=[c], not_held=[a]
    )
    assert ben.claim([c]).results[0].status is wire.ClaimStatus.GRANTED
    # takeover with a reason, recorded
    over = ana.takeover(b, wire.TakeoverReason.HOLDER_OFF_SHIFT)
    assert over.previous_holder == "ana"  # taking over one's own is allowed and recorded
    over = ana.takeover(c, wire.TakeoverReason.SUPERVISOR_ASSIGNED)
    assert over.previous_holder == "ben" and over.claim.held_by == "ana"
    assert ben.heartbeat([c]).lost == [c]
    log = sue.conflicts().conflicts
    takeovers = [x for x in log if x.kind is wire.ConflictKind.TAKEOVER]
    assert takeovers[0].reason is wire.TakeoverReason.SUPERVISOR_ASSIGNED
    assert (takeovers[0].claimant, takeovers[0].holder) == ("ana", "ben")
    assert any(x.kind is wire.ConflictKind.CONFLICT and x.claimant == "ben" for x in log)
