"""Take the README's screenshot: the console on a fresh demo profile, most urgent item open.

Run under a real X server (Xvfb), e.g.:
    Xvfb :99 -screen 0 1600x1000x24 & DISPLAY=:99 .venv/bin/python .ci/screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from vmadesk.services.demo import DEMO_PASSPHRASE, fill_demo
from vmadesk.store import profile as profiles
from vmadesk.ui.application import build_context
from vmadesk.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parents[1] / "resources" / "screenshots" / "console.png"


def main() -> int:
    """Build a demo profile, show the console, select the most urgent item, save a PNG."""
    app = QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        profile, _ = profiles.create(Path(tmp) / "demo", DEMO_PASSPHRASE,
                                     vma_handle="demo.vma", keychain_choice="no")
        fill_demo(profile, items=60, seed=7)
        window = MainWindow(build_context(profile))
        window.resize(1440, 860)
        window.show()

        def shoot() -> None:
            item_id = window.ctx.worklist.next_most_urgent(window.current_query())
            if item_id is not None:
                window.select_item(item_id)
            QTimer.singleShot(500, lambda: (window.grab().save(str(OUT)), app.quit()))

        QTimer.singleShot(800, shoot)
        app.exec()
        profile.close()
    print(f"saved {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
