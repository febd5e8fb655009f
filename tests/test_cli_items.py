"""``vmadesk items`` and ``vmadesk item ID ACTION`` through ``vmadesk.cli.main``.

Real encrypted profiles, the real services, and (for enrolled profiles) a real hub over loopback
on SQLite and PostgreSQL: a VMA's script works items, syncs, and the hub holds the events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.support.consoles import (
    CANARIES,
    CANARY_FAMILY,
    NOW,
    Console,
    MovableClock,
    add_test_practice,
    new_console,
)
from tests.support.hub import HubFixture, db_url, hub
from vmadesk.domain.vocabulary import Outcome
from vmadesk.services.practice_setup import load_context
from vmadesk.store import history, items
from vmadesk.store import profile as profiles

__all__ = ["db_url", "hub"]

#: Text of a note file: it must reach the encrypted history and nothing else.
NOTE_CANARY = "Patient Quimby says the 4th floor clinic, 555-0199"


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.delenv("VMADESK_TEAM_SECRET", raising=False)
    yield


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """A profile of ana.r with five confirmation items (patient canaries), not enrolled."""
    made = new_console(tmp_path / "ana", "ana")
    made.import_appointments(range(5))
    made.close()
    yield _reopen(tmp_path / "ana")


def _reopen(directory: Path, handle: str = "ana") -> Console:
    profile = profiles.unlock(directory, passphrase=PASSPHRASE, use_keychain=False)
    return Console(profile, handle, MovableClock(NOW), load_context(profile.conn, 1))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _changes(console: Console) -> int:
    """Audit entries other than the unlocks every command makes."""
    return int(
        console.conn.execute(
            "SELECT count(*) FROM audit WHERE event NOT IN ('unlock_ok', 'unlock_failed')"
        ).fetchone()[0]
    )


def _ids(console: Console) -> list[int]:
    return [r[0] for r in console.conn.execute("SELECT id FROM items ORDER BY id")]


def test_items_lists_codes_and_instants_without_the_patient(console, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = str(console.profile.directory)
    console.close()
    code, out, _ = _run(capsys, "items", "--profile", prof, "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 5
    first = rows[0]
    assert {"id", "lane", "status", "due", "holder", "practice"} <= set(first)
    assert first["lane"] == "confirmation" and first["status"] == "requested"
    assert first["holder"] == "ana.r" and first["practice"] == "p1"
    assert first["due"].endswith("Z") and "T" in first["due"]
    for canary in CANARIES:
        assert canary not in out
    code, text, _ = _run(capsys, "items", "--profile", prof, "--lane", "confirmation")
    assert code == 0 and "Confirmations" in text and "Requested" in text
    assert CANARY_FAMILY not in text
    code, _, _ = _run(capsys, "items", "--profile", prof, "--lane", "eligibility", "--json")
    assert code == 0


def test_show_patient_prints_and_audits_the_listing(console, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = str(console.profile.directory)
    before = _changes(console)
    console.close()
    code, out, _ = _run(capsys, "items", "--profile", prof, "--json")
    assert code == 0 and "patient" not in json.loads(out)[0]
    code, out, _ = _run(capsys, "items", "--profile", prof, "--json", "--show-patient")
    assert code == 0
    assert all(CANARY_FAMILY in row["patient"] for row in json.loads(out))
    console = _reopen(Path(prof))
    try:
        event, details = console.conn.execute(
            "SELECT event, details FROM audit WHERE event = 'export' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert _changes(console) == before + 1
    finally:
        console.close()
    assert event == "export" and json.loads(details)["items"] == 5


def test_attempt_with_a_note_file_keeps_the_note_only_in_the_store(console, capsys, tmp_path):  # type: ignore[no-untyped-def]
    prof = str(console.profile.directory)
    first = _ids(console)[0]
    console.close()
    note = tmp_path / "note.txt"
    note.write_text(NOTE_CANARY + "\n", encoding="utf-8")
    code, out, err = _run(
        capsys, "item", str(first), "attempt", "no_answer", "--note-file", str(note),
        "--profile", prof,
    )  # fmt: skip
    assert code == 0, err
    assert "No answer" in out and "attempt 1" in out
    assert NOTE_CANARY not in out + err
    console = _reopen(Path(prof))
    try:
        attempts = history.attempts_for(console.conn, first)
        assert [(a.outcome, a.note) for a in attempts] == [("no_answer", NOTE_CANARY)]
        assert items.get_item(console.conn, first).status == "in-progress"
    finally:
        console.close()
    # Nowhere outside the encrypted profile (logs, settings, temp) holds the note.
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != note and "ana" not in path.relative_to(tmp_path).parts:
            assert NOTE_CANARY.encode() not in path.read_bytes(), path


def test_outcome_complete_fail_cancel(console, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = str(console.profile.directory)
    a, b, c, d, _ = _ids(console)
    console.close()
    assert _run(capsys, "item", str(a), "attempt", "confirmed", "--identity-verified",
                "--profile", prof)[0] == 0  # fmt: skip
    assert _run(capsys, "item", str(b), "complete", "--profile", prof)[0] == 0
    assert _run(capsys, "item", str(c), "fail", "--profile", prof)[0] == 0
    code, out, _ = _run(
        capsys, "item", str(d), "cancel", "--reason", "duplicate", "--profile", prof
    )
    assert code == 0 and "Duplicate" in out
    code, out, _ = _run(capsys, "items", "--profile", prof, "--status", "done", "--json")
    done = {row["id"]: (row["status"]) for row in json.loads(out)}
    assert done == {a: "completed", b: "completed", c: "failed", d: "cancelled"}
    code, out, _ = _run(capsys, "items", "--profile", prof, "--json")
    assert [row["status"] for row in json.loads(out)] == ["requested"]
    console = _reopen(Path(prof))
    try:
        row = items.get_item(console.conn, d)
        assert (row.status, row.status_reason) == ("cancelled", "duplicate")
        assert items.get_item(console.conn, a).outcome == "confirmed"
    finally:
        console.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["item", "999", "complete"],
        ["item", "1", "attempt", "reached"],  # identity not checked
        ["item", "1", "attempt", "callback_requested"],  # no time
        ["item", "1", "attempt", "coverage_active", "--identity-verified"],  # not this lane's
        ["item", "1", "cancel"],  # no reason
        ["item", "1", "complete", "--reason", "other"],
        ["item", "1", "fail", "--reason", "duplicate"],
        ["item", "1", "attempt", "no_answer", "--note-file", "/no/such/note.txt"],
        ["items", "--practice", "nowhere"],
    ],
)
def test_refused_input_exits_2_and_changes_nothing(console, capsys, argv) -> None:  # type: ignore[no-untyped-def]
    prof = str(console.profile.directory)
    head = _changes(console)
    console.close()
    code, out, err = _run(capsys, *argv, "--profile", prof)
    assert code == 2, (out, err)
    assert err.startswith("vmadesk: ") and "Traceback" not in err
    console = _reopen(Path(prof))
    try:
        assert _changes(console) == head
        assert history.attempts_for(console.conn, 1) == []
        assert items.get_item(console.conn, 1).status == "requested"
    finally:
        console.close()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["item", "x1", "complete"], "not an item id"),
        (["item", "1", "attempt", "answered"], "not an outcome"),
        (["item", "1", "cancel", "--reason", "bored"], "not a close reason"),
        (["items", "--lane", "billing"], "not a lane"),
        (["items", "--status", "mine"], "invalid choice"),
        (["item", "1", "attempt", "callback_requested", "--callback-at", "2026-03-04T09:30"],
         "offset"),
    ],
)  # fmt: skip
def test_bad_codes_are_refused_by_the_parser(console, capsys, argv, words) -> None:  # type: ignore[no-untyped-def]
    prof = str(console.profile.directory)
    console.close()
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--profile", prof])
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err


def test_an_item_held_by_another_vma_is_listed_as_held_and_not_worked(
    hub: HubFixture, tmp_path, capsys
):  # type: ignore[no-untyped-def]
    ana = new_console(tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"])
    ben = new_console(tmp_path / "ben", "ben", hub_url=hub.base_url, token=hub.tokens["ben"])
    try:
        ana.import_appointments(range(2))
        ben.import_appointments(range(3))
    finally:
        ana.close()
        ben.close()
    prof_a, prof_b = str(tmp_path / "ana"), str(tmp_path / "ben")
    assert _run(capsys, "sync", "--profile", prof_a)[0] == 0
    assert _run(capsys, "sync", "--profile", prof_b)[0] == 0
    code, out, _ = _run(capsys, "items", "--profile", prof_b, "--status", "held", "--json")
    held = json.loads(out)
    assert code == 0 and len(held) == 2
    assert {row["holder"] for row in held} == {"ana"} and {row["held"] for row in held} == {
        "others"
    }
    assert all(row["status"] == "requested" and row["held_since"] for row in held)
    code, out, _ = _run(capsys, "items", "--profile", prof_b, "--json")
    assert len(json.loads(out)) == 1
    code, _, err = _run(capsys, "item", str(held[0]["id"]), "attempt", "no_answer",
                        "--profile", prof_b)  # fmt: skip
    assert code == 2 and "held by ana;" in err and "take it over" in err
    assert err.lower().count(f"item {held[0]['id']} ") == 1  # named once, not "item 3: Item 3"
    code, text, _ = _run(capsys, "items", "--profile", prof_b, "--status", "held")
    assert "another VMA" in text
    assert "2 held by others · 0 in handoff" in text  # the status bar's figures


def test_enrolled_profile_queues_the_events_the_hub_receives(hub: HubFixture, tmp_path, capsys):  # type: ignore[no-untyped-def]
    ana = new_console(tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"])
    try:
        ids = ana.import_appointments(range(3))
    finally:
        ana.close()
    prof = str(tmp_path / "ana")
    assert _run(capsys, "sync", "--profile", prof)[0] == 0
    before = hub.count("item_events")
    assert _run(capsys, "item", str(ids[0]), "attempt", "no_answer", "--profile", prof)[0] == 0
    assert _run(capsys, "item", str(ids[1]), "cancel", "--reason", "no_longer_needed",
                "--profile", prof)[0] == 0  # fmt: skip
    assert _run(capsys, "item", str(ids[2]), "attempt", "confirmed", "--identity-verified",
                "--profile", prof)[0] == 0  # fmt: skip
    code, _, err = _run(capsys, "sync", "--profile", prof)
    assert code == 0, err
    with hub.engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(
            text("SELECT event, outcome, close_reason FROM item_events ORDER BY id")
        ).fetchall()
    new = [tuple(r) for r in rows[before:]]
    assert ("first_attempt", "no_answer", None) in new
    assert ("cancelled", None, "no_longer_needed") in new
    assert ("completed", "confirmed", None) in new
    assert hub.count("item_events") == before + 3
    dump = hub.dump()
    for canary in CANARIES:
        assert canary not in dump


def test_takeover_style_action_plugs_in_with_one_call(console, capsys) -> None:  # type: ignore[no-untyped-def]
    """A group module adds ``item ID <action>`` through :func:`item_actions.add_item_action`."""
    import argparse

    from vmadesk.cli import item_actions

    seen: list[tuple[int, str]] = []

    def run(command: item_actions.ItemCommand, args) -> int:  # type: ignore[no-untyped-def]
        seen.append((command.item.id, args.reason.value))
        return 0

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    p = item_actions.add_item_action(sub, "poke", help="test action", run=run, own_only=False)
    p.add_argument("--reason", required=True, type=item_actions.code_type(Outcome, "an outcome"))
    prof = str(console.profile.directory)
    console.close()
    args = parser.parse_args(["item", "2", "poke", "--reason", "busy", "--profile", prof])
    assert args.func(args) == 0
    assert seen == [(2, "busy")]
    assert _run(capsys, "item", "2", "complete", "--profile", prof)[0] == 0


def test_items_on_an_empty_profile(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    made = new_console(tmp_path / "empty", "ana")
    add_test_practice(made.conn, "p2")
    made.close()
    code, out, _ = _run(capsys, "items", "--profile", str(tmp_path / "empty"))
    assert code == 0 and "No open items" in out
    code, out, _ = _run(capsys, "items", "--profile", str(tmp_path / "empty"), "--json")
    assert json.loads(out) == []


def test_items_in_a_handoff_are_held_until_acknowledged(console, capsys) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.domain.handoff_notes import ActionStep, HandoffNote
    from vmadesk.domain.vocabulary import Priority
    from vmadesk.services.handoff import HandoffService

    prof = str(console.profile.directory)
    first = _ids(console)[0]
    note = HandoffNote(
        Priority.WATCH, "Confirm by noon", (ActionStep("Call at 11"),), "If x then y"
    )
    HandoffService(console.conn, vma=console.vma, clock=console.clock).seal_packet(
        "bo.k", {first: note}, "", one_time_code=True
    )
    console.close()
    code, out, _ = _run(capsys, "items", "--profile", prof, "--status", "held", "--json")
    held = json.loads(out)
    assert code == 0 and [row["id"] for row in held] == [first]
    assert held[0]["holder"] == "ana.r" and held[0]["handoff_to"] == "bo.k"
    assert held[0]["held"] == "handoff"
    code, out, _ = _run(capsys, "items", "--profile", prof, "--json")
    assert first not in [row["id"] for row in json.loads(out)]
    code, out, _ = _run(capsys, "items", "--profile", prof, "--status", "all", "--json")
    assert len(json.loads(out)) == 5


def test_reopen_a_closed_item_with_a_reason(console, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    prof = str(console.profile.directory)
    first, second = _ids(console)[:2]
    console.close()
    assert _run(capsys, "item", str(first), "cancel", "--reason", "duplicate",
                "--profile", prof)[0] == 0  # fmt: skip
    note = tmp_path / "why.txt"
    note.write_text(NOTE_CANARY, encoding="utf-8")
    code, _, err = _run(capsys, "item", str(first), "reopen", "--profile", prof)
    assert code == 2 and "reopen needs --reason" in err and "closed_by_mistake" in err
    code, out, err = _run(capsys, "item", str(first), "reopen", "--reason", "closed_by_mistake",
                          "--note-file", str(note), "--profile", prof)  # fmt: skip
    assert code == 0, err
    assert "now requested" in out and NOTE_CANARY not in out + err
    code, _, err = _run(capsys, "item", str(second), "reopen", "--reason", "other",
                        "--profile", prof)  # fmt: skip
    assert code == 2 and "still open" in err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["item", str(first), "reopen", "--reason", "duplicate", "--profile", prof])
    assert exit_info.value.code == 2 and "not a reopen reason" in capsys.readouterr().err
    console = _reopen(Path(prof))
    try:
        row = items.get_item(console.conn, first)
        assert (row.status, row.status_reason) == ("requested", None)
        events = [(n.action, n.reason, n.text) for n in history.notes_for(console.conn, first)]
        assert ("reopen", "closed_by_mistake", NOTE_CANARY) in events
    finally:
        console.close()
    code, out, _ = _run(capsys, "items", "--profile", prof, "--json")
    assert first in [row["id"] for row in json.loads(out)]


def test_a_reader_that_goes_away_is_no_error(tmp_path: Path) -> None:
    """`vmadesk items | head`: the closed pipe ends the command quietly, exit 0."""
    import os
    import subprocess
    import sys

    prof = tmp_path / "p"
    env = {
        **os.environ,
        "VMADESK_PASSPHRASE": "pipe test passphrase",
        "XDG_DATA_HOME": str(tmp_path),
    }
    run = [sys.executable, "-m", "vmadesk"]
    subprocess.run([*run, "demo", "--profile", str(prof), "--items", "3000"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    reader = subprocess.Popen([*run, "items", "--profile", str(prof), "--status", "all"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert reader.stdout is not None
    reader.stdout.readline()
    reader.stdout.close()  # as `head -1` does
    _, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    assert b"Broken pipe" not in err and b"Traceback" not in err
