"""Unlock the profile at start: keychain first, then the passphrase, off the UI thread.

The keychain can block (a locked SecretService) and Argon2id takes a noticeable moment, so
both run on a pool thread (:mod:`vmadesk.ui.workers`) while the dialog stays responsive. A
wrong passphrase is an inline message and another try; the store's back-off is shown as
"wait N s" while it sleeps.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vmadesk.services import profiles
from vmadesk.services.profiles import AuthenticationError, StoreError
from vmadesk.ui import workers


class _NeedPassphrase(Exception):
    """The keychain did not open the profile: ask the VMA."""


def _close_in_worker(profile: profiles.UnlockedProfile) -> profiles.UnlockedProfile:
    # The connection was opened on the pool thread and belongs to it: close it here; the UI
    # thread reopens with the raw key (no KDF cost).
    profile.conn.close()
    return profile


def _try_keychain(_progress: workers.Progress, directory: Path) -> profiles.UnlockedProfile:
    def refuse(_label: str) -> str:
        raise _NeedPassphrase

    return _close_in_worker(profiles.unlock(directory, prompt=refuse, use_keychain=True))


def _try_passphrase(
    progress: workers.Progress, directory: Path, passphrase: str
) -> profiles.UnlockedProfile:
    def sleep(seconds: float) -> None:
        progress.report(0, 0, f"Too many wrong tries: trying again in {math.ceil(seconds)} s…")
        time.sleep(seconds)

    return _close_in_worker(
        profiles.unlock(directory, passphrase=passphrase, use_keychain=False, sleep=sleep)
    )


def reopen_on_this_thread(profile: profiles.UnlockedProfile) -> profiles.UnlockedProfile:
    """Give a profile unlocked on a pool thread a connection owned by the calling thread."""
    profile.conn = profile.connect()
    return profile


def protection_notice(directory: Path) -> str:
    """Which slots protect the profile, said plainly (never a silent downgrade)."""
    try:
        types = profiles.slot_types(directory)
    except (OSError, ValueError, KeyError, StoreError):
        return ""
    if "keychain" in types:
        return "The OS keychain did not open this profile; enter your passphrase."
    return "No OS keychain slot protects this profile: the passphrase is asked at every start."


class UnlockDialog(QDialog):
    """Ask for the passphrase until the profile opens (or the VMA cancels)."""

    unlocked = Signal(object)

    def __init__(
        self, directory: Path, *, try_keychain: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.directory = directory
        self.profile: profiles.UnlockedProfile | None = None
        self._job: workers.Job | None = None
        self.setWindowTitle("Unlock vmadesk")
        self.setModal(True)

        self.intro = QLabel("Unlock your vmadesk profile.")
        self.intro.setWordWrap(True)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Unlock notice")
        self.notice.hide()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Unlock message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.unlock_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.unlock_button.setText("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.notice)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        # Room for a notice on two lines; longer texts make the dialog grow (see _relayout).
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)

        if try_keychain:
            self._busy("Opening with the OS keychain…")
            self._job = workers.start(
                _try_keychain,
                directory,
                on_success=self._opened,
                on_error=self._keychain_failed,
                parent=self,
            )
        else:
            self._ask()

    # -- states ------------------------------------------------------------------------------

    def _relayout(self) -> None:
        """Grow to fit the texts just set: a wrapped label never ends cut off."""
        layout = self.layout()
        layout.invalidate()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self._relayout()

    def _busy(self, text: str) -> None:
        self.passphrase.setEnabled(False)
        self.unlock_button.setEnabled(False)
        self._say(text)

    def _ask(self, message: str = "") -> None:
        notice = protection_notice(self.directory)
        if notice:
            self.notice.setText(notice)
            self.notice.show()
        self.passphrase.setEnabled(True)
        self.unlock_button.setEnabled(True)
        self._say(message)
        self.passphrase.setFocus()

    def _keychain_failed(self, exc: BaseException) -> None:
        self._job = None
        if isinstance(exc, _NeedPassphrase | AuthenticationError):
            self._ask()
        elif isinstance(exc, StoreError):
            self._ask(str(exc))
        else:
            self._ask("The profile could not be opened; see the log for details.")

    def _submit(self) -> None:
        if self._job is not None:
            return
        secret = self.passphrase.text()
        if not secret:
            self._say("Enter your passphrase.")
            return
        self._busy("Checking the passphrase…")
        self._job = workers.start(
            _try_passphrase,
            self.directory,
            secret,
            on_success=self._opened,
            on_error=self._wrong,
            on_progress=lambda _d, _t, text: self._say(text),
            parent=self,
        )

    def _wrong(self, exc: BaseException) -> None:
        self._job = None
        self.passphrase.clear()
        if isinstance(exc, AuthenticationError):
            self._ask("Wrong passphrase. Try again.")
        elif isinstance(exc, StoreError):
            self._ask(str(exc))
        else:
            self._ask("The profile could not be opened; see the log for details.")

    def _opened(self, profile: profiles.UnlockedProfile) -> None:
        self._job = None
        self.passphrase.clear()
        self.profile = reopen_on_this_thread(profile)
        self.unlocked.emit(self.profile)
        self.accept()

    def reject(self) -> None:
        """Cancel; a job still running is left to finish and its profile is discarded."""
        if self._job is not None:
            job = self._job
            self._job = None
            job.succeeded.disconnect()
        super().reject()
