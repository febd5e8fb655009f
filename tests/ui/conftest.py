"""Fixtures for the console's widgets: a real encrypted demo profile and its services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.clock import MovableClock
from vmadesk.services.console import Console
from vmadesk.services.demo import fill_demo
from vmadesk.store.profile import UnlockedProfile

LOCAL_TZ = "Asia/Manila"


def make_context(
    profile: UnlockedProfile, clock: MovableClock | None = None, local_tz: str = LOCAL_TZ
) -> Console:
    """The services of one unlocked profile, as the application builds them."""
    return Console(profile, clock=clock or MovableClock(), local_tz=local_tz)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def demo_profile(new_profile: UnlockedProfile, clock: MovableClock) -> UnlockedProfile:
    """The shared test profile filled with 60 demo items."""
    fill_demo(new_profile, items=60, seed=7, now=clock.now)
    return new_profile


@pytest.fixture
def ctx(demo_profile: UnlockedProfile, clock: MovableClock) -> Console:
    return make_context(demo_profile, clock)


@pytest.fixture
def captured_urls() -> list[str]:
    return []


@pytest.fixture
def window(qtbot, ctx: Console, captured_urls: list[str]) -> Iterator[object]:
    """The main window on the demo profile, shown offscreen; tel: links are captured."""
    from vmadesk.ui.console.window import MainWindow

    win = MainWindow(ctx, url_opener=lambda url: captured_urls.append(url.toString()))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.close_dialogs()
