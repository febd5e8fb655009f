"""Store benchmarks: unlocking with the passphrase (Argon2id) vs opening with the raw key.

Every figure is reported next to a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from vmadesk.store import profile as profiles
from vmadesk.store.connection import connect

PASSPHRASE = "benchmark passphrase"


def _median_ms(fn, repeat: int = 7) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    """Print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "p"
        profile, _ = profiles.create(
            directory, PASSPHRASE, vma_handle="bench", keychain_choice="no"
        )
        key = profile.key
        profile.close()
        raw = _median_ms(lambda: connect(directory / profiles.DB_FILE, key).close())
        full = _median_ms(
            lambda: profiles.unlock(directory, passphrase=PASSPHRASE, use_keychain=False).close()
        )
    print(f"{'operation':44} {'median ms':>10} {'ratio':>8}")
    print(f"{'open with raw key (baseline)':44} {raw:10.2f} {1.0:8.1f}")
    print(f"{'unlock with passphrase (Argon2id + open)':44} {full:10.2f} {full / raw:8.1f}")


if __name__ == "__main__":
    main()
