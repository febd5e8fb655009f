"""The import preview names what a full export no longer lists, and words counts like the CLI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.services.import_samples import NOW, bundle, run, visit, write
from vmadesk.services.import_wording import ITEMS_NOTE, MISSING_TEXT
from vmadesk.services.session import Session
from vmadesk.store.profile import UnlockedProfile
from vmadesk.ui.import_dialog import ImportDialog
from vmadesk.ui.import_preview import COLUMNS, MISSING_LABEL


def test_missing_items_are_listed_first_and_counts_read_as_in_the_terminal(
    qtbot: QtBot, new_profile: UnlockedProfile, tmp_path: Path
) -> None:
    day = NOW + timedelta(days=3)
    both = bundle(*visit("a1", start=day), *visit("a2", pid="p2", start=day + timedelta(hours=1)))
    run(new_profile, write(tmp_path / "monday.json", both))
    # The next full export of that day lists only a1: a2's two items are missing.
    path = write(tmp_path / "monday-2.json", bundle(*visit("a1", start=day)))
    dialog = ImportDialog(Session(new_profile), path, practice_id=None, now=NOW)
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
