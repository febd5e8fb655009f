"""Pause the cyclic garbage collector while an import builds millions of acyclic objects.

Reading, planning and writing a 10,000-appointment export allocates millions of containers.
With the collector on, the allocation counter triggers full passes over all of them (~150 ms
each, holding the GIL: a UI stall) although they hold no cycles; reference counting frees
them anyway. So the import runs inside :func:`gc_paused`.

Re-enabling is the second trap: everything allocated during the pause sits in the youngest
generation, and the first collection afterwards walks all of it (~90 ms measured). So the
outermost pause ends with :func:`gc.freeze`, which moves the survivors to the permanent
generation in O(1) (no walk), before :func:`gc.enable`. :func:`gc_thaw` gives them back to
the oldest generation once the import is finished with them; by then most are freed, and
the oldest generation is only walked when enough new long-lived objects accumulate.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"depth": 0, "was_enabled": False, "frozen": False}


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (nestable, thread-safe, restored on any exit).

    The outermost exit freezes the survivors (see the module docstring) and re-enables the
    collector if it was enabled on entry, also when the body raised or was cancelled.
    """
    with _lock:
        if _state["depth"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["was_enabled"]:
                gc.freeze()
                _state["frozen"] = True
                gc.enable()


def gc_thaw() -> None:
    """Hand the objects frozen by :func:`gc_paused` back to the collector (O(1), no walk).

    Call when an import is done (or abandoned): a cycle among the frozen objects (other
    threads allocate during a pause too) is collectable again. A no-op inside a pause.
    """
    with _lock:
        if _state["depth"] == 0 and _state["frozen"]:
            gc.unfreeze()
            _state["frozen"] = False
