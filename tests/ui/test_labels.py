"""Words on screen: no literal "&" in any label, menu, button or title; the unlock dialog's
texts are never cut off."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMenu,
    QTabBar,
    QWidget,
)

from tests.ui.test_dialog_keys import _factories
from vmadesk.ui.console.shell import ConsoleShell
from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog
from vmadesk.ui.dialogs.handoff.keys import AddColleagueDialog, MyKeyDialog
from vmadesk.ui.dialogs.unlock import UnlockDialog
from vmadesk.ui.ui_settings import UiSettings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _mnemonic(text: str) -> str:
    """What Qt draws for a text with mnemonics: "&x" underlines x, "&&" draws one "&"."""
    return re.sub(r"&(.)", r"\1", text)


def shown_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, the text as drawn) for every label, button, group, tab, menu entry and title."""
    seen: list[tuple[str, str]] = [("window title", root.windowTitle())]
    for label in root.findChildren(QLabel):
        if label.textFormat() == Qt.TextFormat.RichText or label.text().lstrip().startswith("<"):
            continue
        text = _mnemonic(label.text()) if label.buddy() is not None else label.text()
        seen.append(("label", text))
    for button in root.findChildren(QAbstractButton):
        seen.append(("button", _mnemonic(button.text())))
    for group in root.findChildren(QGroupBox):
        seen.append(("group", _mnemonic(group.title())))
    for bar in root.findChildren(QTabBar):
        seen.extend(("tab", _mnemonic(bar.tabText(i))) for i in range(bar.count()))
    for menu in root.findChildren(QMenu):
        seen.append(("menu", _mnemonic(menu.title())))
        seen.extend(("menu entry", _mnemonic(a.text())) for a in menu.actions())
    return seen


def test_console_shows_no_literal_ampersand(window, ctx):
    shell = ConsoleShell(ctx, window, ui_settings=UiSettings(), idle_ms=600_000)
    try:
        window.show_shortcuts()
        bad = [(w, t) for w, t in shown_texts(window) if "&" in t]
        assert not bad, bad
        overlay = " ".join(window.overlay.texts())
        assert "&" not in overlay
    finally:
        window.overlay.hide()
        shell.shutdown()


def test_dialogs_show_no_literal_ampersand(qtbot, ctx, tmp_path):
    factories = dict(_factories(ctx))
    factories["my key"] = lambda: MyKeyDialog(ctx.handoffs)
    factories["add colleague"] = lambda: AddColleagueDialog(ctx.handoffs)
    factories["end shift"] = lambda: EndShiftDialog(ctx, out_dir=tmp_path)
    bad = {}
    for name, factory in factories.items():
        dialog = factory()
        qtbot.addWidget(dialog)
        found = [(w, t) for w, t in shown_texts(dialog) if "&" in t]
        if found:
            bad[name] = found
    assert not bad, bad


@pytest.mark.logs_warnings
def test_unlock_dialog_texts_are_never_cut_off(qtbot, new_profile, profile_dir):
    dialog = UnlockDialog(profile_dir, try_keychain=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    def cut_off() -> list[str]:
        cut = []
        for label in dialog.findChildren(QLabel):
            if not label.isVisible() or not label.text():
                continue
            needed = (
                label.heightForWidth(label.width())
                if label.wordWrap()
                else label.sizeHint().height()
            )
            if label.height() < needed or (
                not label.wordWrap() and label.width() < label.sizeHint().width()
            ):
                cut.append(label.text())
        return cut

    assert dialog.notice.isVisible()
    assert not cut_off()
    dialog.passphrase.setText("wrong passphrase")
    dialog._submit()
    qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.message.text(), timeout=10_000)
    qtbot.wait(20)
    assert not cut_off()
    dialog._ask("Too many wrong tries: wait 30 s… then type your passphrase again, slowly.")
    qtbot.wait(20)
    assert not cut_off()
