"""File → Import and drag-and-drop: choose the file, ask for a column mapping when needed, run.

The import process starts while the VMA picks the file (its ~0.5 s start-up is then not part of
the wait); a CSV whose headers are not recognised, remembered or a lane worklist's asks for
its mapping first; then :class:`~vmadesk.ui.dialogs.imports.import_dialog.ImportDialog`
previews and imports it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from vmadesk.services import import_offload, importer, lane_import
from vmadesk.services.console import Console
from vmadesk.services.import_types import CsvMapping, IngestError, partial_mapping
from vmadesk.ui.dialogs.imports.csv_mapping import CsvMappingDialog
from vmadesk.ui.dialogs.imports.import_dialog import ImportDialog

#: What the file chooser offers.
FILE_FILTER = "Practice exports (*.json *.csv *.txt);;All files (*)"


def choose_mapping(
    console: Console, path: Path, parent: QWidget | None
) -> tuple[bool, CsvMapping | None]:
    """Ask for a column mapping when a CSV's headers are not recognised.

    Returns:
        (go on, mapping): (False, None) when the VMA cancelled; (True, None) when no
        mapping is needed (FHIR, recognised or remembered headers).
    """
    if lane_import.is_lane_file(path):
        return True, None  # a PA or referral worklist: its lane's columns are known
    try:
        headers = importer.csv_headers(path)
    except IngestError:
        return True, None  # the read reports the problem with its location
    if headers is None or headers.detected is not None:
        return True, None
    remembered = importer.remembered_mapping(console.conn, headers.source_system)
    if remembered is not None:
        return True, remembered
    dialog = CsvMappingDialog(headers.headers, partial_mapping(headers.headers), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.mapping is None:
        return False, None
    return True, dialog.mapping


def open_import_dialog(
    parent: QWidget | None, console: Console, *, practice_id: int | None, path: Path | None = None
) -> bool:
    """File → Import (and drag-and-drop): returns True if anything was imported."""
    # The import process starts while the VMA picks the file: its ~0.5 s of start-up is
    # then not part of the wait.
    process = import_offload.ImportProcess()
    dialog: ImportDialog | None = None
    try:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                parent, "Import a practice export", "", FILE_FILTER
            )
            if not chosen:
                return False
            path = Path(chosen)
        go_on, mapping = choose_mapping(console, path, parent)
        if not go_on:
            return False
        dialog = ImportDialog(
            console, path, practice_id=practice_id, mapping=mapping, parent=parent, process=process
        )
    finally:
        if dialog is None:  # no import after all
            process.close()
    dialog.start()
    dialog.exec()
    return dialog.imported
