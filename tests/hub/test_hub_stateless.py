"""Several hub processes on one database act as one hub (DESIGN.md: stateless instances)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from tests.support.hub import free_port, start_hub_process
from vmadesk import wire
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.pseudonym import pseudonym

pytestmark = pytest.mark.slow
SECRET = b"s" * 32


def test_two_hub_processes_share_claims_and_data(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.hub.cli import add_user

    names = [f"vma{i}" for i in range(8)]
    tokens = {name: add_user(name, "vma", db_url) for name in names}
    boss = add_user("sue", "supervisor", db_url)
    log = (tmp_path / "hubs.log").open("wb")
    ports = [free_port(), free_port()]
    procs = [start_hub_process(db_url, port, log) for port in ports]
    try:
        items = [pseudonym(SECRET, "ehr/confirmation", f"appt-{i}") for i in range(40)]
        granted: dict[str, list[str]] = {}
        barrier = threading.Barrier(len(names))

        def claimer(index: int, name: str) -> None:
            # Half the consoles talk to each hub, as behind a load balancer.
            url = f"http://127.0.0.1:{ports[index % 2]}"
            with HubClient(url, tokens[name], 30) as client:
                barrier.wait()
                results = client.claim(items).results
            granted[name] = [r.pseudonym for r in results if r.status is wire.ClaimStatus.GRANTED]

        threads = [threading.Thread(target=claimer, args=(i, n)) for i, n in enumerate(names)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        owners = Counter(p for mine in granted.values() for p in mine)
        assert set(owners) == set(items) and set(owners.values()) == {1}

        # What one instance stored, the other serves.
        with (
            HubClient(f"http://127.0.0.1:{ports[0]}", boss, 30) as first,
            HubClient(f"http://127.0.0.1:{ports[1]}", boss, 30) as second,
        ):
            assert (
                len(first.conflicts(limit=5000).conflicts)
                == len(second.conflicts(limit=5000).conflicts)
                == 40 * (len(names) - 1)
            )
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(10)
        log.close()
