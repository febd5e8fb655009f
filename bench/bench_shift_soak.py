"""A whole shift without growing: eight hours of a VMA's work, compressed, on a 10k-item profile.

Run alone: ``QT_QPA_PLATFORM=offscreen python -m bench.bench_shift_soak`` (``make bench`` runs
it with the others). ``--hours`` and ``--scale`` shorten it: ``--hours 3 --scale 0.25
--idle-seconds 15`` finishes in a minute or two. Prints a table; asserts nothing.

The shift is :class:`bench.shift_driver.ShiftDriver` on the real main window and shell
(offscreen): at scale 1 an hour holds 40 calls (with their outcomes, lane outcomes after
"Reached", fails after the last try), 4 holds, 2 resumes, 2 completes or cancels, 20 searches,
12 lane switches, 2 lock/unlock cycles with the passphrase and 120 ticks of the console's
30-second timer; half-way through, a handoff of 12 items through Shift → End shift.

Reported per simulated hour, each after the hour's deferred deletes and a full collection:
resident memory (RSS), Python objects (``gc`` tracked, and every allocated block), Qt widgets
alive, and CPU seconds (per action). The first hour is the baseline of the last (same run):
memory should be flat after the first hour. Then the console is left alone, unlocked and then
locked, for ``--idle-seconds`` each with its real timers running, and its CPU use (% of one core)
is set beside a bare PySide6 window's idle in the same process (target: < 0.5 %).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

IDLE_TARGET = 0.5  # % of one core
#: Growth from the first hour to the last still read as noise.
RSS_NOISE_MB, OBJECT_NOISE = 4.0, 0.01


@dataclass
class Snapshot:
    """The process after an hour of the shift."""

    rss_mb: float
    gc_objects: int
    blocks: int
    widgets: int
    types: Counter[str]
    widget_types: Counter[str]


def _trim_heap() -> None:
    """Give freed heap pages back to the system (glibc), so RSS shows live memory.

    Without it RSS keeps the high-water mark of a big moment (a handoff over every open item)
    although everything was freed; with it, what stays is what is still used.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def rss_mb() -> float:
    """Resident set size now (Linux /proc; elsewhere the peak, which only grows)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10)


def snapshot(app) -> Snapshot:  # type: ignore[no-untyped-def]
    """Memory and object counts once deferred deletes ran and garbage was collected."""
    from bench.shift_driver import settle

    settle(app)
    gc.collect()
    objects = gc.get_objects()
    types = Counter(type(o).__qualname__ for o in objects)
    count = len(objects)
    del objects
    _trim_heap()
    widgets = app.allWidgets()
    # A widget still alive under a top-level window that is gone is what a leak looks like.
    kinds = Counter(type(w).__name__ for w in widgets if w.isWindow())
    return Snapshot(rss_mb(), count, sys.getallocatedblocks(), len(widgets), types, kinds)


def idle_cpu(app, seconds: float) -> float:  # type: ignore[no-untyped-def]
    """CPU use (% of one core) while the event loop runs with nothing to do but its timers."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    cpu, wall = time.process_time(), time.perf_counter()
    loop.exec()
    return 100 * (time.process_time() - cpu) / (time.perf_counter() - wall)


def bare_window_idle(app, seconds: float) -> float:  # type: ignore[no-untyped-def]
    """The same-run floor: a bare window with an empty table, idle."""
    from PySide6.QtWidgets import QMainWindow, QTableView

    window = QMainWindow()
    window.setCentralWidget(QTableView())
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    try:
        return idle_cpu(app, seconds)
    finally:
        window.close()
        window.deleteLater()


