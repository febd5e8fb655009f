"""The Shift menu's actions: start and end a shift, handoff packets and receipts, keys, evidence.

:class:`ShiftActions` is a part of :class:`~vmadesk.ui.console.shell.ConsoleShell` (composed,
not mixed in): Shift → Handoffs… (the hub inbox and the receivers' answers), reviewing a
received packet, Shift → Evidence requests… and the checks after each sync round that tell the
VMA, in words without PHI, when a supervisor's evidence request or a receiver's answer waits.
:data:`SHIFT_ACTIONS` describes the menu for the registry. Dialogs are imported when first
opened: they are not on the start path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from vmadesk.services.handoff import PACKET_SUFFIX, RECEIPT_SUFFIX
from vmadesk.ui.console.registry import ActionSpec

if TYPE_CHECKING:
    from collections.abc import Callable

    from vmadesk.ui.console.shell import ConsoleShell
    from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog
    from vmadesk.ui.dialogs.handoff.inbox import HandoffsDialog
    from vmadesk.ui.dialogs.handoff.keys import AddColleagueDialog, MyKeyDialog
    from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog
    from vmadesk.ui.dialogs.shift import StartShiftDialog


class ShiftActions:
    """Handlers of the Shift menu and the after-sync checks; a part of the shell."""

    def __init__(self, shell: ConsoleShell) -> None:
        """Act for ``shell`` (its context, window, lock and handoff folder)."""
        self.shell = shell
        self._evidence_job: QObject | None = None
        self._evidence_seen = 0
        self._answers_seen: int | None = None

    def start_shift(self) -> StartShiftDialog:
        """Shift → Start shift: open the dialog."""
        from vmadesk.ui.dialogs.shift import StartShiftDialog

        dialog = StartShiftDialog(self.shell.ctx.shifts, self.shell.window)
        dialog.accepted.connect(self.shell.refresh)
        dialog.accepted.connect(lambda: self.shell.message("Shift started."))
        self.shell.show_dialog(dialog)
        return dialog

    def end_shift(self) -> EndShiftDialog:
        """Shift → End shift & hand off: open the dialog."""
        from vmadesk.ui.dialogs.handoff.end_shift import EndShiftDialog

        dialog = EndShiftDialog(
            self.shell.ctx,
            out_dir=self.shell.handoff_dir,
            sync_now=self.shell.sync_now,
            parent=self.shell.window,
        )
        dialog.packet_written.connect(lambda _r: self.shell.refresh())
        dialog.shift_ended.connect(self.shell.refresh)
        dialog.shift_ended.connect(lambda: self.shell.message("Shift ended."))
        self.shell.show_dialog(dialog)
        return dialog

    def _choose_file(self, title: str, suffix: str) -> Path | None:
        self.shell.handoff_dir.mkdir(parents=True, exist_ok=True)
        chosen, _ = QFileDialog.getOpenFileName(
            self.shell.window,
            title,
            str(self.shell.handoff_dir),
            f"vmadesk files (*{suffix});;All (*)",
        )
        return Path(chosen) if chosen else None

    def open_packet(
        self, path: Path | None = None, *, ask_code: Callable[[], str | None] | None = None
    ) -> ReviewPacketDialog | None:
        """Shift → Open handoff packet…: decrypt it, then review item by item."""
        from vmadesk.ui.dialogs.handoff.review import ask_code_dialog, open_packet

        path = path or self._choose_file("Open handoff packet", PACKET_SUFFIX)
        if path is None or self.shell.lock.is_locked:
            return None
        try:
            handoff_id = open_packet(
                self.shell.ctx.handoffs,
                path,
                ask_code or (lambda: ask_code_dialog(self.shell.window)),
            )
        except (ValueError, KeyError, OSError) as exc:
            self.shell.warn(
                "Open handoff packet",
                str(exc) if isinstance(exc, ValueError) else "The packet could not be read.",
            )
            return None
        return self.review_packet(handoff_id)

    def apply_receipt(self, path: Path | None = None) -> dict[str, int] | None:
        """Shift → Apply handoff receipt…: settle a packet sent earlier."""
        path = path or self._choose_file("Apply handoff receipt", RECEIPT_SUFFIX)
        if path is None or self.shell.lock.is_locked:
            return None
        try:
            counts = self.shell.ctx.handoffs.apply_receipt(path)
        except (ValueError, KeyError) as exc:
            self.shell.warn(
                "Apply handoff receipt",
                str(exc) if isinstance(exc, ValueError) else "The receipt could not be read.",
            )
            return None
        self.shell.refresh()
        self.shell.message(
            f"Receipt applied: {counts['acknowledged']} acknowledged, "
            f"{counts['declined']} declined (back with you). Shift → Handoffs shows what "
            "the receiver answered."
        )
        return counts

    def my_key(self) -> MyKeyDialog:
        """Shift → My public key: open the dialog."""
        from vmadesk.ui.dialogs.handoff.keys import MyKeyDialog

        dialog = MyKeyDialog(self.shell.ctx.handoffs, self.shell.window)
        self.shell.show_dialog(dialog)
        return dialog

    def add_colleague(self) -> AddColleagueDialog:
        """Shift → Add colleague key: open the dialog."""
        from vmadesk.ui.dialogs.handoff.keys import AddColleagueDialog

        dialog = AddColleagueDialog(self.shell.ctx.handoffs, self.shell.window)
        dialog.accepted.connect(lambda: self.shell.message("Colleague key saved."))
        self.shell.show_dialog(dialog)
        return dialog

    def review_packet(self, handoff_id: int) -> ReviewPacketDialog:
        """Review a received packet; one through the hub answers through the hub."""
        from vmadesk.services.handoff_hub import came_through_hub
        from vmadesk.ui.dialogs.handoff.review import ReviewPacketDialog

        dialog = ReviewPacketDialog(
            self.shell.ctx.handoffs,
            handoff_id,
            out_dir=self.shell.handoff_dir,
            on_change=self.shell.refresh,
            via_hub=came_through_hub(self.shell.ctx.session.conn, handoff_id),
            parent=self.shell.window,
        )
        dialog.on_settled = self.shell.sync_now
        self.shell.show_dialog(dialog)
        return dialog

    def handoffs(self) -> HandoffsDialog:
        """Shift → Handoffs…: the hub inbox and the answers to packets sent."""
        from vmadesk.ui.dialogs.handoff.inbox import HandoffsDialog

        dialog = HandoffsDialog(
            self.shell.ctx, sync_now=self.shell.sync_now, parent=self.shell.window
        )
        dialog.review_requested.connect(lambda handoff_id: self._review_from(dialog, handoff_id))
        if self.shell.sync_status is not None:
            self.shell.sync_status.connect(dialog.reload)
        self.shell.show_dialog(dialog)
        return dialog

    def evidence_requests(self) -> QWidget:
        """Shift → Evidence requests…: review, send or decline (a hub is needed)."""
        from vmadesk.services.evidence import responder_for
        from vmadesk.ui.dialogs.evidence_prompt import EvidencePromptDialog

        found = responder_for(self.shell.ctx.session.conn)
        if found is None:
            return self.shell.warn(
                "Evidence requests",
                "Evidence requests come through the team hub; this profile is not enrolled.",
            )
        responder, factory = found
        dialog = EvidencePromptDialog(
            responder, factory, local_tz=self.shell.ctx.local_tz, parent=self.shell.window
        )
        self.shell.show_dialog(dialog)
        return dialog

    def check_evidence(self, _status: object = None) -> None:
        """After a sync round: say (no PHI) when a supervisor's evidence request waits."""
        from vmadesk.services.evidence import count_requests, responder_for
        from vmadesk.ui import workers

        if self.shell.lock.is_locked or self._evidence_job is not None:
            return
        found = responder_for(self.shell.ctx.session.conn)
        if found is None:
            return
        factory = found[1]
        self._evidence_job = workers.start(
            lambda _p: count_requests(factory),
            on_success=self._evidence_counted,
            on_error=lambda _e: self._evidence_counted(None),
            parent=self.shell,
        )

    def _evidence_counted(self, count: int | None) -> None:
        self._evidence_job = None
        if count is None:  # hub unreachable: the sync indicator already says so
            return
        if count and count != self._evidence_seen:
            self.shell.message(
                f"A supervisor asks for evidence on {count} item(s): "
                "Shift → Evidence requests (Ctrl+Shift+V)."
            )
        self._evidence_seen = count
        self.shell.evidence_waiting.emit(count)

    def check_answers(self, _status: object = None) -> int:
        """After a sync round: say when receivers answered a handoff (their words: Handoffs…)."""
        from vmadesk.services.handoff_hub import answered_count

        count = answered_count(self.shell.ctx.session.conn)
        if self._answers_seen is not None and count > self._answers_seen:
            self.shell.message(
                f"{count - self._answers_seen} handed-off item(s) answered: "
                "Shift → Handoffs (Ctrl+Shift+H) shows what the receiver said."
            )
            self.shell.refresh()  # acknowledged items left this console's lists
        self._answers_seen = count
        return count

    def _review_from(self, inbox: QWidget, handoff_id: int) -> None:
        inbox.close()  # one window-modal dialog at a time
        self.review_packet(handoff_id)


