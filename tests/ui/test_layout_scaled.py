"""The console and every dialog fit a 1280×720 screen at 100 % and at 150 % scaling.

Each run is its own process: the screen size and scale factor are fixed when Qt starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Room a window manager's title bar takes above a window (logical pixels).
TITLE_BAR = 24


def _probe(tmp_path: Path, scale: str) -> dict:
    config = tmp_path / f"screen-{scale}.json"
    screen = {"name": "s", "x": 0, "y": 0, "width": 1280, "height": 720, "logicalDpi": 96}
    config.write_text(json.dumps({"screens": [screen]}))
    out = tmp_path / f"layout-{scale}.json"
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        QT_SCALE_FACTOR=scale,
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.layout_probe", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_every_window_fits_1280x720_with_its_buttons(tmp_path, scale):
    report = _probe(tmp_path, scale)
    width, height = report.pop("screen")
    assert (width, height) == ((1280, 720) if scale == "1" else (853, 480))
    assert "console" in report and "settings" in report and "attempt eligibility" in report
    too_big = {}
    for name, seen in report.items():
        assert "error" not in seen, (name, seen)
        problems = []
        if seen["min_height"] > height - TITLE_BAR or seen["height"] > height - TITLE_BAR:
            problems.append(f"height {seen['height']} (min {seen['min_height']})")
        if seen["min_width"] > width or seen["width"] > width:
            problems.append(f"width {seen['width']} (min {seen['min_width']})")
        if seen["buttons_outside"]:
            problems.append(f"buttons outside: {seen['buttons_outside']}")
        if seen.get("clipped_columns"):
            problems.append(f"clipped columns: {seen['clipped_columns']}")
        if seen.get("columns_overflow", 0) > 0:
            # the default columns are those that fit: none needs the table scrolled sideways
            problems.append(
                f"columns {seen['columns_shown']} overflow by {seen['columns_overflow']}"
            )
        if problems:
            too_big[name] = problems
    assert not too_big, f"screen {width}×{height}: {too_big}"
    # who to call and how urgent, whatever the screen
    assert set(report["console"]["columns_shown"]) >= {"Patient", "State"}
    if scale == "1":
        assert "Due in" in report["console"]["columns_shown"]
