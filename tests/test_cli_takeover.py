"""``vmadesk item ID takeover --reason CODE``: over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import vmadesk.cli as cli
from tests.conftest import PASSPHRASE
from tests.support.consoles import new_console
from tests.support.hub import db_url, hub
from vmadesk.services.sync_service import sync_once
from vmadesk.store import items
from vmadesk.store import profile as profiles

__all__ = ["db_url", "hub"]


def test_takeover_from_the_command_line(hub, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(profiles.PASSPHRASE_ENV, PASSPHRASE)
    ana = new_console(tmp_path / "ana", "ana", hub_url=hub.base_url, token=hub.tokens["ana"])
    ben = new_console(tmp_path / "ben", "ben", hub_url=hub.base_url, token=hub.tokens["ben"])
    try:
        (a,) = ana.import_appointments([1])
        sync_once(ana.profile)
        (mine,) = ben.import_appointments([1])
        (free,) = ben.import_appointments([2])
        sync_once(ben.profile)
    finally:
        ben.close()
    profile = ["--profile", str(tmp_path / "ben")]
    capsys.readouterr()
    # bad input: exit 2, a clear message, nothing changed
    assert cli.main(["item", str(mine), "takeover", "--reason", "bored", *profile]) == 2
    err = capsys.readouterr().err
    assert "Unknown takeover reason" in err and "other" in err
    assert cli.main(["item", "x1", "takeover", "--reason", "other", *profile]) == 2
    assert "item ID is a number" in capsys.readouterr().err
    assert cli.main(["item", "999", "takeover", "--reason", "other", *profile]) == 2
    assert "no item 999" in capsys.readouterr().err
    assert cli.main(["item", str(free), "takeover", "--reason", "other", *profile]) == 2
    assert "already yours" in capsys.readouterr().err
    # the takeover: recorded at the hub, the item is back in ben's lanes
    code = ["--reason", "holder_unreachable"]
    assert cli.main(["item", str(mine), "takeover", *code, *profile]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"Item {mine} taken over from ana (holder cannot be reached)."
    reopened = profiles.unlock(tmp_path / "ben", prompt=lambda _label: PASSPHRASE)
    try:
        assert items.get_item(reopened.conn, mine).owner == "ben"  # the hub handle
    finally:
        reopened.close()
    log = hub.client("sue").conflicts().conflicts
    assert (log[0].kind.value, log[0].claimant, log[0].holder, log[0].reason.value) == (
        "takeover",
        "ben",
        "ana",
        "holder_unreachable",
    )
    # ana's console drops it with a note
    try:
        assert sync_once(ana.profile).lost_claims == 1
        assert items.get_item(ana.conn, a).owner == "ben"
    finally:
        ana.close()


def test_takeover_is_one_of_the_item_actions() -> None:
    """``item ID takeover`` parses like the other item actions (no parser of its own)."""
    from vmadesk.cli.takeover import cmd_takeover

    args = cli.build_parser().parse_args(["item", "3", "takeover", "--reason", "other"])
    assert (args.command, args.item_action, args.item_id) == ("item", "takeover", "3")
    assert args.func is cmd_takeover
