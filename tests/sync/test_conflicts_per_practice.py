"""Conflicts grouped per VMA pair and practice: claims carry the team practice id (a code).

Consoles over loopback on SQLite and PostgreSQL; the supervisor registers the practices once at
the hub and reads the grouped conflicts through the supervisor service.
"""

from __future__ import annotations

import pytest

from tests.support.consoles import Console
from tests.sync.test_practice_identity import import_csv, team  # noqa: F401 (fixture)
from vmadesk import wire
from vmadesk.services.supervisor import SupervisorService
from vmadesk.services.sync_service import sync_once
from vmadesk.sync.hub_client import HubRejected


def test_conflicts_group_per_vma_pair_and_practice_with_counts(hub, team) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ana, ben, cat = team["ana"], team["ben"], team["cat"]
    sue = hub.client("sue")
    sue.register_practice("riverside-fm", ["rvs", "riverside"])
    sue.register_practice("lakeview-fm", ["lake"])
    for console in (ana, ben, cat):
        sync_once(console.profile)  # each console learns the team's practice ids
    import_csv(ana, "rvs", range(3))
    import_csv(ana, "lake", range(2))
    import_csv(ana, "hillside", range(1))  # not registered: no practice named
    sync_once(ana.profile)
    import_csv(ben, "riverside", range(3))
    import_csv(ben, "lake", range(2))
    import_csv(cat, "riverside", range(1))
    assert sync_once(ben.profile).conflicts == 5
    assert sync_once(cat.profile).conflicts == 1
    groups = SupervisorService(hub.base_url, hub.tokens["sue"]).conflicts()
    counted = sorted((g.claimant, g.holder, g.practice, g.items, g.events) for g in groups)
    assert counted == [
        ("ben", "ana", "lakeview-fm", 2, 2),
        ("ben", "ana", "riverside-fm", 3, 3),
        ("cat", "ana", "riverside-fm", 1, 1),
    ]
    # only codes reach the hub: the practices' local names never do
    assert "Practice rvs" not in hub.dump()


def _one_code(console: Console) -> str:
    return str(console.conn.execute("SELECT pseudonym FROM claims").fetchone()[0])


def test_a_claim_naming_an_unregistered_practice_is_refused(hub, team) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ana = team["ana"]
    import_csv(ana, "rvs", range(1))
    sync_once(ana.profile)
    code = _one_code(ana)
    with pytest.raises(HubRejected) as refused:
        ana.client().claim([code], practices={code: "nowhere"})
    assert refused.value.status == 422
    hub.client("sue").register_practice("riverside-fm", ["rvs"])
    (result,) = ana.client().claim([code], practices={code: "riverside-fm"}).results
    assert result.status is wire.ClaimStatus.GRANTED
