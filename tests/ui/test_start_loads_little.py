"""The console gets ready (first lane painted, every action built) without what later work needs.

Cold start is a speed target (``make bench``); its cheapest guard is what a started console has
imported when it is ready for the first keystroke. The wire schema (pydantic models), the hub
client (httpx), the importers' libraries and the demo data generator cost tens of milliseconds
each and belong to sync rounds, imports and the demo, never to the start. A fresh interpreter
opens a real profile as ``vmadesk --profile DIR`` does and lists its modules at that moment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
                view.window().ready.connect(self.ready)
        return False

    def ready(self):
        print(json.dumps(sorted(sys.modules)))
        sys.stdout.flush()
        QApplication.instance().closeAllWindows()
        QApplication.quit()

app = ensure_app()
probe = Probe()
app.installEventFilter(probe)
cli.main(["--profile", sys.argv[1]])
"""


def test_the_started_console_has_loaded_no_sync_import_or_demo_machinery(tmp_path: Path) -> None:
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
    lines = [line for line in out.stdout.splitlines() if line.startswith("[")]
    assert lines, f"the console did not get ready (exit {out.returncode})"
    loaded = json.loads(lines[0])
    early = sorted(
        name for name in loaded if any(name == m or name.startswith(m + ".") for m in LATER)
    )
    assert early == [], f"loaded before the console was ready: {early}"
