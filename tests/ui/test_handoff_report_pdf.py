"""The printed handoff report as saved: pages at the chosen paper size, text at reading size.

The saved PDF itself is rendered with poppler (``pdftoppm`` for pages, ``pdftotext -bbox`` for
word sizes), not only the preview. CI installs poppler-utils and sets
``VMADESK_REQUIRE_POPPLER=1``, so a missing tool fails there instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.ui.conftest import make_context
from vmadesk.services.demo import fill_demo

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _poppler() -> None:
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    if os.environ.get("VMADESK_REQUIRE_POPPLER") == "1":
        pytest.fail("poppler-utils required (VMADESK_REQUIRE_POPPLER=1) but not installed")
    pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")


def _pages(pdf: Path, out: Path) -> list[QImage]:
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(pdf), str(out / "page")], check=True)
    return [QImage(str(p)) for p in sorted(out.glob("page-*.png"))]


def _word_heights(pdf: Path) -> list[float]:
    text = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    boxes = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', text)
    return [float(y_max) - float(y_min) for _x, y_min, y_max in boxes]


def test_saved_report_of_48_items_paginates_at_the_chosen_size(qtbot, new_profile, clock, tmp_path):  # type: ignore[no-untyped-def]
    _poppler()
    from vmadesk.ui.dialogs.handoff.end_shift import ONE_TIME_CODE, EndShiftDialog

    fill_demo(new_profile, items=120, seed=3, now=clock.now)
    ctx = make_context(new_profile, clock)
    dialog = EndShiftDialog(ctx, out_dir=tmp_path)
    qtbot.addWidget(dialog)
    assert len(dialog.model.drafts) >= 48
    for row, draft in enumerate(dialog.model.drafts):
        draft.include = row < 48
        draft.actions = "Call again after lunch"
        draft.contingency = "if no answer then leave a voicemail"
    dialog.receiver.setCurrentIndex(dialog.receiver.findText(ONE_TIME_CODE))
    dialog.code_receiver.setText("ben.k")
    assert dialog.write_packet() is not None
    preview = dialog.preview_report()
    assert preview is not None
    qtbot.addWidget(preview)
    preview.page_size.setCurrentText("A4")
    saved = preview.save()
    assert saved is not None

    pages = _pages(saved, tmp_path)
    assert len(pages) >= 2  # 48 items do not fit one page at reading size
    assert {(p.width(), p.height()) for p in pages} == {(595, 842)}  # A4 at 72 dpi
    heights = _word_heights(saved)
    assert len(heights) > 500
    assert 9.0 <= statistics.median(heights) <= 16.0  # an 11-point body, not a 1-point one

    letter = tmp_path / "letter.pdf"
    from vmadesk.ui.dialogs.handoff.report import write_pdf

    write_pdf(preview.html_text, letter, "Letter")
    (tmp_path / "letter").mkdir()
    assert {(p.width(), p.height()) for p in _pages(letter, tmp_path / "letter")} == {(612, 792)}