def _run(name: str) -> Callable[[ConsoleShell], object]:
    """A handler run on the shell's shift actions."""
    return lambda shell: getattr(shell.shift, name)()


#: The Shift menu, in menu order.
SHIFT_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("start_shift", "&Start shift…", ("Ctrl+Shift+S",), "Shift", _run("start_shift")),
    ActionSpec(
        "end_shift", "&End shift and hand off…", ("Ctrl+Shift+E",), "Shift", _run("end_shift")
    ),
    ActionSpec(
        "open_packet", "&Open handoff packet…", ("Ctrl+Shift+O",), "Shift", _run("open_packet")
    ),
    ActionSpec(
        "apply_receipt",
        "&Apply handoff receipt…",
        ("Ctrl+Shift+R",),
        "Shift",
        _run("apply_receipt"),
    ),
    ActionSpec(
        "handoffs", "&Handoffs (hub inbox, answers)…", ("Ctrl+Shift+H",), "Shift", _run("handoffs")
    ),
    ActionSpec(
        "evidence", "E&vidence requests…", ("Ctrl+Shift+V",), "Shift", _run("evidence_requests")
    ),
    ActionSpec("my_key", "My public &key…", ("Ctrl+Shift+K",), "Shift", _run("my_key")),
    ActionSpec(
        "add_colleague", "Add &colleague key…", ("Ctrl+Shift+A",), "Shift", _run("add_colleague")
    ),
)
