"""Escalation badges for many items at once: one statement, however many ids."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest

from vmadesk.services.demo import fill_demo
from vmadesk.store import escalations
from vmadesk.store.profile import UnlockedProfile

NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def test_badges_for_more_ids_than_default_sqlite_variables(new_profile: UnlockedProfile) -> None:
    fill_demo(new_profile, items=60, seed=7, now=NOW)
    conn = new_profile.conn
    escalated = escalations.latest_states(conn, range(1, 61))
    assert escalated, "the demo profile has escalations"
    # End shift asks for every open item of a large profile (beyond 32,766 variables).
    many = [*range(100_000, 140_000), *escalated]
    assert escalations.latest_states(conn, many) == escalated
    assert escalations.latest_states(conn, []) == {}


def test_the_latest_escalation_state_wins(new_profile: UnlockedProfile) -> None:
    fill_demo(new_profile, items=60, seed=7, now=NOW)
    conn = new_profile.conn
    rows = conn.execute("SELECT item_id, state FROM escalations ORDER BY raised_at, id").fetchall()
    expected = dict(rows)  # later rows overwrite earlier ones
    assert escalations.latest_states(conn, (i for i in expected)) == expected


def _rss_mb() -> float:
    import ctypes
    import os

    ctypes.CDLL("libc.so.6").malloc_trim(0)  # freed heap back to the system first
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and glibc")
def test_a_shift_of_badge_lookups_does_not_pile_up_statements(
    new_profile: UnlockedProfile,
) -> None:
    """Each count of ids once made its own statement, kept in the connection's cache."""
    conn = new_profile.conn
    ids = list(range(1, 5_001))
    escalations.latest_states(conn, ids)
    before = _rss_mb()
    for n in range(100):  # End shift as the open items dwindle: a new count each time
        escalations.latest_states(conn, ids[: len(ids) - n])
    assert _rss_mb() - before < 20  # a statement per count: ~0.8 MB each, ~80 MB
