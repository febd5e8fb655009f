"""Appointment times in the import preview and the detail pane: practice time, as given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.services.import_samples import appointment, bundle, patient, visit, write
from tests.services.test_import_offsets import EST, EVENING, MORNING_IST
from vmadesk.services import importer
from vmadesk.services.console import Console
from vmadesk.store import items, practices
from vmadesk.store.profile import UnlockedProfile
from vmadesk.ui.dialogs.imports.import_dialog import ImportDialog
from vmadesk.ui.dialogs.imports.preview import COLUMNS
from vmadesk.ui.models.history_text import date_words

NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def test_preview_shows_practice_time_and_the_export_own_reading(
    qtbot: QtBot, new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    doc = bundle(*visit("a1", start=EVENING), appointment("a2", start=MORNING_IST))
    path = write(tmp_path / "today.json", doc)
    dialog = ImportDialog(Console(new_profile), path, practice_id=None, now=NOW)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.plan and d.plan.release())
    dialog.start()
    qtbot.waitUntil(lambda: dialog.state == "preview", timeout=30_000)
    column = COLUMNS.index("Appointment (practice time)")
    shown = {dialog.model.index(r, column).data() for r in range(dialog.model.rowCount())}
    # The default practice is in New York: 23:30 there, whatever the machine's own zone.
    assert "Thu 05 Mar 2026 23:30" in shown
    assert "Thu 05 Mar 2026 22:30 (as given: Fri 06 Mar 09:00 UTC+05:30)" in shown


def test_detail_pane_dates_service_where_the_visit_is(
    window, demo_profile, clock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    conn = demo_profile.conn
    practice = next(p for p in practices.list_practices(conn) if p.code == "sunset")
    # An evening visit three days ahead, written by the export at New York's offset (the
    # practice is in Los Angeles): the UTC date is a day later than where the visit is.
    day = (clock.now + timedelta(days=3)).astimezone(EST).date()
    start = datetime(day.year, day.month, day.day, 23, 30, tzinfo=EST)
    path = write(tmp_path / "late.json", bundle(*visit("late-1", start=start)))
    importer.import_file(conn, path, practice_id=practice.id, now=clock.now)
    row = conn.execute(
        "SELECT id FROM items WHERE source_id = 'late-1' AND lane = 'eligibility'"
    ).fetchone()
    window.select_item(row[0])
    text = window.detail.at_hand.text()
    assert f"Date of service: {date_words(day.isoformat())}" in text
    assert f"(as given: {start:%a %d %b} 23:30 UTC−05:00)" in text
    assert items.get_item(conn, row[0]).appointment_offset_min == -300


def test_detail_pane_says_when_the_export_had_no_coverage(window, demo_profile, clock, tmp_path):  # type: ignore[no-untyped-def]
    conn = demo_profile.conn
    practice = next(p for p in practices.list_practices(conn) if p.code == "sunset")
    start = clock.now + timedelta(days=3)
    path = write(tmp_path / "bare.json", bundle(appointment("bare-1", start=start), patient()))
    importer.import_file(conn, path, practice_id=practice.id, now=clock.now)
    row = conn.execute(
        "SELECT id FROM items WHERE source_id = 'bare-1' AND lane = 'eligibility'"
    ).fetchone()
    window.select_item(row[0])
    assert "Coverage: none in the practice's export" in window.detail.at_hand.text()
