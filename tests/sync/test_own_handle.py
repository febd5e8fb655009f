"""After enrolment the VMA's own work is owned and signed by their hub handle, never the login name.

A profile is created under the login name (``vmadesk profile init`` defaults to it: ``root`` on
a fresh box). The team knows the VMA by the hub handle, so every listing, count and hand-off must
say that, and the login name must never be mistaken for a colleague who happens to carry it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

import vmadesk.cli as cli
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.support.consoles import (
    NOW,
    TEAM_CODE,
    Console,
    MovableClock,
    add_test_practice,
    new_console,
)
from tests.support.hub import db_url, hub
from vmadesk.domain.vocabulary import Lane, Outcome
from vmadesk.services.held_by_others import held_by_others
from vmadesk.services.item_listing import ListFilter, list_items
from vmadesk.services.session import Session
from vmadesk.services.sync_service import sync_once
from vmadesk.store import profile as profiles
from vmadesk.store.settings_store import vma_handle
from vmadesk.sync.summary import build_summary

__all__ = ["db_url", "hub"]


def _login_profile(directory: Path, login: str) -> Console:
    """A profile created under a login name (as ``profile init`` does without ``--vma``)."""
    profile, _ = profiles.create(
        directory, PASSPHRASE, vma_handle=login, keychain_choice="no", kdf=FAST_KDF
    )
    return Console(profile, "ana", MovableClock(NOW), add_test_practice(profile.conn))


def test_enrolment_makes_the_hub_handle_the_owner_everywhere(hub, tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    # The login name on ana's box is "ben": also the handle of a colleague at the hub.
    ana = _login_profile(tmp_path / "ana", "ben")
    ben = new_console(tmp_path / "ben", "ben", hub_url=hub.base_url, token=hub.tokens["ben"])
    try:
        before = ana.import_appointments([1, 2])
        ana.work().log_attempt(before[0], Outcome.NO_ANSWER)
        ana.close()
        token = f"--token={hub.tokens['ana']}"
        argv = ["enroll", "--profile", str(tmp_path / "ana"), "--hub", hub.base_url, token]
        assert cli.main([*argv, "--team-secret-code", TEAM_CODE]) == 0
        # ben (the colleague) holds appointment 3 first; ana's console learns it
        ben.import_appointments([3])
        sync_once(ben.profile, now=ben.clock())
        ana = Console(
            profiles.unlock(tmp_path / "ana", passphrase=PASSPHRASE, use_keychain=False),
            "ana",
            MovableClock(NOW),
            ana.ctx,
        )
        (held,) = ana.import_appointments([3])
        sync_once(ana.profile, now=ana.clock())
        assert vma_handle(ana.conn) == "ana" == Session(ana.profile).vma
        mine = list_items(ana.conn, vma=vma_handle(ana.conn), which=ListFilter.OPEN)
        assert [row.id for row in mine] == before
        assert {row.holder for row in mine} == {"ana"}
        others = list_items(ana.conn, vma=vma_handle(ana.conn), which=ListFilter.HELD)
        assert [(row.id, row.holder) for row in others] == [(held, "ben")]
        assert [(h.item_id, h.held_by) for h in held_by_others(ana.conn)] == [(held, "ben")]
        # the attempt made before enrolment is still ana's on the board
        board = {v.vma: v for v in hub.client("sue").board().vmas}
        lane = {x.lane: x for x in board["ana"].lanes}[Lane.CONFIRMATION]
        assert lane.open == 2
        later = ana.clock() + timedelta(minutes=1)
        figures = build_summary(ana.conn, now=later, since=later - timedelta(days=1))
        confirmation = {x.lane: x for x in figures.lanes}[Lane.CONFIRMATION]
        assert confirmation.attempts_total == 1
        ana.close()
        capsys.readouterr()
        assert cli.main(["items", "--profile", str(tmp_path / "ana"), "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert {row["holder"] for row in rows} == {"ana"}
        assert cli.main(["items", "--profile", str(tmp_path / "ana"), "--status", "all"]) == 0
        out = capsys.readouterr().out
        assert "ben (another VMA)" in out and "  ana  " in out
    finally:
        ana.close()
        ben.close()


@pytest.mark.parametrize("login", ["root"])
def test_work_signed_after_enrolment_uses_the_hub_handle(hub, tmp_path, login) -> None:  # type: ignore[no-untyped-def]
    ana = _login_profile(tmp_path / "ana", login)
    try:
        from vmadesk.services.enrolment import enroll

        enroll(ana.conn, hub.base_url, hub.tokens["ana"], team_secret_code=TEAM_CODE)
        (item,) = ana.import_appointments([1])
        ana.work().log_attempt(item, Outcome.NO_ANSWER)
        authors = {r[0] for r in ana.conn.execute("SELECT author FROM attempts")}
        owners = {r[0] for r in ana.conn.execute("SELECT owner FROM items")}
        assert authors == owners == {"ana"}
    finally:
        ana.close()


def test_a_profile_enrolled_before_adoption_takes_its_hub_handle_at_unlock(tmp_path) -> None:
    """A profile from the previous version (enrolled, items under the login name) is moved."""
    ana = _login_profile(tmp_path / "ana", "root")
    try:
        (item,) = ana.import_appointments([1])
        ana.work().log_attempt(item, Outcome.NO_ANSWER)
        with ana.conn:  # as the previous version left it: enrolled, handle not adopted
            ana.conn.execute("INSERT INTO settings (key, value) VALUES ('hub.handle', 'ana')")
            ana.conn.execute("DROP TABLE handback_rows")
            ana.conn.execute("PRAGMA user_version = 7")
    finally:
        ana.close()
    reopened = profiles.unlock(tmp_path / "ana", passphrase=PASSPHRASE, use_keychain=False)
    try:
        assert vma_handle(reopened.conn) == "ana"
        owners = {r[0] for r in reopened.conn.execute("SELECT owner FROM items")}
        authors = {r[0] for r in reopened.conn.execute("SELECT author FROM attempts")}
        assert owners == authors == {"ana"}
    finally:
        reopened.close()
