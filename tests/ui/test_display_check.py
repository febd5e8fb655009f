from pathlib import Path

from vmadesk.ui.display_check import (
    debian_package,
    display_problem,
    missing_xcb_library,
    xcb_plugin,
)


def test_headless_linux_is_refused_with_a_clear_line() -> None:
    problem = display_problem({}, "linux")
    assert problem is not None and "no display" in problem and "\n" not in problem


def test_offscreen_and_other_platforms_are_accepted() -> None:
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({}, "darwin") is None


def test_missing_system_library_is_named(tmp_path: Path) -> None:
    # A "plugin" that is not a loadable library stands in for a plugin whose deps are gone.
    fake = tmp_path / "libqxcb.so"
    fake.write_bytes(b"not an ELF file")
    assert missing_xcb_library(fake) is not None
    problem = display_problem({"DISPLAY": ":0"}, "linux", plugin=fake)
    assert problem is not None and "apt-get install" in problem and "\n" not in problem


def test_installed_plugin_is_found() -> None:
    assert xcb_plugin() is not None


def test_debian_package_names() -> None:
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
