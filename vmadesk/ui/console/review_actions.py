"""Actions that settle an item without a call: fail, a free note, reopen a closed item.

:class:`ReviewActions` is a part of :class:`vmadesk.ui.console.window.MainWindow` (beside
:class:`vmadesk.ui.console.item_actions.ItemActions`, whose registry entries give their keys).
Nothing irreversible by accident: a fail before any call is not "attempts exhausted", and
whatever was closed is reopened (with a reason) from here or from Done today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from vmadesk.services.errors import ActionRefused

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from vmadesk.ui.console.window import MainWindow


class ReviewActions:
    """Handlers of Fail (F), Add note (T) and Reopen (Shift+R); a part of the window."""

    def __init__(self, window: MainWindow) -> None:
        """Act for ``window``."""
        self.window = window

    def propose_fail_or_escalate(self, item_id: int, attempts: int) -> QMessageBox:
        """After the last allowed attempt: Fail, Escalate or Later."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self.window)
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
            self.window.dialog_finished(box)
            if clicked is fail:
                self.fail()
            elif clicked is escalate:
                self.window.item_actions.escalate()

        box.finished.connect(lambda _r: QTimer.singleShot(0, chosen))
        self.window.active_dialog = box
        box.open()
        return box

    def fail(self) -> None:
        """F: mark failed; "attempts exhausted" only once a call was logged."""
        item = self.window.need_item()
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
                self.window.ctx.work.fail(item.id, note)

        else:
            prompt = (
                "No call has been logged on this item, so its attempts are not used up.\n"
                "Fail it anyway? Say why in the note (required)."
            )

            def act(note: str) -> None:
                if not note:
                    raise ActionRefused("Say why this item fails before any call.")
                self.window.ctx.work.fail(item.id, note, CloseReason.OTHER)

        dialog = NoteActionDialog("Fail", prompt, act, parent=self.window)
        self.window.open_dialog(dialog, lambda: self.window.changed("Item marked failed."))

    def add_note(self) -> None:
        """T: a free note on the item shown."""
        item = self.window.need_item()
        if item is not None:
            from vmadesk.ui.dialogs.note import NoteDialog  # loaded when first asked for

            dialog = NoteDialog(self.window.ctx.work, item.id, parent=self.window)
            self.window.open_dialog(dialog, lambda: self.window.changed("Note added."))

    def reopen(self) -> None:
        """Shift+R: reopen the closed item shown, with a reason."""
        item = self.window.need_item()
        if item is None:
            return
        from vmadesk.domain.vocabulary import ItemStatus
        from vmadesk.ui.widgets.done_today import ReopenDialog

        if ItemStatus(item.status).is_open:
            self.window.show_message("This item is open: only closed items reopen.")
            return
        dialog = ReopenDialog(self.window.ctx.work, item.id, parent=self.window)
        self.window.open_dialog(
            dialog,
            lambda: self.window.changed("Item reopened: it is back in its lane, not started."),
        )
