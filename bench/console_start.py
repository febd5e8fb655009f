"""Cold start of the console, next to two bare-PySide6 floors measured in the same run.

Each figure comes from fresh processes, timed from just before the process is spawned to the
end of the item table's first paint:

- ``floor``: a bare ``QMainWindow`` with an empty ``QTableView`` (the issue's floor);
- ``model floor``: the same window with a 100-row Python ``QAbstractTableModel`` — what any
  Python table model costs before it shows a row (PySide6 builds the ``Qt`` namespace's
  enums on first use: ~25 ms here);
- ``console``: ``vmadesk --profile DIR`` exactly as a VMA starts it (passphrase from the
  environment), to its first painted lane and to "ready" (every action, pane and service
  built). Key derivation is timed where it runs and reported apart (with the loading of
  its Argon2 library, which an unlock through the OS keychain never needs).

Every window opens at 85 % of a 1920×1080 screen, as the console does on its first run.
Runs are interleaved (floor, model floor, each profile; repeated) so that a busy moment of
the machine falls on all of them alike. Bytecode is compiled first, as a wheel install ships
it (this checkout may run with ``PYTHONDONTWRITEBYTECODE``).
"""

from __future__ import annotations

import json
import os
import sys
import time

PASSPHRASE = "bench passphrase ok"
FLOORS = ("floor", "model floor")
SCREEN = {"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96}
#: Every platform directory of a started console goes to a throwaway folder.
XDG_VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


def _floor_child(mode: str, t0: float) -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    marks: dict[str, float] = {}

    class FloorTable(QTableView):
        def paintEvent(self, event) -> None:
            super().paintEvent(event)
            marks.setdefault("painted", time.time())
            marks.setdefault("cpu", time.process_time())
            QApplication.quit()

    app = QApplication(sys.argv[:1])
    win = QMainWindow()
    table = FloorTable()
    if mode == "model floor":
        table.setModel(_rows_model(table))
    win.setCentralWidget(table)
    area = app.primaryScreen().availableGeometry()  # as the console's first run: 85 %
    win.resize(int(area.width() * 0.85), int(area.height() * 0.85))
    win.show()
    app.exec()
    print(
        json.dumps({"total": marks["painted"] - t0, "ready": 0.0, "kdf": 0.0, "cpu": marks["cpu"]})
    )


def _rows_model(parent: object) -> object:
    """100 rows × 10 columns of text from Python ``data()``, with headers."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex

    class RowsModel(QAbstractTableModel):
        def rowCount(self, parent: QModelIndex | None = None) -> int:
            return 0 if parent is not None and parent.isValid() else 100

        def columnCount(self, parent: QModelIndex | None = None) -> int:
            return 0 if parent is not None and parent.isValid() else 10

        def data(self, index: QModelIndex, role: int = 0) -> object:
            return f"row {index.row()} · {index.column()}" if role == 0 else None

        def headerData(self, section: int, orientation: object, role: int = 0) -> object:
            return f"Column {section}" if role == 0 else None

    return RowsModel(parent)


def _console_child(directory: str, t0: float) -> None:
    # In the order the `vmadesk` command loads them: its CLI and the start path's store and
    # services come before Qt (PySide6 reads the source of every module imported after it).
    from vmadesk import cli
    from vmadesk.store import keyslots, profile
    from vmadesk.ui.launch import load_start_path

    load_start_path()
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from vmadesk.ui.application import ensure_app
    from vmadesk.ui.widgets.item_table_view import ItemTableView

    marks: dict[str, float] = {}
    derive = keyslots.derive_from_passphrase

    def timed_derive(*args, **kwargs) -> bytes:
        k0 = time.time()
        try:
            return derive(*args, **kwargs)
        finally:
            marks["kdf"] = marks.get("kdf", 0.0) + time.time() - k0

    profile.derive_from_passphrase = timed_derive

    class Probe(QObject):
        """Finds the item table at its first paint and the window when it is ready."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                view = watched.parent()
                if isinstance(view, ItemTableView) and watched is view.viewport():
                    QApplication.instance().removeEventFilter(self)
                    view.first_painted.connect(self.painted)
                    view.window().ready.connect(self.ready)
            return False

        def painted(self) -> None:
            marks.setdefault("painted", time.time())
            marks.setdefault("cpu", time.process_time())

        def ready(self) -> None:
            marks["ready"] = time.time()
            QApplication.quit()

    app = ensure_app()
    probe = Probe()
    app.installEventFilter(probe)
    os.environ[profile.PASSPHRASE_ENV] = PASSPHRASE
    cli.main(["--profile", directory])
    print(
        json.dumps(
            {
                "total": marks["painted"] - t0,
                "ready": marks["ready"] - t0,
                "kdf": marks.get("kdf", 0.0),
                "cpu": marks["cpu"],
            }
        )
    )


def _spawn(mode: str, directory: str, env: dict[str, str]) -> dict[str, float]:
    import subprocess
    from pathlib import Path

    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "bench.console_start", mode, directory, str(t0)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(directories: dict[int, object], rounds: int) -> dict[str, dict[str, float]]:
    """Median figures in ms, keyed by floor name or profile size.

    Returns:
        ``{"floor": {"paint": ms, "cpu": ms}, "model floor": {...}, "1000": {"paint": ms,
        "ready": ms, "kdf": ms, "cpu": ms}, ...}``; ``cpu`` is the starting process's own
        CPU time at the first paint (steadier than wall time on a busy machine); console
        figures leave key derivation out.
    """
    import compileall
    import statistics
    import tempfile
    from pathlib import Path

    import vmadesk

    compileall.compile_dir(Path(vmadesk.__file__).parent, quiet=1)
    samples: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="vmadesk-bench-") as home:
        platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
        if platform == "offscreen":  # a 1920×1080 screen, not the plugin's 800×600
            screen = Path(home) / "screen.json"
            screen.write_text(json.dumps({"screens": [SCREEN]}), "utf-8")
            platform = f"offscreen:configfile={screen}"
        env = dict(
            os.environ,
            QT_QPA_PLATFORM=platform,
            **{var: str(Path(home) / var) for var in XDG_VARS},
        )
        runs = [(mode, mode, "-") for mode in FLOORS]
        runs += [(str(n), "console", str(d)) for n, d in directories.items()]
        for _ in range(rounds):
            for key, mode, directory in runs:
                data = _spawn(mode, directory, env)
                got = samples.setdefault(key, {"paint": [], "ready": [], "kdf": [], "cpu": []})
                got["paint"].append(data["total"] - data["kdf"])
                got["cpu"].append(data["cpu"] - data["kdf"])
                got["ready"].append(max(data["ready"] - data["kdf"], 0.0))
                got["kdf"].append(data["kdf"])
    return {
        key: {name: statistics.median(values) * 1000 for name, values in got.items()}
        for key, got in samples.items()
    }


if __name__ == "__main__":
    mode, directory, started = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if mode in FLOORS:
        _floor_child(mode, started)
    else:
        _console_child(directory, started)
