"""The console paints its first lane, then gets ready, without what later work needs.

Cold start is a speed target (``make bench``); its cheapest guard is what a started console has
imported at its first paint and when it is ready for the first keystroke. The wire schema
(pydantic models), the hub client (httpx), the importers' libraries and the demo data generator
cost tens of milliseconds each and belong to sync rounds, imports and the demo, never to the
start. The lanes' rules and forms, the actions and their dialogs come right after the first
paint: the list of the first lane needs none of them. A fresh interpreter opens a real profile
as ``vmadesk --profile DIR`` does and lists its modules at both moments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FAST_KDF, PASSPHRASE
from vmadesk.store import profile as profiles

#: Loaded at start, a module of these costs start time no lane needs.
LATER = (
    "pydantic",
    "httpx",
    "vmadesk.wire",
    "vmadesk.sync.hub_client",
    "fhir",
    "faker",
    "vmadesk.ingest",
    "vmadesk.hub",
    # the command groups: a console started without a command parses only its own options
    "vmadesk.cli.evidence",
    "vmadesk.cli.handoff",
    "vmadesk.cli.imports",
    "vmadesk.cli.items",
    "vmadesk.cli.ownership",
    "vmadesk.cli.sync",
    "vmadesk.cli.takeover",
)

#: Loaded before the first lane is painted, a module of these delays the paint for nothing:
#: the list shows codes, names and times, not a lane's rules, form or actions.
AFTER_PAINT = (
    "vmadesk.domain.lanes",
    "vmadesk.domain.sla",
    "vmadesk.services.practice_setup",
    "vmadesk.ui.lane_forms",
    "vmadesk.ui.dialogs",
    "vmadesk.ui.console.registry",
    "vmadesk.ui.console.item_actions",
    "vmadesk.ui.console.review_actions",
    "vmadesk.ui.widgets.detail_pane",
)

CHILD = """
import json, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from vmadesk import cli
from vmadesk.ui.application import ensure_app
from vmadesk.ui.widgets.item_table_view import ItemTableView

class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            view = watched.parent()
            if isinstance(view, ItemTableView) and watched is view.viewport():
                QApplication.instance().removeEventFilter(self)
                view.first_painted.connect(self.painted)
                view.window().ready.connect(self.ready)
        return False

    def painted(self):
        print("painted " + json.dumps(sorted(sys.modules)))

    def ready(self):
        print("ready " + json.dumps(sorted(sys.modules)))
        sys.stdout.flush()
        QApplication.instance().closeAllWindows()
        QApplication.quit()

app = ensure_app()
probe = Probe()
app.installEventFilter(probe)
cli.main(["--profile", sys.argv[1]])
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The modules a started console had at its first paint and when ready."""
    tmp_path = tmp_path_factory.mktemp("start")
    profile, _ = profiles.create(
        tmp_path / "p", PASSPHRASE, vma_handle="ana", keychain_choice="no", kdf=FAST_KDF
    )
    profile.close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        **{profiles.PASSPHRASE_ENV: PASSPHRASE},
        **{var: str(tmp_path / var) for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")},
        **{var: str(tmp_path / var) for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME")},
    )
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "p")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    moments = {}
    for line in out.stdout.splitlines():
        moment, _, names = line.partition(" ")
        if moment in ("painted", "ready"):
            moments.setdefault(moment, json.loads(names))
    assert set(moments) == {"painted", "ready"}, (
        f"the console did not start (exit {out.returncode})"
    )
    return moments


def _among(names: list[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == m or n.startswith(m + ".") for m in packages))


def test_the_started_console_has_loaded_no_sync_import_or_demo_machinery(
    loaded: dict[str, list[str]],
) -> None:
    early = _among(loaded["ready"], LATER)
    assert early == [], f"loaded before the console was ready: {early}"


def test_the_first_lane_is_painted_before_any_lane_rule_form_or_action_loads(
    loaded: dict[str, list[str]],
) -> None:
    early = _among(loaded["painted"], AFTER_PAINT)
    assert early == [], f"loaded before the first paint: {early}"
    # and they do come: the window is whole when it says it is ready
    assert _among(loaded["ready"], ("vmadesk.ui.console.item_actions",))
