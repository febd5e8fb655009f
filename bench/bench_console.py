"""Console speed benchmark: 1,000 to 100,000 open items, and bare-PySide6 floors.

Run: ``QT_QPA_PLATFORM=offscreen python -m bench.bench_console`` (prints a table; no asserts).
Profiles are cached under ``bench/.cache/<N>`` (FAST KDF; passphrase in ``console_start``).
Cold start is measured by :mod:`bench.console_start`; lane switch, search keystroke and
"due in" tick here, each model-updated and repainted.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import console_start
from bench.console_start import PASSPHRASE

CACHE = Path(__file__).resolve().parent / ".cache"
SIZES = (1_000, 10_000, 50_000, 100_000)
REPEAT = 15
START_RUNS = 7


def build_profile(n: int) -> Path:
    """A cached profile with ``n`` open items (demo history on the first 300)."""
    from vmadesk.domain.vocabulary import Lane
    from vmadesk.services.demo import _patient, ensure_practices, fill_demo
    from vmadesk.services.item_factory import (
        AppointmentWork,
        CallbackRequest,
        appointment_columns,
        callback_columns,
    )
    from vmadesk.store import items
    from vmadesk.store import profile as profiles
    from vmadesk.store.connection import transaction
    from vmadesk.store.keyslots import KdfParams

    directory = CACHE / str(n)
    if (directory / "done").exists():
        return directory
    if directory.exists():
        import shutil

        shutil.rmtree(directory)
    kdf = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)
    profile, _ = profiles.create(
        directory, PASSPHRASE, vma_handle="bench", keychain_choice="no", kdf=kdf
    )
    now = datetime.now(UTC)
    fill_demo(profile, items=min(300, n), now=now)
    contexts = ensure_practices(profile)
    from faker import Faker

    fake, rng = Faker("en_US"), random.Random(3)
    fake.seed_instance(3)
    with transaction(profile.conn):
        for i in range(300, n):
            ctx = contexts[i % 3]
            lane = tuple(Lane)[i % 3]
            patient = _patient(fake, rng, i)
            if lane is Lane.CALLBACK:
                req = CallbackRequest(
                    "bench",
                    f"cb-{i}",
                    patient,
                    "Billing question",
                    now - timedelta(minutes=rng.randrange(5, 3000)),
                )
                values = callback_columns(ctx, req, owner="bench", now=now)
            else:
                start = now + timedelta(hours=rng.randrange(-48, 24 * 20))
                work = AppointmentWork("bench", f"ap-{i}", patient, start, None, "Follow-up")
                values = appointment_columns(
                    ctx, lane, work, owner="bench", now=now, arrived=now - timedelta(days=30)
                )
            items.insert_item(profile.conn, values)
    profile.close()
    (directory / "done").write_text("ok")
    return directory


def _ms(seconds: float) -> float:
    return seconds * 1000


class _MovableClock:
    """Now, plus however far the benchmark has moved it (for due-in ticks)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **kwargs: float) -> None:
        self.offset += timedelta(**kwargs)


def interactive(directory: Path) -> dict[str, float]:
    """Lane switch, search keystroke and due-in tick, each model-updated and repainted."""
    from PySide6.QtWidgets import QApplication

    from vmadesk.domain.vocabulary import Lane
    from vmadesk.store import profile as profiles
    from vmadesk.ui.application import build_context
    from vmadesk.ui.console.window import MainWindow
    from vmadesk.ui.widgets.lane_list import MY_SHIFT

    app = QApplication.instance() or QApplication(sys.argv[:1])
    unlocked = profiles.unlock(directory, passphrase=PASSPHRASE, use_keychain=False)
    clock = _MovableClock()
    win = MainWindow(build_context(unlocked, clock=clock))
    win.resize(1400, 900)
    win.show()
    app.processEvents()

    def timed(fn) -> float:
        samples = []
        for _ in range(REPEAT):
            t = time.perf_counter()
            fn()
            win.table.viewport().repaint()
            samples.append(time.perf_counter() - t)
        return _ms(statistics.median(samples))

    keys = [MY_SHIFT, *Lane]
    state = {"i": 0}

    def switch() -> None:
        state["i"] += 1
        win.lanes.choose(keys[state["i"] % len(keys)])

    win.lanes.choose(MY_SHIFT)
    words = ["s", "sm", "smi", "smit", "smith"]

    def keystroke() -> None:
        state["i"] += 1
        win.search.setText(words[state["i"] % len(words)])
        win.apply_search()

    res = {"lane switch": timed(switch)}
    res["search keystroke"] = timed(keystroke)
    win.search.setText("")
    win.apply_search()

    def tick() -> None:
        clock.advance(minutes=1)
        win.model.tick()

    res["due-in tick"] = timed(tick)
    win.close()
    unlocked.close()
    return res


def main() -> None:
    """Build profiles, measure, print the table (every size next to the 1,000-item baseline)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    dirs = {n: build_profile(n) for n in SIZES}
    starts = console_start.measure(dirs, START_RUNS)
    inter = {n: interactive(d) for n, d in dirs.items()}
    base = SIZES[0]
    print(f"{'operation, ms':<26}" + "".join(f"{n:>10,}" for n in SIZES) + "   ratio to 1k")
    rows = {
        "first painted lane": {n: starts[str(n)]["paint"] for n in SIZES},
        "ready (all built)": {n: starts[str(n)]["ready"] for n in SIZES},
        "key derivation": {n: starts[str(n)]["kdf"] for n in SIZES},
    }
    for op in inter[base]:
        rows[op] = {n: inter[n][op] for n in SIZES}
    for op, by_size in rows.items():
        ratios = " ".join(f"{by_size[n] / by_size[base]:.2f}" for n in SIZES[1:])
        print(f"{op:<26}" + "".join(f"{by_size[n]:>10.1f}" for n in SIZES) + f"   {ratios}")
    for name in console_start.FLOORS:
        floor = starts[name]["paint"]
        print(
            f"{name} (same run): {floor:.1f} ms; first painted lane / {name}: "
            + ", ".join(f"{starts[str(n)]['paint'] / floor:.2f} ({n:,})" for n in SIZES)
        )


if __name__ == "__main__":
    main()
