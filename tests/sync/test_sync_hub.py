"""Console ↔ hub: enrolment, claims, escalations, handoffs, a killed hub, the PHI boundary.

Every test runs a real hub (uvicorn on loopback) over SQLite, and over PostgreSQL when
``VMADESK_TEST_PG_URL`` is set; consoles are real encrypted profiles.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.support.consoles import (
    CANARIES,
    CANARY_SOURCE_SYSTEM,
    TEAM_CODE,
    TEAM_SECRET,
    RecordingTransport,
    new_console,
)
from tests.support.hub import free_port, start_hub_process
from vmadesk import wire
from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.vocabulary import (
    EscalationCategory,
    EscalationState,
    Lane,
    Outcome,
    Priority,
    Urgency,
)
from vmadesk.hub.cli import add_user
from vmadesk.services.escalation import Sbar
from vmadesk.services.handoff import HandoffService
from vmadesk.services.sync_service import (
    conflicts,
    send_handoff,
    sync_once,
    takeover,
)
from vmadesk.services.worklist import WorkList
from vmadesk.store import audit, escalations, items
from vmadesk.sync import enrolment, outbox
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.item_events import item_pseudonym
from vmadesk.sync.summary import build_summary, next_interval_start


@pytest.fixture
def consoles(hub, tmp_path):  # type: ignore[no-untyped-def]
    made = []

    def make(handle: str, code: str | None = TEAM_CODE):  # type: ignore[no-untyped-def]
        console = new_console(
            tmp_path / f"profile-{handle}",
            handle,
            hub_url=hub.base_url,
            token=hub.tokens[handle],
            code=code,
        )
        made.append(console)
        return console

    yield make
    for console in made:
        console.close()


def test_enrol_stores_settings_and_registers_key(hub, consoles) -> None:  # type: ignore[no-untyped-def]
    ana = consoles("ana")
    config = enrolment.hub_config(ana.conn)
    assert config is not None and (config.handle, config.role) == ("ana", "vma")
    assert enrolment.team_secret(ana.conn) == TEAM_SECRET
    assert hub.client("sue").public_key("ana").handle == "ana"
    assert "team_secret" not in hub.dump() or TEAM_SECRET.hex() not in hub.dump()
    events = [r[0] for r in ana.conn.execute("SELECT details FROM audit WHERE event = 'sync'")]
    assert any('"enrolled"' in e for e in events)


def test_team_secret_sealed_by_supervisor(hub, consoles) -> None:  # type: ignore[no-untyped-def]
    ben = consoles("ben", code=None)
    assert enrolment.team_secret(ben.conn) is None
    assert ben.import_appointments([1]) and outbox.pending_count(ben.conn) == 0  # nothing yet
    sue = consoles("sue", code=None)
    secret = enrolment.issue_team_secret(sue.conn, hub.client("sue"), ["ben"])
    assert enrolment.team_secret(sue.conn) == secret
    result = sync_once(ben.profile)
    assert not result.offline
    assert enrolment.team_secret(ben.conn) == secret
    dump = hub.dump()
    assert secret.hex() not in dump and enrolment.team_secret_code(secret) not in dump


def test_items_reach_hub_and_sigkill_mid_sync_counts_once(hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    db = hub.db_url
    log = (tmp_path / "hub.log").open("wb")
    proc = start_hub_process(db, port, log)
    token = add_user("kim", "vma", db)
    kim = new_console(tmp_path / "kim", "kim", hub_url=f"http://127.0.0.1:{port}", token=token)
    try:
        kim.import_appointments(range(150))
        work = kim.work()
        for item_id in range(1, 151):
            work.log_attempt(item_id, Outcome.NO_ANSWER)
        expected_events = 300
        responses = {"n": 0}

        def kill_after_third(request: httpx.Request, response: httpx.Response) -> None:
            if request.url.path == "/v1/messages":
                responses["n"] += 1
                if responses["n"] == 3:
                    # the hub committed this batch, but the console never hears so
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(10)
                    raise httpx.ReadError("connection reset")

        client = kim.client(RecordingTransport(after=kill_after_third))
        result = sync_once(kim.conn, client, batch_size=40, summary_every=None)
        assert result.offline and result.pending > 0
        waiting = result.pending
        proc = start_hub_process(db, port, log)
        result = sync_once(kim.conn, client, batch_size=40, summary_every=None)
        assert not result.offline and result.pending == 0
        assert result.duplicates >= 40  # the batch the hub committed before it died
        assert result.sent >= waiting
        with hub.engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM item_events WHERE vma = 'kim'")).scalar()
        assert n == expected_events
        # again: nothing left, nothing counted twice
        assert sync_once(kim.conn, client).pending == 0
        with hub.engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM item_events WHERE vma = 'kim'")).scalar()
            held = conn.execute(text("SELECT count(*) FROM claims WHERE holder = 'kim'")).scalar()
        assert n == expected_events and held == 150
    finally:
        kim.close()
        proc.terminate()
        proc.wait(10)
        log.close()


def test_two_consoles_import_the_same_work(hub, consoles) -> None:  # type: ignore[no-untyped-def]
    ana, ben = consoles("ana"), consoles("ben")
    results = {}
    errors = []

    def run(console, numbers) -> None:  # type: ignore[no-untyped-def]
        conn = console.profile.connect()  # this thread's own connection
        client = HubClient(hub.base_url, hub.tokens[console.hub_handle])
        try:
            for chunk in numbers:
                console.import_appointments(chunk, conn=conn)
                results.setdefault(console.hub_handle, []).append(
                    sync_once(conn, client, batch_size=25, summary_every=None)
                )
        except Exception as error:
            errors.append(error)
        finally:
            client.close()
            conn.close()

    chunks = [range(i, i + 20) for i in range(0, 120, 20)]
    threads = [
        threading.Thread(target=run, args=(ana, chunks)),
        threading.Thread(target=run, args=(ben, list(reversed(chunks)))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with hub.engine.connect() as conn:
        holders = dict(conn.execute(text("SELECT pseudonym, holder FROM claims")).all())
    assert len(holders) == 120  # one claim per appointment, one owner each
    total_conflicts = 0
    for console in (ana, ben):
        other = "ben" if console is ana else "ana"
        rows = console.conn.execute(
            "SELECT c.item_id, c.pseudonym, c.state, c.held_by, i.owner FROM claims c"
            " JOIN items i ON i.id = c.item_id"
        ).fetchall()
        assert len(rows) == 120
        for _item_id, code, state, held_by, owner in rows:
            if holders[code] == console.hub_handle:
                assert (state, held_by, owner) == ("held", console.hub_handle, console.vma)
            else:
                assert (state, held_by, owner) == ("conflict", other, other)
        lost = [r for r in rows if r[2] == "conflict"]
        total_conflicts += len(lost)
        visible = conflicts(console.conn)
        assert len(visible) == len(lost)
        worklist = WorkList(console.conn, vma=console.vma)
        assert worklist.count(worklist.query(None)) == 120 - len(lost)
        if lost:
            notes = console.conn.execute(
                "SELECT text FROM notes WHERE item_id = ? AND kind = 'claim'", (lost[0][0],)
            ).fetchall()
            assert f"Held by {other}" in notes[0][0]
            claim_audit = console.conn.execute(
                "SELECT count(*) FROM audit WHERE event = 'claim'"
            ).fetchone()[0]
            assert claim_audit == len(lost)
    assert total_conflicts == 120
    # the supervisor sees the refused claims
    assert len(hub.client("sue").conflicts(limit=999).conflicts) == 120

    # takeover with a reason: recorded at the hub and in the audit, item back in the lanes
    lost_at_ben = [c for c in conflicts(ben.conn)]
    target = lost_at_ben[0]["item_id"]
    result = takeover(ben.conn, ben.client(), target, wire.TakeoverReason.HOLDER_OFF_SHIFT)
    assert result.previous_holder == "ana"
    assert items.get_item(ben.conn, target).owner == ben.vma
    events = hub.client("sue").conflicts(limit=999).conflicts
    assert events[0].kind is wire.ConflictKind.TAKEOVER and events[0].claimant == "ben"
    row = ben.conn.execute(
        "SELECT details FROM audit WHERE event = 'claim' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert "holder_off_shift" in row
    # ana learns on her next sync (heartbeat lost -> re-claim -> held by ben)
    result = sync_once(ana.profile, summary_every=None)
    assert result.lost_claims == 1
    code = item_pseudonym(TEAM_SECRET, items.get_item(ben.conn, target))
    state = ana.conn.execute("SELECT state, held_by FROM claims WHERE pseudonym = ?", (code,))
    assert state.fetchone() == ("taken_over", "ben")


def test_escalation_round_trip(hub, consoles) -> None:  # type: ignore[no-untyped-def]
    ana = consoles("ana")
    (item_id,) = ana.import_appointments([1], Lane.ELIGIBILITY)
    ana.clock.advance(hours=2)
    esc_id = ana.escalations().raise_(
        item_id,
        EscalationCategory.PAYER_BILLING,
        Urgency.URGENT,
        Sbar(f"{CANARIES[0]} says the payer refused", request="call payer"),
    )
    assert not sync_once(ana.profile).offline
    sue = hub.client("sue")
    (record,) = sue.escalations().escalations
    item = items.get_item(ana.conn, item_id)
    assert (record.vma, record.category, record.urgency, record.lane) == (
        "ana",
        EscalationCategory.PAYER_BILLING,
        Urgency.URGENT,
        Lane.ELIGIBILITY,
    )
    assert record.pseudonym == item_pseudonym(TEAM_SECRET, item)
    assert record.age_seconds == 7200
    sue.acknowledge_escalation(record.escalation_id)
    assert sync_once(ana.profile).escalation_updates == 1
    assert escalations.get(ana.conn, esc_id).state == "acknowledged"
    sue.resolve_escalation(record.escalation_id, wire.ResolutionCode.PAYER_CONTACTED)
    assert sync_once(ana.profile).escalation_updates == 1
    row = escalations.get(ana.conn, esc_id)
    assert (row.state, row.resolution_code) == (EscalationState.RESOLVED, "payer_contacted")
    assert sync_once(ana.profile).escalation_updates == 0
    assert audit.verify(ana.conn).ok


def test_handoff_through_the_hub(hub, consoles) -> None:  # type: ignore[no-untyped-def]
    ana, ben = consoles("ana"), consoles("ben")
    a, b = ana.import_appointments([1, 2])
    sync_once(ana.profile)
    notes = {
        a: HandoffNote(Priority.ROUTINE, f"Left voicemail for {CANARIES[0]}"),
        b: HandoffNote(Priority.ROUTINE, "Not reached yet"),
    }
    envelope_id = send_handoff(ana.conn, ana.client(), "ben", notes, "Quiet shift")
    assert outbox.pending_count(ana.conn) == 0
    with hub.engine.connect() as conn:
        sealed_text = conn.execute(text("SELECT sealed FROM handoffs")).scalar_one()
    for canary in CANARIES:
        assert canary not in sealed_text
    assert "Left voicemail" not in sealed_text
    # still ana's at the hub while the packet waits: offered to ben, not released
    with hub.engine.connect() as conn:
        held = conn.execute(
            text("SELECT count(*) FROM claims WHERE holder = 'ana' AND offered_to = 'ben'")
        ).scalar()
    assert held == 2
    result = sync_once(ben.profile)
    assert result.handoffs_received == 1
    service = HandoffService(ben.conn, vma=ben.vma, clock=ben.clock)
    (incoming,) = service.incoming()
    handoff, rows = service.packet(incoming.id)
    assert handoff.sender == ana.vma and len(rows) == 2
    service.acknowledge(rows[0].id, "Call back tomorrow morning")
    service.decline(rows[1].id, "not_my_lane")
    sync_once(ben.profile)  # sends the receipt (counts to the hub, sealed details to ana)
    record = hub.client("ana").handoff(envelope_id)
    assert (record.state, record.acknowledged, record.declined, record.sealed) == (
        wire.HandoffState.RECEIPTED,
        1,
        1,
        None,
    )
    result = sync_once(ana.profile)
    assert result.receipts_applied == 1
    assert items.get_item(ana.conn, a).owner == "ben"  # the receiver, by hub handle
    assert items.get_item(ana.conn, b).owner == ana.vma
    with hub.engine.connect() as conn:
        holder = dict(conn.execute(text("SELECT pseudonym, holder FROM claims")).all())
    assert holder == {
        item_pseudonym(TEAM_SECRET, items.get_item(ana.conn, a)): "ben",  # acknowledged
        item_pseudonym(TEAM_SECRET, items.get_item(ana.conn, b)): "ana",  # declined: back
    }


def test_no_phi_reaches_the_hub(hub, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    port = free_port()
    data_dir = tmp_path / "hubdata"
    data_dir.mkdir()
    db = hub.db_url
    if db.startswith("sqlite"):
        db = f"sqlite:///{data_dir / 'hub.sqlite3'}"
    log_path = data_dir / "hub.log"
    log = log_path.open("wb")
    proc = start_hub_process(db, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        tokens = {name: add_user(name, role, db) for name, role in
                  (("pam", "vma"), ("rob", "vma"), ("sam", "supervisor"))}  # fmt: skip
        recorder = RecordingTransport()
        ana = new_console(tmp_path / "pam", "pam", hub_url=url, token=tokens["pam"])
        ben = new_console(tmp_path / "rob", "rob", hub_url=url, token=tokens["rob"])
        try:
            ids = ana.import_appointments(range(12), Lane.CONFIRMATION)
            ids += ana.import_appointments(range(12), Lane.ELIGIBILITY)
            ben.import_appointments(range(6))
            work = ana.work()
            work.log_attempt(ids[0], Outcome.NO_ANSWER, number_dialled="+15558675309",
                             note=f"{CANARIES[0]} {CANARIES[2]}")  # fmt: skip
            work.record_outcome(ids[1], Outcome.CONFIRMED, identity_verified=True,
                                note=f"spoke to {CANARIES[1]}")  # fmt: skip
            work.record_outcome(
                ids[12],
                Outcome.COVERAGE_ACTIVE,
                details={
                    "plan": CANARIES[9],
                    "copay": "25",
                    "deductible_remaining": "100",
                    "reference_number": CANARIES[6],
                },
            )
            ana.escalations().raise_(
                ids[2], EscalationCategory.PATIENT_COMPLAINT, Urgency.ROUTINE,
                Sbar(f"{CANARIES[0]} born {CANARIES[5]} complains"),
            )  # fmt: skip
            client = ana.client(recorder)
            sync_once(ana.conn, client)
            sync_once(ben.conn, ben.client(recorder))
            send_handoff(ana.conn, client, "rob", {ids[3]: HandoffNote(
                Priority.ROUTINE, f"{CANARIES[0]} {CANARIES[3]}")}, "shift")  # fmt: skip
            sync_once(ben.conn, ben.client(recorder))
            sue = HubClient(url, tokens["sam"], transport=recorder)
            for record in sue.escalations().escalations:
                sue.resolve_escalation(record.escalation_id, wire.ResolutionCode.ADVICE_GIVEN)
            sue.summaries()
            sue.events(limit=999)
            sue.close()
            sync_once(ana.conn, client)
            summary_json = build_summary(
                ana.conn, now=ana.clock(), since=next_interval_start(ana.conn, ana.clock())
            ).model_dump_json()
        finally:
            ana.close()
            ben.close()
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    from vmadesk.hub.db import make_engine, metadata

    engine = make_engine(db)
    dump = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            dump.extend(f"{table.name}: {tuple(row)!r}" for row in conn.execute(table.select()))
    engine.dispose()
    dump_text = "\n".join(dump)
    assert "item_events" in dump_text and "escalations" in dump_text and "summaries" in dump_text
    traffic = b"\n".join(recorder.bodies) + "\n".join(recorder.urls).encode()
    assert b"/v1/messages" in traffic and len(recorder.bodies) > 10
    logs = (
        log_path.read_bytes()
        + "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records).encode()
    )
    files = b"".join(p.read_bytes() for p in Path(data_dir).rglob("*") if p.is_file())
    for canary in CANARIES:
        assert canary not in dump_text, canary
        assert canary.encode() not in traffic, canary
        assert canary.encode() not in logs, canary
        assert canary.encode() not in files, canary
        assert canary not in summary_json, canary
    assert CANARY_SOURCE_SYSTEM not in dump_text  # not even the source system's name


def test_worker_reports_status_without_blocking(hub, consoles) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.services.sync_service import sync_once as round_
    from vmadesk.sync.worker import SyncWorker

    ana = consoles("ana")
    ana.import_appointments(range(5))
    statuses = []
    done = threading.Event()

    def report(status) -> None:  # type: ignore[no-untyped-def]
        statuses.append(status)
        if len(statuses) >= 2:
            done.set()

    worker = SyncWorker(ana.profile.connect, lambda c: round_(c, force=False), report, interval=0.1)
    worker.start()
    assert done.wait(30)
    worker.stop()
    assert not worker.is_alive()
    assert statuses[-1].state == "synced" and statuses[-1].pending == 0
    assert statuses[-1].last_success_at is not None
