"""Actions that settle an item without a call: fail, a free note, reopen a closed item.

A mixin of :class:`vmadesk.ui.console.window.MainWindow` (beside
:mod:`vmadesk.ui.console.actions`, which registers their keys), with the note dialog. Nothing
irreversible by accident: a fail before any call is not "attempts exhausted", and whatever
was closed is reopened (with a reason) from here or from Done today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from vmadesk.services.errors import ActionRefused
from vmadesk.ui.dialogs.parts import error_label, ok_cancel, show_error

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from vmadesk.services.work import WorkService
    from vmadesk.ui.console.window import MainWindow

    _Base = MainWindow
else:
    _Base = object


class NoteDialog(QDialog):
    """A free note on an item's history, without logging a call (Ctrl+Enter saves)."""

    def __init__(self, work: WorkService, item_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.item_id = item_id
        self.setWindowTitle("Add note")
        self.setAccessibleName("Add note")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Note text")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * 5)
        layout = QVBoxLayout(self)
        prompt = QLabel("&Note (kept in the item's history; no call is logged):")
        prompt.setBuddy(self.text)
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        layout.addWidget(self.text)
        self.error = error_label()
        layout.addWidget(self.error)
        self.buttons_box, self.ok_button = ok_cancel(self, "Add note")
        layout.addWidget(self.buttons_box)
        self.text.setFocus()
        # Enter in the text box starts a new line; Ctrl+Enter saves (the text box would
        # take it as a line break before any shortcut saw it).
        self.text.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in the text box saves."""
        if (
            watched is self.text
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.accept()
            return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        """Save through the service; stay open on refusal."""
        try:
            self.work.add_note(self.item_id, self.text.toPlainText())
        except ActionRefused as exc:
            show_error(self.error, str(exc))
            return
        super().accept()


class ReviewActionsMixin(_Base):
    """Handlers of Fail (F), Add note (T) and Reopen (Shift+R)."""

    def propose_fail_or_escalate(self, item_id: int, attempts: int) -> QMessageBox:
        """After the last allowed attempt: Fail, Escalate or Later."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setWindowTitle("Attempts used up")
        box.setAccessibleName("Attempts used up")
        box.setText(
            f"{attempts} unsuccessful attempts: the lane's attempt policy is used up.\n"
            "Mark the item failed, or escalate it?"
        )
        fail = box.addButton("&Fail", QMessageBox.ButtonRole.AcceptRole)
        escalate = box.addButton("&Escalate", QMessageBox.ButtonRole.ActionRole)
        later = box.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(later)

        def chosen() -> None:
            clicked = box.clickedButton()
            # One box per used-up item: kept, a shift's boxes would pile up under the window.
            self._dialog_finished(box)
            if clicked is fail:
                self.fail()
            elif clicked is escalate:
                self.escalate()

        box.finished.connect(lambda _r: QTimer.singleShot(0, chosen))
        self.active_dialog = box
        box.open()
        return box

    def fail(self) -> None:
        """F: mark failed; "attempts exhausted" only once a call was logged."""
        item = self._need_item()
        if item is None:
            return
        from vmadesk.domain.vocabulary import CloseReason
        from vmadesk.ui.dialogs.outcomes import NoteActionDialog

        if item.attempt_count:
            prompt = (
                f"Mark this item failed? {item.attempt_count} call"
                f"{'s' if item.attempt_count > 1 else ''} logged: attempts exhausted."
            )

            def act(note: str) -> None:
                self.ctx.work.fail(item.id, note)

        else:
            prompt = (
                "No call has been logged on this item, so its attempts are not used up.\n"
                "Fail it anyway? Say why in the note (required)."
            )

            def act(note: str) -> None:
                if not note:
                    raise ActionRefused("Say why this item fails before any call.")
                self.ctx.work.fail(item.id, note, CloseReason.OTHER)

        dialog = NoteActionDialog("Fail", prompt, act, parent=self)
        self.open_dialog(dialog, lambda: self._changed("Item marked failed."))

    def add_note(self) -> None:
        """T: a free note on the item shown."""
        item = self._need_item()
        if item is not None:
            dialog = NoteDialog(self.ctx.work, item.id, parent=self)
            self.open_dialog(dialog, lambda: self._changed("Note added."))

    def reopen(self) -> None:
        """Shift+R: reopen the closed item shown, with a reason."""
        item = self._need_item()
        if item is None:
            return
        from vmadesk.domain.vocabulary import ItemStatus
        from vmadesk.ui.widgets.done_today import ReopenDialog

        if ItemStatus(item.status).is_open:
            self.show_message("This item is open: only closed items reopen.")
            return
        dialog = ReopenDialog(self.ctx.work, item.id, parent=self)
        self.open_dialog(
            dialog, lambda: self._changed("Item reopened: it is back in its lane, not started.")
        )
