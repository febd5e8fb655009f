"""Settings: a practice's zone, hours and policy saved to the encrypted store; bad input
changes nothing; console preferences go to a PHI-free INI file."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from PySide6.QtCore import QTime

from tests.ui.shell_helpers import patient_names
from vmadesk.domain.vocabulary import Lane
from vmadesk.services import practice_settings
from vmadesk.ui.dialogs.settings import SettingsDialog
from vmadesk.ui.ui_settings import UiSettings, settings_path

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _audit_count(conn, event: str) -> int:
    return conn.execute("SELECT count(*) FROM audit WHERE event = ?", (event,)).fetchone()[0]


def test_saves_zone_hours_and_policy(qtbot, ctx, demo_profile) -> None:
    ui = UiSettings()
    dialog = SettingsDialog(ctx, ui)
    qtbot.addWidget(dialog)
    practice_id = dialog.practice_id()
    assert practice_id is not None

    dialog.timezone.setText("America/Denver")
    dialog.days[5].open.setChecked(False)  # Saturday closed
    dialog.days[0].start.setTime(QTime(9, 0))
    dialog.days[0].end.setTime(QTime(16, 30))
    dialog.holiday_date.setDate(dialog.holiday_date.date().addDays(10))
    dialog._add_holiday()
    lane = dialog.lanes[Lane.CALLBACK]
    lane.due_offset.setValue(3)
    lane.max_attempts.setValue(4)
    lane.sop.setPlainText("Call within 3 business hours.")
    horizon = dialog.lanes[Lane.ELIGIBILITY].horizon
    assert horizon is not None and horizon.value() == 30  # the shipped default, loaded
    horizon.setValue(10)
    assert dialog.lanes[Lane.CONFIRMATION].horizon is None
    dialog.auto_lock.setValue(7)
    dialog.clipboard.setValue(20)
    before = _audit_count(demo_profile.conn, "settings_changed")
    assert dialog.save(), dialog.message.text()

    stored = practice_settings.load(demo_profile.conn, practice_id)
    assert stored.timezone == "America/Denver"
    assert 5 not in stored.weekly
    assert stored.weekly[0] == ((time(9, 0), time(16, 30)),)
    assert len(stored.holidays) == 1
    policy = stored.policies[Lane.CALLBACK]
    assert policy.due_offset == timedelta(hours=3) and policy.max_attempts == 4
    assert stored.sop[Lane.CALLBACK] == "Call within 3 business hours."
    assert stored.policies[Lane.ELIGIBILITY].horizon_days == 10
    assert stored.policies[Lane.CONFIRMATION].horizon_days is None
    assert ctx.work.practice(practice_id).tz == "America/Denver"  # cache forgotten
    assert _audit_count(demo_profile.conn, "settings_changed") == before + 1
    details = demo_profile.conn.execute(
        "SELECT details FROM audit WHERE event = 'settings_changed' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    # The audit names the practice and how many open items moved, nothing else.
    assert json.loads(details)["practice"] == practice_id
    assert set(json.loads(details)) == {"practice", "moved"}

    assert UiSettings().auto_lock_minutes == 7
    assert UiSettings().clipboard_seconds == 20


def test_unknown_zone_shows_a_message_and_changes_nothing(qtbot, ctx, demo_profile) -> None:
    dialog = SettingsDialog(ctx, UiSettings())
    qtbot.addWidget(dialog)
    practice_id = dialog.practice_id()
    before = practice_settings.load(demo_profile.conn, practice_id)
    audits = _audit_count(demo_profile.conn, "settings_changed")
    dialog.name.setText("Renamed practice")
    dialog.timezone.setText("Mars/Olympus_Mons")
    assert not dialog.save()
    assert dialog.message.text().startswith("Time zone:")
    assert practice_settings.load(demo_profile.conn, practice_id) == before
    assert _audit_count(demo_profile.conn, "settings_changed") == audits


def test_closing_every_day_is_refused(qtbot, ctx, demo_profile) -> None:
    dialog = SettingsDialog(ctx, UiSettings())
    qtbot.addWidget(dialog)
    for day in dialog.days:
        day.open.setChecked(False)
    assert not dialog.save()
    assert dialog.message.text().startswith("Business hours:")


def test_service_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"^Callbacks policy: max attempts"):
        practice_settings.policy_from_fields(
            Lane.CALLBACK,
            due_offset_hours=2,
            due_soon_minutes=30,
            max_attempts=0,
            attempt_gap_minutes=120,
        )


def test_ui_settings_file_is_under_xdg_config_and_holds_no_phi(
    qtbot,
    ctx,
    platform_dirs,
) -> None:
    ui = UiSettings()
    ui.auto_lock_minutes = 9
    ui.sync()
    path = settings_path()
    assert path.is_relative_to(platform_dirs["config"])
    text = path.read_text("utf-8")
    assert "auto_lock_minutes=9" in text
    assert not any(name in text for name in patient_names(ctx))


def test_a_refusal_clears_once_the_field_is_corrected(qtbot, ctx, demo_profile) -> None:
    dialog = SettingsDialog(ctx, UiSettings())
    qtbot.addWidget(dialog)
    good = dialog.timezone.text()
    dialog.timezone.setText("Mars/Olympus_Mons")
    assert not dialog.save()
    assert dialog.message.text().startswith("Time zone:")
    dialog.timezone.setText("Mars/Olympus")  # still wrong: still said
    assert dialog.message.text().startswith("Time zone:")
    dialog.timezone.setText(good)
    assert dialog.message.text() == ""
    for day in dialog.days:
        day.open.setChecked(False)
    assert not dialog.save()
    assert dialog.message.text().startswith("Business hours:")
    dialog.days[0].open.setChecked(True)
    assert dialog.message.text() == ""
    assert dialog.save() and dialog.message.text() == "Saved."
