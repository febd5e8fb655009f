"""Started without a display, the console prints one clear line and exits 2 (no Qt abort)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import cli_env


def test_no_display_exits_2_with_one_line(tmp_path: Path, new_profile, profile_dir) -> None:
    env = cli_env()
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "vmadesk", "--profile", str(profile_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vmadesk: no display")
    assert "qt.qpa" not in result.stderr and "Aborted" not in result.stderr
    assert result.stdout == ""
