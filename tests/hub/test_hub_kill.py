"""A hub SIGKILLed mid-sync and restarted: the console resends, every event counts once."""

from __future__ import annotations

import os
import signal
import threading
import uuid

import pytest

from tests.support.hub import free_port, start_hub_process
from vmadesk import wire
from vmadesk.sync.hub_client import HubClient, HubUnavailable
from vmadesk.sync.pseudonym import pseudonym

pytestmark = pytest.mark.slow


def test_sigkill_mid_sync_counts_each_event_once(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.hub.cli import add_user

    token = add_user("ana", "vma", db_url)
    port = free_port()
    log = (tmp_path / "hub.log").open("wb")
    outbox = [
        [
            wire.Envelope(
                idempotency_key=str(uuid.uuid4()),
                message=wire.ItemEvent(
                    pseudonym=pseudonym(b"x" * 32, "ehr", f"{b}-{i}"),
                    lane=wire.Lane.CALLBACK,
                    event=wire.ItemEventKind.ATTEMPT,
                    outcome=wire.Outcome.NO_ANSWER,
                    seconds_from_due=-i,
                    attempt_count=1,
                ),
            )
            for i in range(100)
        ]
        for b in range(40)
    ]
    proc = start_hub_process(db_url, port, log)
    client = HubClient(f"http://127.0.0.1:{port}", token, 5)
    sent_before_kill = 0
    killed = threading.Event()
    # The kill lands while the console is still sending (a tenth of the outbox has gone
    # through), never at a moment picked by the clock: a fast machine would have finished.
    tenth_sent = threading.Event()

    def killer() -> None:
        tenth_sent.wait(60)
        os.kill(proc.pid, signal.SIGKILL)
        killed.set()

    threading.Thread(target=killer).start()
    failed_at = None
    for index, batch in enumerate(outbox):
        try:
            client.send(batch)
            sent_before_kill += 1
            if sent_before_kill == len(outbox) // 10:
                tenth_sent.set()
        except HubUnavailable:
            failed_at = index
            break
    killed.wait(5)
    proc.wait(5)
    assert failed_at is not None, "the hub was killed after the whole outbox went through"
    # restart on the same database; the console resends everything still in its outbox,
    # including batches the hub may or may not have committed before it died
    proc = start_hub_process(db_url, port, log)
    try:
        results = [client.send(batch) for batch in outbox]
        duplicates = sum(len(r.duplicates) for r in results)
        assert duplicates >= sent_before_kill * 100
        events = client.events(limit=99999).events
        assert len(events) == 40 * 100
        keys = {e.event.pseudonym for e in events}
        assert len(keys) == 40 * 100
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)
        log.close()
