import logging
import resource
import sys
from pathlib import Path

import pytest

from vmadesk import app_logging


def test_log_file_in_platform_dir_and_redacted(platform_dirs: dict[str, Path]) -> None:
    target = app_logging.configure()
    assert platform_dirs["state"] in target.parents
    log = logging.getLogger("vmadesk.test")
    log.info("dialled %s born %s for item %d", "+1 (212) 555-0187", "04/05/1961", 42)
    log.info("GET http://127.0.0.1:8765/v1/trends 200 12.5ms")
    log.info("Born 1961-04-05.")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = target.read_text()
    assert "item 42" in text
    assert "555-0187" not in text and "04/05/1961" not in text
    assert "[number]" in text and "[date]" in text
    assert "127.0.0.1:8765" in text and "200 12.5ms" in text
    assert "1961-04-05" not in text


def test_crash_report_has_no_exception_message(platform_dirs: dict[str, Path]) -> None:
    try:
        raise ValueError("Patient Zyxwvutsky, phone 2125550187")
    except ValueError:
        exc_type, _, tb = sys.exc_info()
    assert exc_type is not None
    report = app_logging.write_crash_report(exc_type, tb)
    text = report.read_text()
    assert "builtins.ValueError" in text
    assert "test_app_logging.py" in text
    assert "Zyxwvutsky" not in text and "2125550187" not in text
    assert platform_dirs["state"] in report.parents


@pytest.mark.logs_warnings
def test_excepthook_writes_report(platform_dirs: dict[str, Path]) -> None:
    shown: list[Path] = []
    previous = sys.excepthook
    try:
        app_logging.install_excepthook(show=shown.append)
        try:
            raise KeyError("Zyxwvutsky")
        except KeyError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    assert len(shown) == 1 and "Zyxwvutsky" not in shown[0].read_text()


def test_core_dumps_disabled() -> None:
    before = resource.getrlimit(resource.RLIMIT_CORE)
    try:
        app_logging.disable_core_dumps()
        assert resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
    finally:
        # Lowering the hard limit cannot be undone without privileges; restore the soft one.
        resource.setrlimit(resource.RLIMIT_CORE, (min(before[0], 0), 0))


def test_qt_messages_go_to_the_log_redacted(platform_dirs: dict[str, Path]) -> None:
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    target = app_logging.configure()
    previous = app_logging.route_qt_messages()
    try:
        qWarning("Unable to detect a web browser to launch 'tel:+14155550177'")
    finally:
        qInstallMessageHandler(previous)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = target.read_text()
    assert "Unable to detect a web browser" in text
    assert "4155550177" not in text and "[number]" in text


def test_a_quick_start_logs_plainly_then_rotates(platform_dirs: dict[str, Path]) -> None:
    target = app_logging.configure(rotate=False)
    root = logging.getLogger()
    assert [type(h).__name__ for h in root.handlers] == ["FileHandler"]
    logging.getLogger("vmadesk.test").info("before: call +1 212 555 0187 about item 7")
    app_logging.start_rotation()
    assert [type(h).__name__ for h in root.handlers] == ["RotatingFileHandler"]
    logging.getLogger("vmadesk.test").info("after: born 04/05/1961, item 8")
    for handler in root.handlers:
        handler.flush()
    text = target.read_text()
    # One file, both lines, both redacted: the swap loses nothing and keeps the filter.
    assert "item 7" in text and "item 8" in text
    assert "555 0187" not in text and "04/05/1961" not in text


def test_a_full_log_disk_is_refused_at_start_in_one_line(
    platform_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    from vmadesk import paths

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    paths.log_dir().mkdir(parents=True, exist_ok=True)
    (paths.log_dir() / app_logging.LOG_FILE).symlink_to("/dev/full")
    with pytest.raises(OSError) as caught:
        app_logging.configure()
    assert caught.value.errno == errno.ENOSPC
    assert "Logging error" not in capsys.readouterr().err


def test_a_log_disk_that_fills_up_later_is_one_line_not_a_dump(
    platform_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    target = app_logging.configure(rotate=False)
    handler = logging.getLogger().handlers[0]

    class FullStream:
        def write(self, _text: str) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self) -> None:
            pass

    handler.stream.close()  # type: ignore[attr-defined]  # the real file, before the full one
    handler.stream = FullStream()  # type: ignore[attr-defined]
    for n in range(3):
        logging.getLogger("vmadesk.test").warning("line %d", n)
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    assert err.count("\n") == 1 and "continuing without it" in err
    assert target.exists()


def test_log_files_are_private_whatever_the_umask(platform_dirs: dict[str, Path]) -> None:
    import os

    old = os.umask(0o022)
    try:
        target = app_logging.configure()
        logging.getLogger("vmadesk.test").info("hello")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o077 == 0
