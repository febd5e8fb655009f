"""Import benchmark: 10,000 FHIR appointments and 10,000 CSV rows into a real profile.

Run ``python -m bench.bench_import`` (``--n`` to change the size, ``--repeat`` to run
each measurement several times: on a shared machine one run says little). Prints a table;
no assertions. Each import is compared with just parsing the same file (``json.load`` /
``csv.reader``) right before it, and a GUI import measures the longest event-loop gap (a
QTimer every 10 ms records the time between its ticks) and its two phases: read + plan
(in the import process) and write. The load average is printed with each row: the machine
may be shared. ``--enrolled`` runs every import on a profile enrolled at a (never contacted)
hub, so each item also queues its PHI-free event and claim, as an enrolled console does.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from vmadesk.ingest.samples import make_csv, make_fhir_bundle
from vmadesk.services import importer
from vmadesk.store import profile as profiles
from vmadesk.store import secrets_store, settings_store
from vmadesk.store.connection import transaction
from vmadesk.store.keyslots import KdfParams

PASSPHRASE = "bench passphrase"
#: The samples start on 2026-03-09: every appointment is ahead of this clock.
NOW = datetime(2026, 3, 8, 12, tzinfo=UTC)
_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)


def _profile(directory: Path, enrolled: bool) -> profiles.UnlockedProfile:
    profile, _ = profiles.create(
        directory, PASSPHRASE, vma_handle="bench", keychain_choice="no", kdf=_KDF
    )
    _no_horizon(profile)
    if enrolled:
        _enrol(profile)
    return profile


def _no_horizon(profile: profiles.UnlockedProfile) -> None:
    """Every appointment makes its eligibility item (no 30-day horizon): the heaviest write.

    The samples spread 10,000 appointments over 250 days; with the default horizon only the
    first month's would become items, and the figure would hide most of the write.
    """
    from dataclasses import replace

    from vmadesk.domain.vocabulary import Lane
    from vmadesk.services import importer, practice_settings

    practice_id = importer.resolve_practice(profile.conn).id
    settings = practice_settings.load(profile.conn, practice_id)
    policies = dict(settings.policies)
    policies[Lane.ELIGIBILITY] = replace(policies[Lane.ELIGIBILITY], horizon_days=None)
    practice_settings.save(profile.conn, practice_id, replace(settings, policies=policies))


def _enrol(profile: profiles.UnlockedProfile) -> None:
    """Store what enrolment stores, without a hub: the import hooks then queue events."""
    from vmadesk.sync import enrolment

    with transaction(profile.conn):
        settings_store.put(profile.conn, settings_store.HUB_URL, "http://127.0.0.1:9")
        settings_store.put(profile.conn, "hub.handle", "bench")
        secrets_store.put(profile.conn, "hub_token", b"bench-token")
        enrolment.store_team_secret(profile.conn, bytes(range(32)))
    assert enrolment.is_enrolled(profile.conn)


def _parse_only(path: Path, kind: str) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        if kind == "fhir":
            json.load(handle)
        else:
            for _ in csv.reader(handle):
                pass
    return time.perf_counter() - start


def _import(
    work: Path, path: Path, name: str, enrolled: bool
) -> tuple[float, importer.ImportReport]:
    profile = _profile(work / f"profile-{name}", enrolled)
    try:
        start = time.perf_counter()
        report = importer.import_file(profile, path, now=NOW)
        return time.perf_counter() - start, report
    finally:
        profile.close()


def _gui_gap(work: Path, path: Path, name: str, enrolled: bool) -> tuple[float, float, float]:
    """Import through the dialog; (max event-loop gap in ms, total seconds, read + plan s)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from vmadesk.services.console import Console
    from vmadesk.ui.dialogs.imports.import_dialog import ImportDialog

    app = QApplication.instance() or QApplication([])
    profile = _profile(work / f"profile-{name}", enrolled)
    dialog = ImportDialog(Console(profile), path, practice_id=None, now=NOW)
    dialog.show()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    start = time.perf_counter()
    dialog.start()
    while dialog.state == "reading":
        app.processEvents()
        time.sleep(0.001)
    planned = time.perf_counter() - start
    dialog.start_import()
    while dialog.state == "importing":
        app.processEvents()
        time.sleep(0.001)
    total = time.perf_counter() - start
    timer.stop()
    dialog.close()
    profile.close()
    return float(max(gaps, default=0)), total, planned


def _load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-gui", action="store_true")
    parser.add_argument("--enrolled", action="store_true", help="profiles enrolled at a hub")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fhir = work / "bench.json"
        fhir.write_text(json.dumps(make_fhir_bundle(args.n, seed=1)), encoding="utf-8")
        csv_path = work / "bench.csv"
        csv_path.write_text(make_csv(args.n, seed=1), encoding="utf-8", newline="")
        print(f"{'import':<22}{'seconds':>9}{'items':>8}{'appts/s':>10}{'parse s':>9}{'ratio':>8}")
        for name, path in (("FHIR bundle", fhir), ("CSV report", csv_path)):
            kind = "fhir" if path.suffix == ".json" else "csv"
            for run in range(args.repeat):
                parse = _parse_only(path, kind)
                seconds, report = _import(work, path, f"{kind}-{run}", args.enrolled)
                print(
                    f"{name + f' ({args.n:,})':<22}{seconds:>9.2f}{report.created:>8}"
                    f"{args.n / seconds:>10,.0f}{parse:>9.2f}{seconds / parse:>7.1f}x  {_load()}"
                )
        if not args.no_gui:
            for run in range(args.repeat):
                gap, total, planned = _gui_gap(work, fhir, f"gui-{run}", args.enrolled)
                print(
                    f"GUI import of the FHIR bundle: {total:.2f} s (read + plan {planned:.2f} s, "
                    f"write {total - planned:.2f} s), longest event-loop gap {gap:.0f} ms  "
                    f"{_load()}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
