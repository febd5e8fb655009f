"""Background work for the UI: run a function on a pool thread, report back by signals.

The UI thread never waits on the keychain, a key derivation or a long job. A job gets a
:class:`Progress` it may use to report progress and to check for cancellation; its result or
error comes back on the UI thread through :class:`Job`'s signals.

A SQLCipher connection belongs to one thread: a job that needs the database asks the console
for its own (``Console.for_worker()``, with the same hub hooks) and closes it before returning.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import Shiboken


class Cancelled(Exception):
    """Raised inside a job that noticed it was cancelled."""


class Progress:
    """Handed to a job: report progress, check for cancellation (thread-safe)."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self._cancel = threading.Event()

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        """Tell the UI how far the job is (``text`` must carry no PHI)."""
        _emit(self._job, "progress", done, total, text)

    def check(self) -> None:
        """Raise :class:`Cancelled` when the VMA asked to stop."""
        if self._cancel.is_set():
            raise Cancelled

    @property
    def cancelled(self) -> bool:
        """Whether the VMA asked to stop."""
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the job to stop at its next :meth:`check`."""
        self._cancel.set()


class Job(QObject):
    """The UI-side handle of one background job; its signals arrive on the UI thread."""

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.control = Progress(self)
        self.running = True
        self.finished.connect(self._done)

    def cancel(self) -> None:
        """Ask the job to stop."""
        self.control.cancel()

    def _done(self) -> None:
        self.running = False
        _LIVE.discard(self)


#: Jobs not yet finished, kept alive until their signals have been delivered.
_LIVE: set[Job] = set()


class _Runnable(QRunnable):
    def __init__(self, job: Job, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.job = job
        self.fn = fn
        self.args = args

    def run(self) -> None:
        job = self.job
        try:
            result = self.fn(job.control, *self.args)
        except Cancelled:
            _emit(job, "cancelled")
        except BaseException as exc:  # reported to the UI, which decides what to show
            _emit(job, "failed", exc)
        else:
            _emit(job, "succeeded", result)
        finally:
            _emit(job, "finished")


def _emit(job: Job, signal: str, *args: Any) -> None:
    """Emit one of ``job``'s signals from the pool thread.

    The widget that owns a job may be closed (and deleted, and the job with it) while the job
    still runs: nobody is left to tell, so that signal is dropped instead of raising on the
    pool thread.
    """
    if Shiboken.isValid(job):
        try:
            getattr(job, signal).emit(*args)
            return
        except RuntimeError:
            if Shiboken.isValid(job):
                raise
    _LIVE.discard(job)  # its _done() will never run


def start(
    fn: Callable[..., Any],
    *args: Any,
    on_success: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    parent: QObject | None = None,
    pool: QThreadPool | None = None,
) -> Job:
    """Run ``fn(progress, *args)`` on a pool thread.

    Callbacks are connected before the job starts, so none of its signals is missed; they
    run on the thread of ``parent`` (the UI thread by default).
    """
    job = Job(parent)
    if on_success is not None:
        job.succeeded.connect(on_success)
    if on_error is not None:
        job.failed.connect(on_error)
    if on_progress is not None:
        job.progress.connect(on_progress)
    _LIVE.add(job)
    (pool or QThreadPool.globalInstance()).start(_Runnable(job, fn, args))
    return job
