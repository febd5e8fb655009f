"""``vmadesk enroll | sync | summary | hub …`` via ``vmadesk.cli.main``: real hub, real profiles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.support.consoles import (
    CANARIES,
    NOW,
    TEAM_CODE,
    Console,
    MovableClock,
    add_test_practice,
)
from tests.support.hub import ThreadedHub, db_url, hub
from vmadesk.domain.vocabulary import Outcome
from vmadesk.hub.db import make_engine
from vmadesk.store import profile as profiles

__all__ = ["db_url", "hub"]


@pytest.fixture
def sync_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.delenv("VMADESK_TEAM_SECRET", raising=False)
    yield


def _profile(directory: Path, handle: str = "ana") -> None:
    from tests.conftest import FAST_KDF

    profile, _ = profiles.create(
        directory, PASSPHRASE, vma_handle=f"{handle}.r", keychain_choice="no", kdf=FAST_KDF
    )
    add_test_practice(profile.conn)
    profile.close()


def _console(directory: Path) -> Console:
    profile = profiles.unlock(directory, passphrase=PASSPHRASE, use_keychain=False)
    from vmadesk.services.practice_setup import load_context

    return Console(profile, "ana", MovableClock(NOW), load_context(profile.conn, 1))


def test_enroll_sync_summary(sync_cli, hub, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = tmp_path / "prof"
    _profile(prof)
    assert cli.main(["enroll", "--profile", str(prof), "--hub", hub.base_url,
                     "--token=not-a-token", "--team-secret-code", TEAM_CODE]) == 2  # fmt: skip
    assert "refused" in capsys.readouterr().err
    token = "--token=" + hub.tokens["ana"]
    assert cli.main(["enroll", "--profile", str(prof), "--hub", hub.base_url,
                     token, "--team-secret-code", "short"]) == 2  # fmt: skip
    assert cli.main(["enroll", "--profile", str(prof), "--hub", hub.base_url,
                     token, "--team-secret-code", TEAM_CODE]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Enrolled as ana (vma)" in out and "Team secret received (code)" in out
    assert hub.tokens["ana"] not in out
    console = _console(prof)
    try:
        ids = console.import_appointments(range(5))
        console.work().log_attempt(ids[0], Outcome.NO_ANSWER)
    finally:
        console.close()
    assert cli.main(["summary", "--profile", str(prof)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["kind"] == "summary" and summary["audit_head"]["seq"] > 0
    assert any(lane["lane"] == "confirmation" for lane in summary["lanes"])
    text_out = json.dumps(summary)
    for canary in CANARIES:
        assert canary not in text_out
    assert cli.main(["sync", "--profile", str(prof)]) == 0
    assert "0 pending" in capsys.readouterr().out
    assert hub.count("item_events") == 6 and hub.count("claims") == 5


def test_sync_with_hub_down_then_back(sync_cli, db_url, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    server = ThreadedHub(db_url).start()
    port = server.port
    engine = make_engine(db_url)
    from vmadesk.hub import auth

    with engine.begin() as conn:
        token = auth.create_account(conn, "ana", "vma")
    prof = tmp_path / "prof"
    _profile(prof)
    try:
        assert cli.main(["enroll", "--profile", str(prof), "--hub", server.base_url,
                         f"--token={token}", "--team-secret-code", TEAM_CODE]) == 0  # fmt: skip
        server.stop()
        # a simulated day of work while the hub is down
        console = _console(prof)
        try:
            ids = console.import_appointments(range(120))
            work = console.work()
            for item_id in ids:
                work.log_attempt(item_id, Outcome.NO_ANSWER)
                console.clock.advance(minutes=2)
            for item_id in ids[:60]:
                work.record_outcome(item_id, Outcome.CONFIRMED, identity_verified=True)
            waiting = console.conn.execute(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
            ).fetchone()[0]
        finally:
            console.close()
        assert waiting == 120 * 2 + 120 + 60 * 2  # imported+claim, attempt, completed+release
        capsys.readouterr()
        assert cli.main(["sync", "--profile", str(prof)]) == 1
        err = capsys.readouterr().err
        assert f"{waiting + 1} messages wait" in err  # + the summary queued this round
        assert "none lost" in err
        server = ThreadedHub(db_url, port=port).start()
        assert cli.main(["sync", "--profile", str(prof)]) == 0
        assert "0 pending" in capsys.readouterr().out
        with engine.connect() as conn:
            events = conn.execute(text("SELECT count(*) FROM item_events")).scalar()
            claims = conn.execute(text("SELECT count(*) FROM claims")).scalar()
            done = conn.execute(text("SELECT count(*) FROM claims WHERE state = 'done'")).scalar()
            summaries = conn.execute(text("SELECT count(*) FROM summaries")).scalar()
        # completed work stays claimed, as done work; a summary with every round (the one
        # queued while the hub was down, and this round's)
        assert (events, claims, done, summaries) == (120 + 120 + 60, 120, 60, 2)
        assert cli.main(["sync", "--profile", str(prof)]) == 0  # nothing twice
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM item_events")).scalar() == 300
    finally:
        server.stop()
        engine.dispose()


def test_sync_not_enrolled_is_bad_input(sync_cli, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = tmp_path / "prof"
    _profile(prof)
    assert cli.main(["sync", "--profile", str(prof)]) == 2
    assert "not enrolled" in capsys.readouterr().err


def test_hub_admin_commands(sync_cli, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert cli.main(["hub", "add-user", "ana", "--role", "vma", "--db", db]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(token) >= 43
    assert token.encode() not in (tmp_path / "hub.sqlite3").read_bytes()
    assert cli.main(["hub", "add-user", "ana", "--role", "vma", "--db", db]) == 2
    assert cli.main(["hub", "add-user", "Ana Smith", "--role", "vma", "--db", db]) == 2
    assert cli.main(["hub", "revoke", "ana", "--db", db]) == 0
    assert cli.main(["hub", "revoke", "ana", "--db", db]) == 2
    capsys.readouterr()
    assert cli.main(["hub", "serve", "--db", db, "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "refusing plain HTTP" in capsys.readouterr().err
    out = tmp_path / "openapi.json"
    assert cli.main(["hub", "openapi", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["openapi"].startswith("3.")
    assert cli.main(["hub", "openapi"]) == 0
    assert '"/v1/messages"' in capsys.readouterr().out


def test_supervisor_issues_the_team_secret_sealed(sync_cli, hub, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from vmadesk.sync.enrolment import is_enrolled, team_secret

    boss_token = hub.tokens["sue"]
    vma, boss = tmp_path / "ana", tmp_path / "sue"
    _profile(vma)
    _profile(boss, "sue")
    assert cli.main(["enroll", "--profile", str(vma), "--hub", hub.base_url,
                     "--token=" + hub.tokens["ana"]]) == 0  # fmt: skip
    assert "has not arrived yet" in capsys.readouterr().out
    assert cli.main(["enroll", "--profile", str(boss), "--hub", hub.base_url,
                     "--token=" + boss_token]) == 0  # fmt: skip
    capsys.readouterr()
    assert cli.main(["team-secret", "--profile", str(boss), "--print-code"]) == 0
    out = capsys.readouterr().out
    assert "sealed to 1 console(s): ana" in out and "Enrolment code" in out
    assert cli.main(["sync", "--profile", str(vma)]) == 0
    a = profiles.unlock(vma, passphrase=PASSPHRASE, use_keychain=False)
    s = profiles.unlock(boss, passphrase=PASSPHRASE, use_keychain=False)
    try:
        assert is_enrolled(a.conn)
        assert team_secret(a.conn) == team_secret(s.conn) is not None
        secret = team_secret(s.conn)
    finally:
        a.close()
        s.close()
    assert secret not in hub.dump().encode() and secret.hex() not in hub.dump()


def _enroll(prof: Path, hub_url: str, token: str, *extra: str) -> int:
    return cli.main(
        ["enroll", "--profile", str(prof), "--hub", hub_url, f"--token={token}", *extra]
    )


def test_reenrolment_as_another_account_needs_replace(sync_cli, hub, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = tmp_path / "prof"
    _profile(prof)
    assert _enroll(prof, hub.base_url, hub.tokens["ana"], "--team-secret-code", TEAM_CODE) == 0
    capsys.readouterr()
    assert _enroll(prof, hub.base_url, hub.tokens["ben"]) == 2
    err = capsys.readouterr().err
    assert f"enrolled as ana (vma) at {hub.base_url}" in err and "--replace" in err
    assert _enroll(prof, hub.base_url + "/", hub.tokens["ana"]) == 0  # same account: fine
    assert "Team secret already held" in capsys.readouterr().out
    assert _enroll(prof, hub.base_url, hub.tokens["ben"], "--replace") == 0
    assert "Enrolled as ben (vma)" in capsys.readouterr().out
    profile = profiles.unlock(prof, passphrase=PASSPHRASE, use_keychain=False)
    try:
        from vmadesk.sync.enrolment import hub_config

        config = hub_config(profile.conn)
        assert config is not None and config.handle == "ben"
    finally:
        profile.close()


def test_supervisor_token_on_a_vma_work_queue_is_refused(sync_cli, hub, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    prof = tmp_path / "prof"
    _profile(prof)
    console = _console(prof)
    try:
        console.import_appointments(range(3))  # open VMA work, not enrolled yet
    finally:
        console.close()
    assert _enroll(prof, hub.base_url, hub.tokens["sue"]) == 2
    err = capsys.readouterr().err
    assert "3 open items" in err and "supervisor sue" in err and "--as-supervisor" in err
    profile = profiles.unlock(prof, passphrase=PASSPHRASE, use_keychain=False)
    try:
        from vmadesk.sync.enrolment import hub_config

        assert hub_config(profile.conn) is None  # refused: nothing stored
    finally:
        profile.close()
    assert hub.count("public_keys") == 0  # … and nothing registered at the hub
    assert _enroll(prof, hub.base_url, hub.tokens["sue"], "--as-supervisor") == 0
    assert "Enrolled as sue (supervisor)" in capsys.readouterr().out


def test_supervisor_without_a_secret_is_told_to_create_it(sync_cli, hub, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    boss = tmp_path / "sue"
    _profile(boss, "sue")
    assert _enroll(boss, hub.base_url, hub.tokens["sue"]) == 0
    out = capsys.readouterr().out
    assert f"vmadesk team-secret --profile {boss}" in out
    assert "ask your supervisor" not in out
