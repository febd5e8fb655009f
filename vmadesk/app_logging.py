"""Logging to a rotating file in the platform log directory, and crash reports.

Log lines carry item ids, counts and codes, never content. A redacting filter is a second
line of defence: it masks anything shaped like a phone number or a date before it is written.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from vmadesk import paths

LOG_FILE = "vmadesk.log"
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
# Not part of a longer dotted number (an IP address), but a sentence's full stop is fine.
_DATE = re.compile(r"(?<!\d)(?<!\d\.)\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?!\.?\d)")
_fault_file = None
#: False while configure() probes the file (its failure is raised, not printed).
_started = False


_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    # Phone numbers have at least seven digits; addresses, ports and timings stay readable.
    if sum(ch.isdigit() for ch in text) < 7 or _IPV4.fullmatch(text):
        return text
    return "[number]"


class RedactingFilter(logging.Filter):
    """Mask phone- and date-shaped text in every record (defence in depth)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with masks; always keep the record."""
        message = record.getMessage()
        masked = _DATE.sub("[date]", _PHONE.sub(_mask_phone, message))
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure(
    level: int = logging.INFO, *, log_dir: Path | None = None, rotate: bool = True
) -> Path:
    """Send vmadesk's logs to a rotating file; nothing goes to the terminal.

    Args:
        level: The root level.
        log_dir: The folder (default: the platform's log directory).
        rotate: Rotate at 1 MB (5 kept). The console starts without (the rotating handler's
            module costs ~9 ms before the first lane is painted) and calls
            :func:`start_rotation` once it is on screen.

    Returns:
        The log file path.
    """
    directory = log_dir or paths.log_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / LOG_FILE
    handler = _rotating(target) if rotate else logging.FileHandler(target, encoding="utf-8")
    _private(target)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(_dressed(handler))
    root.setLevel(level)
    logging.captureWarnings(True)
    # One line written now: a full log disk is one clear refusal at the start, not a
    # "--- Logging error ---" dump in the middle of the work.
    global _started
    _started = False
    _write_failures.clear()
    logging.getLogger("vmadesk").info("vmadesk started")
    if _write_failures:
        root.removeHandler(handler)
        handler.close()
        raise _write_failures[0]
    _started = True
    return target


#: Errors met writing the log since :func:`configure` (the first one is reported).
_write_failures: list[OSError] = []


def _private(target: Path) -> None:
    # A log file left 0644 by an older release (or another umask) is made private too.
    with contextlib.suppress(OSError):
        os.chmod(target, 0o600)


def _log_write_failed(handler: logging.Handler, record: logging.LogRecord) -> None:
    """Replace logging's traceback dump with one line, once; the work goes on without a log."""
    error = sys.exc_info()[1]
    if not isinstance(error, OSError):
        error = OSError(0, type(error).__name__ if error else "unknown error")
    if not _write_failures:
        _write_failures.append(error)
        if _started:
            print(
                "vmadesk: the log file can no longer be written "
                f"({error.strerror or 'error'}); continuing without it.",
                file=sys.stderr,
            )


def start_rotation() -> None:
    """Swap a plain file handler left by ``configure(rotate=False)`` for the rotating one."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if type(old) is logging.FileHandler:
            root.removeHandler(old)
            old.close()
            root.addHandler(_dressed(_rotating(Path(old.baseFilename))))


def _rotating(target: Path) -> logging.Handler:
    import logging.handlers

    return logging.handlers.RotatingFileHandler(
        target, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )


def _dressed(handler: logging.Handler) -> logging.Handler:
    # An instance attribute: Handler.emit calls self.handleError on any write failure.
    handler.handleError = lambda record: _log_write_failed(handler, record)  # type: ignore[method-assign]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    return handler


def disable_core_dumps() -> None:
    """A core dump would hold the database key and every PHI string in memory."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # not on this platform
        pass


def write_crash_report(
    exc_type: type[BaseException], tb: TracebackType | None, *, log_dir: Path | None = None
) -> Path:
    """Write a crash report: exception type and code locations only.

    The exception's message and local variables are left out: either may hold PHI.
    """
    directory = log_dir or paths.log_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"crash-{stamp}.txt"
    frames = [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    from vmadesk import __version__

    text = "\n".join(
        [
            f"vmadesk {__version__} crash at {stamp}",
            f"{exc_type.__module__}.{exc_type.__name__}",
            *frames,
            "",
        ]
    )
    target.write_text(text, encoding="utf-8")
    os.chmod(target, 0o600)
    return target


def install_excepthook(show: Callable[[Path], None] | None = None) -> None:
    """Route uncaught exceptions to a PHI-free crash report (and a dialog, if ``show``)."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            report = write_crash_report(exc_type, tb)
        except OSError as error:
            print(
                "vmadesk stopped on an internal error; no report could be written "
                f"({error.strerror or 'error'}).",
                file=sys.stderr,
            )
            return
        logging.getLogger("vmadesk.crash").error(
            "uncaught %s; report %s", exc_type.__name__, report.name
        )
        if show is not None:
            show(report)
        else:
            print(f"vmadesk stopped on an internal error; report: {report}", file=sys.stderr)

    sys.excepthook = hook


def enable_faulthandler(log_dir: Path | None = None) -> None:
    """Dump native-crash tracebacks (code locations only) to a file in the log folder."""
    global _fault_file
    directory = log_dir or paths.log_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    previous = _fault_file
    _fault_file = (directory / "faults.txt").open("a", encoding="utf-8")
    faulthandler.enable(_fault_file)
    if previous is not None:  # enabled again (a second console in one process): let it go
        previous.close()
    else:
        atexit.register(_close_fault_file)


def _close_fault_file() -> None:
    """At exit: no more native tracebacks to catch; close the file (no unclosed-file warning)."""
    if _fault_file is not None:
        faulthandler.disable()
        _fault_file.close()


def route_qt_messages() -> object:
    """Send Qt's own warnings to the log file (redacted) instead of the terminal.

    Qt prints things like "Unable to detect a web browser to launch 'tel:+1…'" on stderr,
    which desktop sessions keep in their journal: with this handler they pass through the
    redacting filter like every other log line.

    Returns:
        The handler it replaced.
    """
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    return qInstallMessageHandler(handler)  # the previous handler, to restore
