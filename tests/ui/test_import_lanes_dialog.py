"""File → Import of prior-authorization and referral worklists in the console's dialog.

The dialog detects the kind as ``vmadesk import`` does, previews the new items per lane, asks
for no column mapping, imports all or nothing, and refuses a malformed file with its place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.services.import_samples import NOW
from vmadesk.domain.vocabulary import Lane
from vmadesk.services.console import Console
from vmadesk.store.profile import UnlockedProfile
from vmadesk.ui.dialogs.imports.import_dialog import ImportDialog
from vmadesk.ui.dialogs.imports.opening import choose_mapping

LANES = Path(__file__).resolve().parents[1] / "ingest" / "data" / "lanes"


@pytest.fixture
def session(new_profile: UnlockedProfile) -> Console:
    return Console(new_profile)


def _dialog(qtbot: QtBot, session: Console, path: Path) -> ImportDialog:
    dialog = ImportDialog(session, path, practice_id=None, now=NOW)
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.state not in ("reading",), timeout=30_000)
    return dialog


def _lanes(session: Console) -> dict[str, int]:
    return dict(session.conn.execute("SELECT lane, count(*) FROM items GROUP BY lane").fetchall())


@pytest.mark.parametrize(
    ("name", "lane"),
    [
        ("prior-auth-worklist.csv", Lane.PRIOR_AUTH),
        ("pas-prior-auth-bundle.json", Lane.PRIOR_AUTH),
        ("referral-worklist.csv", Lane.REFERRAL),
        ("referral-servicerequests.json", Lane.REFERRAL),
    ],
)
def test_a_lane_worklist_previews_per_lane_then_imports_once(
    qtbot: QtBot, session: Console, tmp_path: Path, name: str, lane: Lane
) -> None:
    path = Path(shutil.copy(LANES / name, tmp_path / name))
    assert choose_mapping(session, path, None) == (True, None)  # no mapping asked
    dialog = _dialog(qtbot, session, path)
    assert dialog.state == "preview", dialog.status.text()
    created = dialog.counts_summary()["created"]
    assert created > 0
    assert f"New per lane: {lane.label} {created}" in dialog.counts.text()
    assert dialog.model.rowCount() == created
    assert {dialog.model.index(r, 1).data() for r in range(created)} == {lane.label}
    assert _lanes(session) == {}  # the preview wrote nothing
    assert dialog.model.headerData(3, Qt.Orientation.Horizontal) == "State and subject"
    assert dialog.import_button.isEnabled()
    assert dialog.map_button.isHidden()  # a lane worklist's columns need no mapping
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=30_000)
    assert dialog.imported and dialog.report is not None
    assert _lanes(session) == {lane.value: created}
    again = _dialog(qtbot, session, path)  # the same file again: nothing new
    assert again.counts_summary()["created"] == 0
    assert not again.import_button.isEnabled()


@pytest.mark.logs_warnings
@pytest.mark.parametrize("name", ["prior-auth-bad-icd.csv", "referral-outgoing-no-recipient.csv"])
def test_a_malformed_lane_worklist_is_refused_with_its_place(
    qtbot: QtBot, session: Console, tmp_path: Path, name: str
) -> None:
    path = Path(shutil.copy(LANES / name, tmp_path / name))
    dialog = _dialog(qtbot, session, path)
    assert dialog.state == "failed"
    text = dialog.status.text()
    assert name in text and "row" in text
    assert not dialog.import_button.isEnabled()
    assert _lanes(session) == {}
