"""Hub benchmark: ingest, sync round trips, a claim storm, CPU for a team syncing every minute.

Run: ``python -m bench.bench_hub`` (SQLite; PostgreSQL too when ``VMADESK_TEST_PG_URL`` is set).
Prints a table with ratios against baselines measured in the same run; no assertions.

* ingest — 100 simulated consoles × one shift of item events (300 events each), sent as a
  console would (batches of 100, 10 consoles at a time), to a hub in its own process;
  baseline: ``GET /health`` requests/s through the same clients;
* round trip — p50/p95 of one ``POST /v1/messages`` (a sync round's batch);
* claim storm — 10,000 claims from 20 concurrent consoles (overlapping pseudonyms, so half are
  conflicts), 50 per request;
* CPU — the hub process's CPU time (``/proc/<pid>/stat``) for one *compressed* minute of 100 VMAs
  syncing once each (messages + heartbeat + escalations + handoff inbox), as % of one core over
  60 s; baseline: the same number of ``/health`` requests.
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from vmadesk import wire
from vmadesk.hub import auth, migrate
from vmadesk.hub.db import make_engine
from vmadesk.sync.hub_client import HubClient

CONSOLES = 100
EVENTS_PER_SHIFT = 300
BATCH = 100
STORM_CONSOLES = 20
STORM_CLAIMS = 10_000
CLAIMS_PER_REQUEST = 50
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class HubProcess:
    def __init__(self, db_url: str, log: Path) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        code = (
            "import sys, logging; from vmadesk.hub.cli import serve; "
            f"sys.exit(serve({db_url!r}, '127.0.0.1', {self.port}, False))"
        )
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("hub did not start")

    def cpu(self) -> float:
        return _cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def _accounts(db_url: str, names: list[str]) -> dict[str, str]:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        tokens = {name: auth.create_account(conn, name, "vma") for name in names}
    engine.dispose()
    return tokens


def _event(code: str, n: int) -> wire.Envelope:
    kinds = (
        wire.ItemEventKind.IMPORTED,
        wire.ItemEventKind.FIRST_ATTEMPT,
        wire.ItemEventKind.COMPLETED,
    )
    return wire.Envelope(
        idempotency_key=str(uuid.uuid4()),
        message=wire.ItemEvent(
            pseudonym=code,
            lane=wire.Lane.CONFIRMATION,
            event=kinds[n % 3],
            outcome=wire.Outcome.CONFIRMED if n % 3 == 2 else None,
            seconds_from_due=-3600 - n,
            attempt_count=1 if n % 3 else 0,
        ),
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def run(db_label: str, db_url: str, workdir: Path) -> dict[str, float]:
    names = [f"vma{i:03d}" for i in range(CONSOLES)]
    storm_names = [f"storm{i:02d}" for i in range(STORM_CONSOLES)]
    tokens = _accounts(db_url, names + storm_names)
    hub = HubProcess(db_url, workdir / f"hub-{db_label}.log")
    out: dict[str, float] = {}
    try:
        clients = {n: HubClient(hub.url, t, 30) for n, t in tokens.items()}
        # baseline: /health through the same clients
        start = time.perf_counter()
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda i: clients[names[i % CONSOLES]].health(), range(1000)))
        out["health_rps"] = 1000 / (time.perf_counter() - start)

        # ingest: every console sends its shift in batches
        latencies: list[float] = []

        def shift(name: str) -> None:
            client = clients[name]
            codes = [secrets.token_hex(32) for _ in range(EVENTS_PER_SHIFT // 3)]
            envelopes = [_event(codes[n // 3], n) for n in range(EVENTS_PER_SHIFT)]
            for i in range(0, len(envelopes), BATCH):
                t0 = time.perf_counter()
                client.send(envelopes[i : i + BATCH])
                latencies.append(time.perf_counter() - t0)

        start = time.perf_counter()
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(shift, names))
        elapsed = time.perf_counter() - start
        out["events_per_s"] = TOTAL_EVENTS / elapsed
        out["batches_per_s"] = len(latencies) / elapsed
        out["rtt_p50_ms"] = statistics.median(latencies) * 1000
        out["rtt_p95_ms"] = _pct(latencies, 0.95) * 1000

        # claim storm: 10,000 claims, 20 consoles, each pseudonym wanted by two consoles
        pool_codes = [secrets.token_hex(32) for _ in range(STORM_CLAIMS // 2)]
        per = STORM_CLAIMS // STORM_CONSOLES

        def storm(index: int) -> int:
            client = clients[storm_names[index]]
            half = index // 2
            mine = pool_codes[half * per : half * per + per]
            granted = 0
            for i in range(0, len(mine), CLAIMS_PER_REQUEST):
                result = client.claim(mine[i : i + CLAIMS_PER_REQUEST], 900)
                granted += sum(r.status is wire.ClaimStatus.GRANTED for r in result.results)
            return granted

        start = time.perf_counter()
        with ThreadPoolExecutor(STORM_CONSOLES) as pool:
            granted = sum(pool.map(storm, range(STORM_CONSOLES)))
        elapsed = time.perf_counter() - start
        out["claims_per_s"] = STORM_CLAIMS / elapsed
        out["claims_granted"] = granted

        # CPU: a compressed minute of 100 VMAs syncing once each
        held = {n: [secrets.token_hex(32) for _ in range(20)] for n in names}
        for n in names:
            clients[n].claim(held[n], 900)

        def round_(name: str) -> None:
            client = clients[name]
            client.send([_event(held[name][i % 20], i) for i in range(5)])
            client.heartbeat(held[name], 900)
            client.escalations(state="all", limit=100)
            client.handoffs("inbox")

        cpu0 = hub.cpu()
        start = time.perf_counter()
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(round_, names))
        out["minute_wall_s"] = time.perf_counter() - start
        out["minute_cpu_s"] = hub.cpu() - cpu0
        out["cpu_pct_core"] = out["minute_cpu_s"] / 60 * 100

        cpu0 = hub.cpu()
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda i: clients[names[i % CONSOLES]].health(), range(4 * CONSOLES)))
        out["health_cpu_s"] = hub.cpu() - cpu0
        for client in clients.values():
            client.close()
    finally:
        hub.stop()
    return out


TOTAL_EVENTS = CONSOLES * EVENTS_PER_SHIFT


def main() -> int:
    targets: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="vmadesk-bench-hub-") as tmp:
        workdir = Path(tmp)
        targets.append(("sqlite", f"sqlite:///{workdir / 'hub.sqlite3'}"))
        pg = os.environ.get("VMADESK_TEST_PG_URL")
        schema = None
        if pg:
            from sqlalchemy import text

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(pg)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in pg else "?"
            targets.append(("postgres", f"{pg}{sep}options=-csearch_path%3D{schema}"))
        results = {}
        try:
            for label, url in targets:
                print(f"running on {label} …", flush=True)
                results[label] = run(label, url, workdir)
        finally:
            if schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    print()
    print(f"{'measure':<44} " + " ".join(f"{label:>12}" for label in results))
    rows = [
        ("/health requests/s (baseline)", "health_rps", "{:.0f}"),
        (
            f"ingest events/s ({CONSOLES}×{EVENTS_PER_SHIFT}, batch {BATCH})",
            "events_per_s",
            "{:.0f}",
        ),
        ("  ratio: batches/s ÷ /health req/s", None, None),
        ("sync round trip p50 ms", "rtt_p50_ms", "{:.1f}"),
        ("sync round trip p95 ms", "rtt_p95_ms", "{:.1f}"),
        (
            f"claim storm claims/s ({STORM_CLAIMS}, {STORM_CONSOLES} consoles)",
            "claims_per_s",
            "{:.0f}",
        ),
        ("  claims granted (expect 5000)", "claims_granted", "{:.0f}"),
        ("100 VMAs × 1 sync: hub CPU s", "minute_cpu_s", "{:.2f}"),
        ("  same count of /health: hub CPU s", "health_cpu_s", "{:.2f}"),
        ("  ratio: sync CPU ÷ /health CPU", None, None),
        ("  % of one core (per 60 s; target < 10 %)", "cpu_pct_core", "{:.1f}"),
    ]
    for title, key, fmt in rows:
        cells = []
        for data in results.values():
            if key is not None:
                cells.append(fmt.format(data[key]))
            elif "batches" in title:
                cells.append(f"{data['batches_per_s'] / data['health_rps']:.2f}×")
            else:
                cells.append(f"{data['minute_cpu_s'] / max(data['health_cpu_s'], 1e-9):.1f}×")
        print(f"{title:<44} " + " ".join(f"{c:>12}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
