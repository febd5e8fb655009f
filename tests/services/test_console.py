"""The headless Console: one constructor, the hub hooks decided once, a worker's own connection."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.services.helpers import MovableClock, callback, practice
from tests.services.import_samples import NOW, bundle, visit, write
from tests.support.consoles import offline_enrol
from vmadesk.domain.vocabulary import CloseReason
from vmadesk.services.console import Console
from vmadesk.store.profile import UnlockedProfile


def _outbox(console: Console) -> int:
    return int(console.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])


def test_offline_profile_gets_no_hub_hooks(new_profile: UnlockedProfile) -> None:
    console = Console(new_profile, clock=MovableClock(NOW), local_tz="UTC")
    item_id = callback(console.conn, practice(console.conn))
    console.work.cancel(item_id, CloseReason.DUPLICATE)

    assert (console.enrolled, console.change_hook, console.escalation_hook) == (False, None, None)
    assert console.hub_config() is None
    assert console.work.on_change is None and _outbox(console) == 0


def test_enrolled_profile_queues_every_change_through_its_services(
    new_profile: UnlockedProfile,
) -> None:
    offline_enrol(new_profile.conn)
    console = Console(new_profile, clock=MovableClock(NOW), local_tz="UTC")
    item_id = callback(console.conn, practice(console.conn))

    console.work.cancel(item_id, CloseReason.DUPLICATE)

    assert console.enrolled and console.hub_config() is not None
    assert console.work.on_change is console.change_hook is not None
    assert console.escalations.on_change is console.escalation_hook is not None
    assert console.handoffs.on_change is console.change_hook
    assert _outbox(console) > 0


def test_worker_console_has_its_own_connection_and_the_same_hooks(
    new_profile: UnlockedProfile,
) -> None:
    offline_enrol(new_profile.conn)
    console = Console(new_profile, clock=MovableClock(NOW), local_tz="UTC")
    item_id = callback(console.conn, practice(console.conn))
    before = _outbox(console)
    seen: list[bool] = []

    def job() -> None:
        with console.for_worker() as worker:
            seen.append(worker.conn is not console.conn)
            seen.append(worker.change_hook is not None and worker.clock is console.clock)
            worker.work.cancel(item_id, CloseReason.DUPLICATE)

    thread = threading.Thread(target=job)
    thread.start()
    thread.join()

    assert seen == [True, True]
    assert _outbox(console) > before  # the worker's change queued its hub message too
    assert (
        console.conn.execute("SELECT status FROM items WHERE id = ?", (item_id,)).fetchone()[0]
        == "cancelled"
    )


def test_imports_through_the_console_queue_claims_once_enrolled(
    new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    offline_enrol(new_profile.conn)
    console = Console(new_profile, clock=MovableClock(NOW), local_tz="UTC")
    path = write(tmp_path / "today.json", bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2")))

    assert console.imports.file(path, dry_run=True).created == 4
    assert console.sync.pending() == 0  # a dry run writes nothing, queues nothing
    report = console.imports.file(path)

    kinds = [k for (k,) in console.conn.execute("SELECT kind FROM outbox")]
    assert report.created == 4 and kinds.count("claim") == 4
    assert console.sync.pending() == len(kinds)
    assert console.profiles.directory == new_profile.directory
    assert console.profiles.info()["open_items"]["confirmation"] >= 1
