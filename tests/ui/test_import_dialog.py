"""The import dialog on a real profile: preview counts, import, cancel rolls back, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.services.import_samples import NOW, bundle, dump, visit, write
from vmadesk.ingest.csv_mapping import CsvMapping
from vmadesk.ingest.samples import make_fhir_bundle
from vmadesk.services import importer
from vmadesk.services.console import Console
from vmadesk.store import practices
from vmadesk.store.profile import UnlockedProfile
from vmadesk.ui.dialogs.imports.csv_mapping import CsvMappingDialog
from vmadesk.ui.dialogs.imports.import_dialog import ImportDialog


@pytest.fixture
def console(new_profile: UnlockedProfile) -> Console:
    return Console(new_profile)


def _dialog(qtbot: QtBot, console: Console, path: Path, **kw) -> ImportDialog:
    kw.setdefault("now", NOW)
    dialog = ImportDialog(console, path, practice_id=None, **kw)
    # Never shown, so closing it at the end does not call done(): let its plan go here.
    qtbot.addWidget(dialog, before_close_func=_release)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.state not in ("reading",), timeout=30_000)
    return dialog


def _release(dialog: ImportDialog) -> None:
    if dialog.plan is not None:
        dialog.plan.release()


def test_preview_then_import(qtbot: QtBot, console: Console, tmp_path: Path) -> None:
    path = write(tmp_path / "today.json", bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2")))
    dialog = _dialog(qtbot, console, path)
    assert dialog.state == "preview"
    assert dialog.counts_summary() == {
        "created": 4,
        "updated": 0,
        "reopened": 0,
        "closed": 0,
        "skipped": 0,
        "missing": 0,
    }
    assert dialog.counts.text().startswith("Created 4 · Updated 0 · Closed 0 · Skipped 0")
    assert dialog.model.rowCount() == 4
    assert dialog.model.index(0, 0).data() == "New"
    assert dialog.import_button.isEnabled()
    assert dump(console.conn)[0] == []  # the preview wrote nothing
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=30_000)
    assert dialog.imported
    assert len(dump(console.conn)[0]) == 4
    # the same file again: nothing to change
    again = _dialog(qtbot, console, path)
    assert again.state == "preview" and not again.import_button.isEnabled()
    assert again.counts_summary()["skipped"] == 4  # items: two lanes of two visits


def test_cancel_during_import_rolls_back(qtbot: QtBot, console: Console, tmp_path: Path) -> None:
    path = write(tmp_path / "big.json", make_fhir_bundle(1500, seed=2))
    dialog = _dialog(qtbot, console, path, now=datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert dialog.state == "preview" and dialog.plan is not None
    before = dump(console.conn)
    # Cancel as soon as the first chunk is reported: the transaction is rolled back.
    dialog.progress.valueChanged.connect(lambda v: v > 0 and dialog.cancel())
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.state in ("cancelled", "done"), timeout=30_000)
    assert dialog.state == "cancelled"
    assert not dialog.imported
    assert dump(console.conn) == before
    assert "nothing was imported" in dialog.status.text()


def test_cancel_while_reading(qtbot: QtBot, console: Console, tmp_path: Path) -> None:
    path = write(tmp_path / "big.json", make_fhir_bundle(1500, seed=2))
    dialog = ImportDialog(console, path, practice_id=None, now=NOW)
    qtbot.addWidget(dialog)
    dialog.start()
    dialog.cancel()
    qtbot.waitUntil(lambda: dialog.state in ("cancelled", "preview"), timeout=30_000)
    assert dialog.state == "cancelled"
    assert not dialog.imported


@pytest.mark.logs_warnings
def test_refused_file_shows_one_line(qtbot: QtBot, console: Console, tmp_path: Path) -> None:
    doc = json.dumps(bundle(*visit()))
    path = write(tmp_path / "cut.json", doc[:200])
    dialog = _dialog(qtbot, console, path)
    assert dialog.state == "failed"
    assert dialog.status.text().startswith("⚠ cut.json")
    assert "Zyxwvutsky" not in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    assert dump(console.conn)[0] == []


def test_mapping_dialog_prefills_and_requires_fields(qtbot: QtBot) -> None:
    headers = ["Visit Key", "When", "Who", "Tel"]
    dialog = CsvMappingDialog(headers, CsvMapping(patient_name="Who", phone="Tel"))
    qtbot.addWidget(dialog)
    assert dialog.combos["patient_name"].currentText() == "Who"
    dialog.accept()
    assert dialog.mapping is None and not dialog.error.isHidden()
    dialog.combos["appointment_id"].setCurrentIndex(1)
    dialog.combos["start"].setCurrentIndex(2)
    dialog.accept()
    assert dialog.mapping == CsvMapping(
        appointment_id="Visit Key", start="When", patient_name="Who", phone="Tel"
    )


def test_import_with_mapping_remembers_it(qtbot: QtBot, console: Console, tmp_path: Path) -> None:
    path = write(
        tmp_path / "odd.csv", 'Visit Key,When,Who\r\nv1,2026-03-05 10:00,"Zyxwvutsky, Q"\r\n'
    )
    mapping = CsvMapping(appointment_id="Visit Key", start="When", patient_name="Who")
    dialog = _dialog(qtbot, console, path, mapping=mapping)
    assert dialog.counts_summary()["created"] == 2
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=30_000)
    headers = importer.csv_headers(path)
    assert headers is not None
    assert importer.remembered_mapping(console.conn, headers.source_system) == mapping


def test_enrolled_profile_queues_claims_from_the_worker(
    qtbot: QtBot, console: Console, tmp_path: Path
) -> None:
    from tests.support.consoles import offline_enrol

    offline_enrol(console.conn)
    path = write(tmp_path / "today.json", bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2")))
    dialog = _dialog(qtbot, console, path)
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=30_000)
    kinds = [k for (k,) in console.conn.execute("SELECT kind FROM outbox ORDER BY id")]
    assert kinds.count("claim") == 4 and kinds.count("item_event") == 4


def test_preview_shows_warnings(qtbot: QtBot, console: Console, tmp_path: Path) -> None:
    from tests.services.test_importer import CANARY, appointment

    display_only = appointment("a3", start=NOW.replace(day=5), pid="gone")
    display_only["participant"][0]["actor"]["display"] = f"{CANARY}, Quentin"
    path = write(tmp_path / "w.json", bundle(*visit("a1"), display_only))
    dialog = _dialog(qtbot, console, path)
    assert dialog.state == "preview"
    assert not dialog.warnings.isHidden()
    text = dialog.warnings.text()
    assert "1 warning:" in text
    assert "w.json, entry 3, field 'participant': patient not in the file" in text
    assert CANARY not in text + dialog.warnings.toolTip()
    assert dialog.warning_texts() == [w.replace("• ", "") for w in text.splitlines()[1:]]


def test_preview_without_warnings_hides_the_label(
    qtbot: QtBot, console: Console, tmp_path: Path
) -> None:
    path = write(tmp_path / "today.json", bundle(*visit("a1")))
    dialog = _dialog(qtbot, console, path)
    assert dialog.warnings.isHidden()


def _import_process_ends(dialog: ImportDialog) -> None:
    assert dialog.plan is not None and dialog.plan.replan is not None
    process = dialog.plan.replan.process  # type: ignore[attr-defined]
    assert process.join(timeout=30)


def test_store_changed_since_the_preview_imports_what_is_new(
    qtbot: QtBot, console: Console, tmp_path: Path
) -> None:
    path = write(tmp_path / "today.json", bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2")))
    dialog = _dialog(qtbot, console, path)
    assert dialog.counts_summary()["created"] == 4
    importer.import_file(console.profile, path, now=NOW)  # meanwhile, the same file
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=30_000)
    assert dialog.report is not None
    assert (dialog.report.created, dialog.report.skipped) == (0, 4)  # planned again, no twins
    assert len(dump(console.conn)[0]) == 4
    _import_process_ends(dialog)  # the import is done: its process is gone


def test_closing_the_preview_ends_the_import_process(
    qtbot: QtBot, console: Console, tmp_path: Path
) -> None:
    path = write(tmp_path / "today.json", bundle(*visit("a1")))
    dialog = _dialog(qtbot, console, path)
    assert dialog.state == "preview"
    dialog.cancel()  # nothing running: closes
    _import_process_ends(dialog)
    assert dump(console.conn)[0] == []


@pytest.mark.logs_warnings
def test_preview_on_a_profile_without_practices_writes_nothing(
    qtbot: QtBot, console: Console, tmp_path: Path
) -> None:
    assert practices.list_practices(console.conn) == []
    refused = _dialog(qtbot, console, write(tmp_path / "bad.json", {"resourceType": "Bundle"}))
    assert refused.state == "failed"
    path = write(tmp_path / "today.json", bundle(*visit("a1", pid="p1"), *visit("a2", pid="p2")))
    dialog = _dialog(qtbot, console, path)
    assert dialog.state == "preview"
    # neither the refused file nor the preview created the "Default practice"
    assert practices.list_practices(console.conn) == []
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=30_000)
    assert [p.name for p in practices.list_practices(console.conn)] == ["Default practice"]
    assert len(dump(console.conn)[0]) == 4