def _private_dirs(root: Path) -> None:
    """Settings, logs and handoff folders of this run go to a throwaway folder."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(root / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _open_console(app, directory: Path, handoffs: Path):  # type: ignore[no-untyped-def]
    from bench.console_start import PASSPHRASE
    from bench.shift_driver import MovableClock, ShiftDriver, settle
    from vmadesk.store import profile as profiles
    from vmadesk.ui.application import build_context
    from vmadesk.ui.console.shell import ConsoleShell
    from vmadesk.ui.console.window import MainWindow
    from vmadesk.ui.ui_settings import UiSettings

    unlocked = profiles.unlock(directory, passphrase=PASSPHRASE, use_keychain=False)
    clock = MovableClock()
    window = MainWindow(build_context(unlocked, clock=clock), url_opener=lambda _url: True)
    window.resize(1400, 900)
    # The idle lock is driven by hand (Ctrl+L): a compressed hour is minutes of real time.
    shell = ConsoleShell(
        window.ctx, window, ui_settings=UiSettings(), idle_ms=10 * 3_600_000, handoff_dir=handoffs
    )
    window.show()
    window.activateWindow()
    settle(app)
    return unlocked, window, shell, ShiftDriver(app, window, shell, clock, PASSPHRASE)


def _row(label: str, snap: Snapshot, base: Snapshot, cpu: float, actions: int) -> str:
    per = 1000 * cpu / actions if actions else 0.0
    return (
        f"{label:<8}{snap.rss_mb:>9.1f}{snap.rss_mb - base.rss_mb:>+8.1f}"
        f"{snap.gc_objects:>11,}{snap.gc_objects - base.gc_objects:>+9,}"
        f"{snap.blocks:>11,}{snap.blocks - base.blocks:>+9,}{snap.widgets:>8}"
        f"{cpu:>8.1f}{actions:>8}{per:>9.1f}"
    )


def _growers(first: Counter[str], last: Counter[str], top: int = 6) -> str:
    grown = Counter({k: last[k] - first.get(k, 0) for k in last})
    items = [(k, n) for k, n in grown.most_common(top) if n > 0]
    return ", ".join(f"{k} +{n}" for k, n in items) or "none"


def run(args: argparse.Namespace, work: Path) -> int:
    """The shift, then the idle windows; prints the table."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from bench.bench_console import build_profile
    from bench.shift_driver import hour_events

    app = QApplication.instance() or QApplication(sys.argv[:1])
    floor_idle = bare_window_idle(app, min(args.idle_seconds, 10.0))
    directory = work / "profile"
    shutil.copytree(build_profile(args.items), directory)  # the cached profile stays as built
    unlocked, window, shell, driver = _open_console(app, directory, work / "handoffs")
    rng = random.Random(args.seed)
    try:
        driver.start_shift()
        driver.warm_up()
        start = snapshot(app)
        print(
            f"shift soak: {args.items:,} items, {args.hours} simulated hours at scale "
            f"{args.scale:g}; start RSS {start.rss_mb:.1f} MB, {start.gc_objects:,} objects"
        )
        print(
            f"{'hour':<8}{'RSS MB':>9}{'Δ':>8}{'gc objs':>11}{'Δ':>9}{'blocks':>11}{'Δ':>9}"
            f"{'widgets':>8}{'CPU s':>8}{'actions':>8}{'ms/act':>9}"
        )
        hours: list[tuple[Snapshot, float, int]] = []
        handoff_hour = max(1, (args.hours + 1) // 2)
        for hour in range(1, args.hours + 1):
            events = hour_events(args.scale, rng)
            step = 3600 / len(events)
            cpu = time.process_time()
            for event in events:
                driver.run(event, step)
            if hour == handoff_hour:
                driver.handoff("ben.k", keep=12)
            spent = time.process_time() - cpu
            snap = snapshot(app)
            actions = sum(1 for e in events if e != "tick")
            hours.append((snap, spent, actions))
            base = hours[0][0]
            print(_row(f"{hour}", snap, base, spent, actions), flush=True)
        done = ", ".join(f"{k} {n}" for k, n in sorted(driver.done.items()))
        print(f"done: {done}")
        if driver.refusals:
            print("refused: " + "; ".join(f"{n}x {m}" for m, n in driver.refusals.most_common()))
        if len(hours) >= 2:
            (first, cpu1, n1), (last, cpu_n, n_n) = hours[0], hours[-1]
            rss_growth = last.rss_mb - first.rss_mb
            obj_growth = (last.gc_objects - first.gc_objects) / first.gc_objects
            flat = rss_growth <= RSS_NOISE_MB and obj_growth <= OBJECT_NOISE
            print(
                f"last hour vs first (same run): RSS {rss_growth:+.1f} MB, gc objects "
                f"{obj_growth:+.2%}, blocks {last.blocks - first.blocks:+,}, CPU per action "
                f"{(cpu_n / n_n) / (cpu1 / n1):.2f}x -> memory "
                f"{'flat' if flat else 'GROWS'} (noise: {RSS_NOISE_MB:g} MB, {OBJECT_NOISE:.0%})"
            )
            print(f"Python types grown, first to last hour: {_growers(first.types, last.types)}")
            print(
                "top-level widgets grown, first to last hour: "
                + _growers(first.widget_types, last.widget_types)
            )
        window.table.setFocus()
        unlocked_idle = idle_cpu(app, args.idle_seconds)
        QTest.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        locked_idle = idle_cpu(app, args.idle_seconds)
        verdict = "ok" if max(unlocked_idle, locked_idle) < IDLE_TARGET else "ABOVE TARGET"
        print(
            f"idle CPU over {args.idle_seconds:g} s: console {unlocked_idle:.2f} % of a core "
            f"unlocked, {locked_idle:.2f} % locked; bare PySide6 window (same run) "
            f"{floor_idle:.2f} % -> {verdict} (target < {IDLE_TARGET} %)"
        )
    finally:
        shell.shutdown()
        window.close()
        unlocked.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the options (unknown ones from ``python -m bench`` are ignored) and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=8, help="simulated hours (default 8)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="actions per hour, times (default 1)"
    )
    parser.add_argument("--items", type=int, default=10_000, help="open items (default 10,000)")
    parser.add_argument(
        "--idle-seconds", type=float, default=60.0, help="each idle window (default 60)"
    )
    parser.add_argument("--seed", type=int, default=5)
    args, _unknown = parser.parse_known_args(argv)
    if args.hours < 1 or args.scale <= 0:
        parser.error("--hours must be at least 1 and --scale above 0")
    with tempfile.TemporaryDirectory(prefix="vmadesk-soak-") as tmp:
        _private_dirs(Path(tmp))
        return run(args, Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
