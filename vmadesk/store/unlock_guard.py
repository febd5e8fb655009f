"""Failed-unlock bookkeeping and back-off, kept outside the encrypted store.

A wrong passphrase cannot write to the database it failed to open, so the count of failures
lives in ``unlock_state.json`` (no secret, no PHI) and is moved into the audit chain at the
next successful unlock.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vmadesk.store.private_files import read_small, write_atomic

STATE_FILE = "unlock_state.json"
FREE_FAILURES = 3
MAX_DELAY_S = 30.0
Clock = Callable[[], float]


@dataclass
class UnlockState:
    """Failures since the last successful unlock."""

    failures: int = 0
    last_failure: float = 0.0

    def delay_before_next(self, now: float) -> float:
        """Seconds to wait before the next try: exponential after three failures.

        Never more than :data:`MAX_DELAY_S`, whatever the file says: a failure time in the
        future (the clock was set back) counts as a failure just now.
        """
        if self.failures < FREE_FAILURES:
            return 0.0
        # The exponent is capped before the power: a huge count must not overflow.
        delay = min(2.0 ** min(self.failures - FREE_FAILURES, 16), MAX_DELAY_S)
        elapsed = max(0.0, now - self.last_failure)
        return max(0.0, delay - elapsed)


def load(profile_dir: Path) -> UnlockState:
    """Read the state; a missing or damaged file counts as no failures."""
    try:
        data = json.loads(read_small(profile_dir / STATE_FILE, 4096).decode("utf-8"))
        failures, last = data["failures"], float(data["last_failure"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError, UnicodeDecodeError):
        return UnlockState()
    if type(failures) is not int or failures < 0 or not math.isfinite(last):
        return UnlockState()
    return UnlockState(failures, last)


def _save(profile_dir: Path, state: UnlockState) -> None:
    data = {"failures": state.failures, "last_failure": state.last_failure}
    write_atomic(profile_dir / STATE_FILE, json.dumps(data).encode("utf-8"))


def seconds_to_wait(profile_dir: Path, clock: Clock = time.time) -> float:
    """The back-off still owed; a failure time in the future is clamped to now (and saved).

    Clamping in the file matters: otherwise a clock set back by a day would owe the full
    delay again at every try, for a day.
    """
    state = load(profile_dir)
    now = clock()
    if state.last_failure > now:
        state.last_failure = now
        # If it cannot be saved, the wait is still bounded; the next try clamps again.
        with contextlib.suppress(OSError):
            _save(profile_dir, state)
    return state.delay_before_next(now)


def wait_turn(
    profile_dir: Path, sleep: Callable[[float], None] = time.sleep, clock: Clock = time.time
) -> float:
    """Sleep out any back-off owed by earlier failures; return the seconds waited."""
    delay = seconds_to_wait(profile_dir, clock)
    if delay > 0:
        sleep(delay)
    return delay


def record_failure(profile_dir: Path, clock: Clock = time.time) -> UnlockState:
    """Count one failed unlock.

    Raises:
        OSError: The state could not be written (full disk, read-only folder).
    """
    state = load(profile_dir)
    state.failures += 1
    state.last_failure = clock()
    _save(profile_dir, state)
    return state


def take_failures(profile_dir: Path) -> int:
    """Return the failures to record in the audit chain, and reset the count."""
    state = load(profile_dir)
    if state.failures:
        (profile_dir / STATE_FILE).unlink(missing_ok=True)
    return state.failures
