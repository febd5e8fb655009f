"""Decide, before Qt is loaded, whether a window can be shown at all.

Qt aborts the process when its platform plugin cannot start; the console must instead
print one clear line and exit 2.
"""

from __future__ import annotations

import ctypes.util
import os
import sys


def display_problem(
    environ: dict[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Return why no window can be shown, or None when one can.

    Args:
        environ: Environment to inspect (defaults to ``os.environ``).
        platform: ``sys.platform`` override for tests.
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
    if (
        env.get("DISPLAY")
        and not env.get("WAYLAND_DISPLAY")
        and not ctypes.util.find_library("xcb-cursor")
    ):
        return (
            "Qt 6 cannot open a window on X11 without libxcb-cursor0: install it "
            "(e.g. 'sudo apt-get install libxcb-cursor0')"
        )
    return None
