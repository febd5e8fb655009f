"""Decide, before Qt is loaded, whether a window can be shown at all.

Qt aborts the process when its platform plugin cannot start; the console must instead
print one clear line and exit 2.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

_MISSING = re.compile(r"(lib[\w.+-]+\.so(?:\.\d+)*)")


def xcb_plugin() -> Path | None:
    """Path of Qt's X11 platform plugin inside the installed PySide6, if present."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(next(iter(spec.submodule_search_locations))) / "Qt/plugins/platforms/libqxcb.so"
    return plugin if plugin.exists() else None


def debian_package(soname: str) -> str:
    """Debian's package name for a shared library (libxcb-icccm.so.4 -> libxcb-icccm4)."""
    name, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def missing_xcb_library(plugin: Path | None) -> str | None:
    """The first system library the X11 plugin cannot load, or None if it loads.

    Loading the plugin library (not starting Qt) takes milliseconds and names exactly what
    is missing, where Qt itself would only abort.
    """
    if plugin is None:
        return None
    import ctypes  # only on X11: not on the start path elsewhere

    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as exc:
        found = _MISSING.search(str(exc))
        return found.group(1) if found else "a library Qt's xcb plugin needs"
    return None


def display_problem(
    environ: dict[str, str] | None = None,
    platform: str | None = None,
    plugin: Path | bool | None = True,
) -> str | None:
    """Return why no window can be shown, or None when one can.

    Args:
        environ: Environment to inspect (defaults to ``os.environ``).
        platform: ``sys.platform`` override for tests.
        plugin: The X11 plugin to probe; True finds the installed one.
    """
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    if env.get("QT_QPA_PLATFORM", "").split(":")[0] in {"offscreen", "minimal", "vnc"}:
        return None
    if not plat.startswith("linux"):
        return None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return (
            "no display: vmadesk needs a desktop session ($DISPLAY or $WAYLAND_DISPLAY is not "
            "set); use the CLI (vmadesk --help) on a headless machine"
        )
    if env.get("WAYLAND_DISPLAY"):
        return None
    missing = missing_xcb_library(xcb_plugin() if plugin is True else plugin or None)
    if missing:
        package = debian_package(missing) if missing.startswith("lib") else "libxcb-cursor0"
        return (
            f"Qt 6 cannot open a window on X11: {missing} is missing (Debian/Ubuntu: sudo "
            f"apt-get install {package}; Qt 6 also needs libxcb-cursor0)"
        )
    return None
