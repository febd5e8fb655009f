"""The import preview names what a full export no longer lists, and words counts like the CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.services.import_samples import NOW, bundle, run, visit, write
from vmadesk.services.console import Console
from vmadesk.services.import_wording import ITEMS_NOTE, MISSING_TEXT
from vmadesk.store.profile import UnlockedProfile
from vmadesk.ui.dialogs.imports.csv_mapping import CsvMappingDialog
from vmadesk.ui.dialogs.imports.import_dialog import ImportDialog
from vmadesk.ui.dialogs.imports.preview import COLUMNS, MISSING_LABEL


def test_missing_items_are_listed_first_and_counts_read_as_in_the_terminal(
    qtbot: QtBot, new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    day = NOW + timedelta(days=3)
    both = bundle(*visit("a1", start=day), *visit("a2", pid="p2", start=day + timedelta(hours=1)))
    run(new_profile, write(tmp_path / "monday.json", both))
    # The next full export of that day lists only a1: a2's two items are missing.
    path = write(tmp_path / "monday-2.json", bundle(*visit("a1", start=day)))
    dialog = ImportDialog(Console(new_profile), path, practice_id=None, now=NOW)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.plan and d.plan.release())
    dialog.start()
    qtbot.waitUntil(lambda: dialog.state in ("preview", "failed"), timeout=30_000)
    text = dialog.counts.text()
    assert text.splitlines()[0] == "Created 0 · Updated 0 · Closed 0 · Skipped 2 · Missing 2"
    assert "Skipped: 2 unchanged" in text
    assert f"{MISSING_TEXT}: 2, listed first." in text and ITEMS_NOTE in text
    model = dialog.model
    rows = [[model.index(r, c).data() for c in range(len(COLUMNS))] for r in range(2)]
    assert [r[0] for r in rows] == [MISSING_LABEL, MISSING_LABEL]
    assert {r[1] for r in rows} == {"Confirmations", "Eligibility checks"}
    assert all(r[4] == "not in this file" for r in rows)


@pytest.mark.logs_warnings
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # modal, offscreen
def test_a_refused_csv_can_be_mapped_again_and_read(
    qtbot: QtBot, new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    # "Start" is recognised as the appointment's time, but this report keeps the room there.
    day = (NOW + timedelta(days=3)).strftime("%m/%d/%Y")
    path = tmp_path / "rooms.csv"
    path.write_text(
        "Appt ID,Appt Date,Start,Slot,Patient Name,Cell\n"
        f'A1,{day},Room 4,9:30 AM,"Zyxwvutsky, Quentin",(212) 555-0142\n'
    )
    dialog = ImportDialog(Console(new_profile), path, practice_id=None, now=NOW)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.plan and d.plan.release())
    dialog.start()
    qtbot.waitUntil(lambda: dialog.state in ("preview", "failed"), timeout=30_000)
    assert dialog.state == "failed" and "column 3 (start)" in dialog.status.text()
    assert dialog.map_button.isVisibleTo(dialog)

    def choose_slot() -> None:
        mapping = QApplication.activeModalWidget()
        if not isinstance(mapping, CsvMappingDialog):
            QTimer.singleShot(20, choose_slot)
            return
        combo = mapping.combos["start"]
        combo.setCurrentIndex(combo.findData("Slot"))
        mapping.accept()

    QTimer.singleShot(20, choose_slot)
    dialog.map_button.click()
    qtbot.waitUntil(lambda: dialog.state in ("preview", "failed"), timeout=30_000)
    assert dialog.state == "preview", dialog.status.text()
    assert dialog.counts_summary()["created"] == 2
    assert not dialog.map_button.isVisibleTo(dialog)


@pytest.mark.logs_warnings
def test_a_refused_fhir_file_offers_no_column_mapping(
    qtbot: QtBot, new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    path = write(tmp_path / "cut.json", json.dumps(bundle(*visit()))[:200])
    dialog = ImportDialog(Console(new_profile), path, practice_id=None, now=NOW)
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.state == "failed", timeout=30_000)
    assert not dialog.map_button.isVisibleTo(dialog)
