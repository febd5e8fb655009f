"""File → Import… and files dropped on the window: one preview dialog per file.

:data:`IMPORT_ACTION` is the window's File → Import… (it asks the shell through the window's
``import_requested`` signal); :class:`ImportActions` is the shell's part that chooses the
practice and opens the import dialog for each file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from vmadesk.ui.console.registry import ActionSpec

if TYPE_CHECKING:
    from vmadesk.ui.console.shell import ConsoleShell

#: File → Import…: usable while locked as before (the import itself refuses then).
IMPORT_ACTION = ActionSpec(
    "import",
    "&Import…",
    ("Ctrl+I",),
    "File",
    lambda window: window.import_requested.emit(),
    "import",
    allowed_while_locked=True,
)


class ImportActions:
    """Imports for the shell: the practice to import into, then each file's dialog."""

    def __init__(self, shell: ConsoleShell) -> None:
        """Import for ``shell`` (its context, window and lock)."""
        self.shell = shell

    def import_files(
        self,
        paths: list[Path] | None = None,
        *,
        choose_practice: Callable[[list[str]], int | None] | None = None,
    ) -> int:
        """Import each file through the preview dialog (File → Import… asks for one).

        The practice is the one the lanes are filtered to; under "All practices" with
        several, the VMA picks one first.

        Args:
            paths: Files dropped on the window; None chooses one in a file dialog.
            choose_practice: Picks an index among practice names (a dialog by default).

        Returns:
            How many of the files imported anything.
        """
        from vmadesk.ui.dialogs.imports.opening import open_import_dialog

        shell = self.shell
        if shell.lock.is_locked:
            return 0
        go_on, practice_id = self._import_practice(choose_practice or self._ask_practice)
        if not go_on:
            return 0
        imported = sum(
            open_import_dialog(shell.window, shell.ctx, practice_id=practice_id, path=path)
            for path in (paths or [None])
        )
        if imported:
            shell.refresh()
            shell.message(f"Imported {imported} file{'s' if imported > 1 else ''}.")
        return imported

    def _import_practice(
        self, choose: Callable[[list[str]], int | None]
    ) -> tuple[bool, int | None]:
        """(go on, practice id); None lets the import use the only, or a default, practice."""
        chosen_filter = getattr(self.shell.window, "practice_filter", None)
        if chosen_filter is not None and chosen_filter.currentData() is not None:
            return True, chosen_filter.currentData()
        practices = self.shell.ctx.worklist.practices()
        if len(practices) <= 1:
            return True, None
        index = choose([p.name for p in practices])
        return (False, None) if index is None else (True, practices[index].id)

    def _ask_practice(self, names: list[str]) -> int | None:
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getItem(
            self.shell.window, "Import", "Import into which practice?", names, 0, False
        )
        return names.index(name) if ok and name in names else None
