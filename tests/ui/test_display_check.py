from vmadesk.ui.display_check import display_problem


def test_headless_linux_is_refused_with_a_clear_line() -> None:
    problem = display_problem({}, "linux")
    assert problem is not None and "no display" in problem and "\n" not in problem


def test_offscreen_and_displays_are_accepted() -> None:
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({}, "darwin") is None


def test_x11_without_xcb_cursor_names_the_package(monkeypatch) -> None:
    import ctypes.util

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    problem = display_problem({"DISPLAY": ":0"}, "linux")
    assert problem is not None and "libxcb-cursor0" in problem
