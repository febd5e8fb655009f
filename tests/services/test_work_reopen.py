"""Reopening a closed item: audited, in the history with its reason, reported to the hook."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.services.helpers import MovableClock, appointment, callback, practice
from tests.support.consoles import NOW
from vmadesk.domain.vocabulary import CloseReason, Lane, Outcome, ReopenReason
from vmadesk.services.errors import ActionRefused
from vmadesk.services.work import WorkService
from vmadesk.store import history, items
from vmadesk.store.profile import UnlockedProfile


def test_reopen_cancelled_item_records_reason_audit_and_hook(new_profile: UnlockedProfile) -> None:
    seen: list[tuple[str, dict[str, Any], str]] = []
    work = WorkService(
        new_profile.conn,
        vma="ana.r",
        clock=MovableClock(NOW),
        on_change=lambda _c, item, action, details: seen.append((action, details, item.status)),
    )
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    work.cancel(item_id, CloseReason.DUPLICATE)
    work.reopen(item_id, ReopenReason.CLOSED_BY_MISTAKE, "  wrong row  ")

    row = items.get_item(new_profile.conn, item_id)
    assert (row.status, row.closed_at, row.status_reason) == ("requested", None, None)
    assert seen[-1] == ("reopened", {"reason": "closed_by_mistake"}, "requested")
    last = new_profile.conn.execute(
        "SELECT event, item_id, details FROM audit ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert last[0] == "item_changed" and last[1] == item_id
    assert json.loads(last[2]) == {
        "action": "reopened",
        "reason": "closed_by_mistake",
        "status": "requested",
    }
    notes = history.notes_for(new_profile.conn, item_id)
    assert [(n.action, n.reason, n.text) for n in notes][-1] == (
        "reopen",
        "closed_by_mistake",
        "wrong row",
    )


def test_reopen_clears_the_outcome_and_keeps_the_attempts(new_profile: UnlockedProfile) -> None:
    work = WorkService(new_profile.conn, vma="ana.r", clock=MovableClock(NOW))
    item_id = appointment(new_profile.conn, practice(new_profile.conn), Lane.CONFIRMATION)
    work.record_outcome(item_id, Outcome.CONFIRMED, identity_verified=True)
    work.reopen(item_id, ReopenReason.WRONG_OUTCOME)
    row = items.get_item(new_profile.conn, item_id)
    assert (row.status, row.outcome, row.outcome_json) == ("requested", None, None)
    assert [a.outcome for a in history.attempts_for(new_profile.conn, item_id)] == ["confirmed"]


def test_reopen_refuses_an_open_item_and_changes_nothing(new_profile: UnlockedProfile) -> None:
    work = WorkService(new_profile.conn, vma="ana.r", clock=MovableClock(NOW))
    item_id = callback(new_profile.conn, practice(new_profile.conn))
    before = new_profile.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    with pytest.raises(ActionRefused, match="still open"):
        work.reopen(item_id, ReopenReason.OTHER)
    assert new_profile.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    assert history.notes_for(new_profile.conn, item_id) == []
