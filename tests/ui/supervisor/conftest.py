"""Fixtures: a real hub on loopback filled by simulated consoles, and the supervisor window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from tests.ui.supervisor.simulate import Console, HubFixture, fill_team, sqlite_hub
from vmadesk.services.evidence import EvidenceViewer
from vmadesk.services.exports import record_export
from vmadesk.services.supervisor import SupervisorService
from vmadesk.store import profile as profiles


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubFixture]:
    with sqlite_hub(tmp_path) as fixture:
        yield fixture


@pytest.fixture
def team(hub: HubFixture) -> dict[str, Console]:
    return fill_team(hub)


@pytest.fixture
def supervisor_profile(tmp_path: Path) -> Iterator[profiles.UnlockedProfile]:
    profile, _ = profiles.create(
        tmp_path / "sup", PASSPHRASE, vma_handle="sue", keychain_choice="no", kdf=FAST_KDF
    )
    yield profile
    profile.close()


@pytest.fixture
def window(qtbot, hub: HubFixture, team, supervisor_profile):  # type: ignore[no-untyped-def]
    from vmadesk.ui.supervisor.app import SupervisorWindow

    service = SupervisorService(hub.base_url, hub.tokens["sue"])
    win = SupervisorWindow(
        service,
        viewer=EvidenceViewer(supervisor_profile.conn),
        record_export=lambda what, n: record_export(supervisor_profile.conn, what, n),
        poll_ms=3_600_000,
    )
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.refresh_all()
    wait_idle(qtbot, win)
    yield win
    wait_idle(qtbot, win)
    win.close()


def wait_idle(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: win.idle, timeout=15_000)
