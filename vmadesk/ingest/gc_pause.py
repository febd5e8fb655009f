"""Pause the cyclic garbage collector while an import builds millions of acyclic objects.

Reading, planning and writing a 10,000-appointment export allocates millions of containers.
With the collector on, the allocation counter triggers full passes over all of them (~150 ms
each, holding the GIL: a UI stall) although they hold no cycles; reference counting frees
them anyway. So the import runs inside :func:`gc_paused`.

Re-enabling is the second trap: everything allocated during the pause sits in the youngest
generation, and the first collection afterwards walked all of it (122-144 ms measured in the
GUI import, on the worker thread). So the outermost pause ends with :func:`gc.freeze` then
:func:`gc.unfreeze`: two list splices, no walk, that move the survivors straight into the
oldest generation. The first collection after the pause is then a small one, and the
oldest generation is walked only when enough *new* long-lived objects accumulate.

Unfreezing at once, rather than keeping the import's objects frozen until "later", was
measured as good (the longest event-loop gap of a GUI import fell alike) and leaves nothing
frozen: a frozen garbage cycle (a finished process pool, say) would never be collected if
the "later" never came, e.g. after a refused file.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"depth": 0, "was_enabled": False}


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (nestable, thread-safe, restored on any exit).

    The outermost exit moves the survivors to the oldest generation (see the module
    docstring) and re-enables the collector if it was enabled on entry: also when the body
    raised, was cancelled or refused its input.
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
                gc.unfreeze()
                gc.enable()
