"""Start the console: display check, Qt application, unlock, main window.

The start path's store and services (no Qt in them) load before Qt does: PySide6 reads the
source of every module imported after it, looking for ``from __feature__ import`` (PYSIDE-2029),
about 0.1 ms a module — for the ~40 modules of the unlock and the first lane, time no paint
needs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vmadesk.ui.display_check import display_problem

EXIT_NO_DISPLAY = 2


def load_start_path() -> None:
    """Import the store and services the first lane needs, before Qt (see the module doc)."""
    import vmadesk.services.console  # noqa: F401  (imported for its modules, not a name)


def launch(profile_dir: Path, *, supervisor: bool = False, hub_url: str | None = None) -> int:
    """Run the console until its window closes; return the exit code."""
    problem = display_problem()
    if problem:
        print(f"vmadesk: {problem}", file=sys.stderr)
        return EXIT_NO_DISPLAY
    load_start_path()
    from vmadesk.ui.application import run

    return run(profile_dir, supervisor=supervisor, hub_url=hub_url)
