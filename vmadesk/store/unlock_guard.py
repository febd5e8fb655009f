"""Failed-unlock bookkeeping and back-off, kept outside the encrypted store.

A wrong passphrase cannot write to the database it failed to open, so the count of failures
lives in ``unlock_state.json`` (no secret, no PHI) and is moved into the audit chain at the
next successful unlock.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "unlock_state.json"
FREE_FAILURES = 3
MAX_DELAY_S = 30.0


@dataclass
class UnlockState:
    """Failures since the last successful unlock."""

    failures: int = 0
    last_failure: float = 0.0

    def delay_before_next(self, now: float) -> float:
        """Seconds to wait before the next try: exponential after three failures."""
        if self.failures < FREE_FAILURES:
            return 0.0
        delay = min(2.0 ** (self.failures - FREE_FAILURES), MAX_DELAY_S)
        return max(0.0, self.last_failure + delay - now)


def load(profile_dir: Path) -> UnlockState:
    """Read the state; a missing or damaged file counts as no failures."""
    try:
        data = json.loads((profile_dir / STATE_FILE).read_text("utf-8"))
        return UnlockState(int(data["failures"]), float(data["last_failure"]))
    except (OSError, ValueError, KeyError, TypeError):
        return UnlockState()


def _save(profile_dir: Path, state: UnlockState) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".unlock-", dir=profile_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"failures": state.failures, "last_failure": state.last_failure}, fh)
    os.replace(tmp, profile_dir / STATE_FILE)


def wait_turn(profile_dir: Path, sleep: Callable[[float], None] = time.sleep) -> float:
    """Sleep out any back-off owed by earlier failures; return the seconds waited."""
    delay = load(profile_dir).delay_before_next(time.time())
    if delay > 0:
        sleep(delay)
    return delay


def record_failure(profile_dir: Path) -> UnlockState:
    """Count one failed unlock."""
    state = load(profile_dir)
    state.failures += 1
    state.last_failure = time.time()
    _save(profile_dir, state)
    return state


def take_failures(profile_dir: Path) -> int:
    """Return the failures to record in the audit chain, and reset the count."""
    state = load(profile_dir)
    if state.failures:
        (profile_dir / STATE_FILE).unlink(missing_ok=True)
    return state.failures
