"""A confirmation the practice's own system reported is not a VMA's completion in summaries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.services.import_samples import NOW, bundle, run, visit, write
from tests.services.test_import_rules import _confirmed_import
from vmadesk import wire
from vmadesk.domain.vocabulary import Lane, Outcome
from vmadesk.services.work import WorkService
from vmadesk.store.profile import UnlockedProfile
from vmadesk.sync.summary import build_summary


def test_practice_confirmed_items_are_closed_but_not_counted_as_completed_work(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    conn = new_profile.conn
    doc = bundle(*visit("a1"), *visit("a2", pid="p2"))
    run(new_profile, write(tmp_path / "1.json", doc))
    # The VMA confirms a2 by phone; the practice system then reports a1 confirmed.
    a2 = conn.execute(
        "SELECT id FROM items WHERE source_id = 'a2' AND lane = 'confirmation'"
    ).fetchone()[0]
    later = NOW + timedelta(minutes=30)
    WorkService(conn, vma="ana.r", clock=lambda: later).record_outcome(
        a2, Outcome.CONFIRMED, identity_verified=True
    )
    only_a1 = write(tmp_path / "2.json", bundle(*visit("a1")))
    assert _confirmed_import(new_profile, only_a1, now=later).closed == 1
    summary = build_summary(conn, now=later + timedelta(minutes=1), since=NOW)
    conf = next(lane for lane in summary.lanes if lane.lane is Lane.CONFIRMATION)
    assert conf.by_status[wire.ItemStatus.COMPLETED] == 2  # both are done...
    assert conf.completed_on_time + conf.completed_late == 1  # ...one by the VMA
