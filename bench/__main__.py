"""Run every benchmark: ``python -m bench`` (``make bench``). Each prints its own table."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

MODULES = ("bench_store", "bench_import", "bench_console", "bench_hub", "bench_shift_soak")


def main() -> int:
    """Run each benchmark module in its own process (cold caches, no shared Qt state)."""
    failures = 0
    for name in MODULES:
        if importlib.util.find_spec(f"bench.{name}") is None:
            continue
        print(f"\n=== bench.{name} ===", flush=True)
        failures += subprocess.call([sys.executable, "-m", f"bench.{name}", *sys.argv[1:]]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
