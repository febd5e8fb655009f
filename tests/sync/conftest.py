"""The hub fixtures (SQLite always, PostgreSQL when ``VMADESK_TEST_PG_URL`` is set), and a team.

``team(handle)`` gives an enrolled console per hub handle (``ana``, ``ben``; another handle is
added at the hub on first use); every console is closed at the end of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.consoles import TEAM_CODE, Console, new_console
from tests.support.hub import db_url, hub

__all__ = ["Team", "db_url", "hub", "team"]

Team = Callable[[str], Console]


@pytest.fixture
def team(hub, tmp_path) -> Iterator[Team]:  # type: ignore[no-untyped-def]
    """Enrolled consoles by hub handle, made on first use."""
    made: dict[str, Console] = {}

    def make(handle: str) -> Console:
        if handle in made:
            return made[handle]
        if handle not in hub.tokens:
            hub.add(handle)
        made[handle] = new_console(
            tmp_path / f"profile-{handle}",
            handle,
            hub_url=hub.base_url,
            token=hub.tokens[handle],
            code=TEAM_CODE,
        )
        return made[handle]

    yield make
    for console in made.values():
        console.close()
