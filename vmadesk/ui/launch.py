"""Start the console: display check, Qt application, unlock, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from vmadesk.ui.display_check import display_problem

EXIT_NO_DISPLAY = 2


def launch(profile_dir: Path, *, supervisor: bool = False, hub_url: str | None = None) -> int:
    """Run the console until its window closes; return the exit code."""
    problem = display_problem()
    if problem:
        print(f"vmadesk: {problem}", file=sys.stderr)
        return EXIT_NO_DISPLAY
    from vmadesk.ui.application import run

    return run(profile_dir, supervisor=supervisor, hub_url=hub_url)
