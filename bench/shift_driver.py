"""A VMA's shift, driven through the real console widgets (keys, dialogs, the lock screen).

:class:`ShiftDriver` does what a VMA does on the phone all day: N for the next item, C to call,
a digit for the outcome, O for the lane's outcome after "Reached", H to hold, R to resume,
searches, lane switches, Ctrl+L and the passphrase, and once a handoff through Shift → End shift.
Time is a movable clock: an hour of the shift passes in however many actions the plan gives it,
and the console's 30-second tick and 60-second due check are called on simulated time, as their
timers would fire in a real hour.

Keys go to the widgets through ``QTest`` (shortcuts, digit keys, Return); a dialog field that has
no key of its own (the identity tick) is set on the widget. Used by :mod:`bench.bench_shift_soak`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

CTRL = Qt.KeyboardModifier.ControlModifier
#: Contact outcomes a shift's calls end in (digit key in the attempt dialog, weight).
CALL_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("3", 50),  # no answer
    ("2", 15),  # voicemail
    ("4", 8),  # busy
    ("1", 20),  # reached (identity checked), then the lane's outcome
    ("6", 5),  # callback requested (holds until the callback time)
    ("5", 2),  # wrong number
)
#: Fragments a VMA types into the search box (names, phone digits, reasons).
SEARCH_WORDS = ("smi", "john", "ma", "lee", "555", "garc", "will", "ann", "billing", "20", "br")
#: Per simulated hour at scale 1.
HOUR_PLAN: dict[str, int] = {
    "call": 40,
    "hold": 4,
    "resume": 2,
    "close": 2,
    "search": 20,
    "lane": 12,
    "lock": 2,
}
TICKS_PER_HOUR = 120  # the console's 30-second tick
NOTIFY_EVERY = 2  # the due notifier checks every other tick (60 s)


@dataclass
class MovableClock:
    """Now as the console sees it: a start time moved forward by the driver."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def settle(app: QApplication, window: Any = None) -> None:
    """Let deferred deletes and posted events run (as the event loop would between keys).

    With ``window``, give it the focus back once no window is active: offscreen there is no
    window manager to do it when a dialog closes, and shortcuts act in the active window only.
    """
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    if window is not None and app.activeWindow() is None:
        window.activateWindow()
        app.processEvents()


def hour_events(scale: float, rng: random.Random) -> list[str]:
    """One simulated hour's actions in a shuffled order, ticks spread among them."""
    events = [name for name, n in HOUR_PLAN.items() for _ in range(max(1, round(n * scale)))]
    rng.shuffle(events)
    ticks = max(4, round(TICKS_PER_HOUR * scale))
    out: list[str] = []
    every = max(1, len(events) // ticks)
    for i, event in enumerate(events):
        out.append(event)
        if i % every == every - 1:
            out.append("tick")
    out.extend("tick" for _ in range(ticks - out.count("tick")))
    return out


class ShiftDriver:
    """Drives one console (main window + shell) through a shift."""

    def __init__(
        self,
        app: QApplication,
        window: Any,
        shell: Any,
        clock: MovableClock,
        passphrase: str,
        *,
        seed: int = 11,
    ) -> None:
        self.app, self.window, self.shell, self.clock = app, window, shell, clock
        self.passphrase = passphrase
        self.rng = random.Random(seed)
        self.done: Counter[str] = Counter()
        #: Why dialogs refused (PHI-free messages of the services), for the report.
        self.refusals: Counter[str] = Counter()
        self._held: list[int] = []
        self._ticks = 0

    # -- plumbing ------------------------------------------------------------------------------

    def _settle(self) -> None:
        settle(self.app, self.window)

    def _key(self, widget: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.NoModifier) -> None:
        QTest.keyClick(widget, key, modifier)
        self.app.processEvents()

    def _dialog(self) -> Any:
        dialog = self.window.active_dialog
        return dialog if dialog is not None and dialog.isVisible() else None

    def _press_ok(self, dialog: QDialog) -> bool:
        """Return on the dialog's focused widget (the default button); False if refused."""
        self._key(dialog.focusWidget() or dialog, Qt.Key.Key_Return)
        error = getattr(dialog, "error", None)
        button = getattr(dialog, "ok_button", None)
        if dialog.isVisible() and button is not None and not (error and error.text()):
            # Return went into a multi-line note: the VMA clicks the button instead.
            button.click()
            self.done["ok_clicked"] += 1
        if dialog.isVisible():  # refused: the message is in the dialog; give up this one
            message = error.text() if error is not None else ""
            self.refusals[f"{type(dialog).__name__}: {message}"] += 1
            dialog.reject()
            self.done["refused"] += 1
            self._settle()
            return False
        self._settle()
        return True

    def _next_item(self) -> int | None:
        self.window.table.setFocus()
        self._key(self.window.table, Qt.Key.Key_N)
        return self.window.current_item_id()

    def run(self, event: str, seconds: float) -> None:
        """Do one event, then let ``seconds`` of the shift pass."""
        handler: Callable[[], None] = getattr(self, f"do_{event}")
        handler()
        self._settle()
        self.done[event] += 1
        self.clock.advance(seconds)

    # -- the shift's actions -------------------------------------------------------------------

    def start_shift(self) -> None:
        """Shift → Start shift (Ctrl+Shift+S), every lane ticked, Start."""
        self._key(self.window, Qt.Key.Key_S, CTRL | Qt.KeyboardModifier.ShiftModifier)
        dialog = self.shell.dialog
        if dialog is not None:
            dialog.start()
        self._settle()

    def do_tick(self) -> None:
        """What the console's timers do in 30 s: the tick; every other one, the due check."""
        self.window.tick()
        self._ticks += 1
        if self._ticks % NOTIFY_EVERY == 0:
            self.shell.notifier.check()

    def do_call(self) -> None:
        """N, C, an outcome digit (identity ticked when it needs it), Return; O after Reached."""
        if self._next_item() is None:
            self._key(self.window.table, Qt.Key.Key_0, CTRL)  # My shift
            if self._next_item() is None:
                self.done["nothing_to_call"] += 1
                return
        self._key(self.window.table, Qt.Key.Key_C)
        dialog = self._dialog()
        if dialog is None:
            self.done["no_dialog"] += 1
            return
        digit = self.rng.choices([d for d, _ in CALL_OUTCOMES], [w for _, w in CALL_OUTCOMES])[0]
        self._key(dialog, getattr(Qt.Key, f"Key_{digit}"))
        if digit == "1":
            dialog.identity.setChecked(True)
        if not self._press_ok(dialog):
            return
        box = self._dialog()
        if isinstance(box, QMessageBox):  # the tries are used: fail now and then, else later
            if self.rng.random() < 0.3:
                fail = next(b for b in box.buttons() if b.text().replace("&", "") == "Fail")
                fail.click()
                self._settle()
                note = self._dialog()
                if note is not None:
                    self._press_ok(note)
                    self.done["failed"] += 1
            else:
                self._key(box, Qt.Key.Key_Escape)
                self._settle()
        if digit == "1":
            self._lane_outcome()

    def _lane_outcome(self) -> None:
        item = self.window.current_item()
        if item is None or item.lane == "callback" or item.status in ("completed",):
            return
        self._key(self.window.table, Qt.Key.Key_O)
        dialog = self._dialog()
        if dialog is None:
            return
        # Confirmations: 1 confirmed (identity ticked); eligibility: 2 coverage inactive.
        self._key(dialog, Qt.Key.Key_1 if item.lane == "confirmation" else Qt.Key.Key_2)
        if getattr(dialog, "identity", None) is not None:
            dialog.identity.setChecked(True)
        if self._press_ok(dialog):
            self.done["outcome"] += 1

    def do_hold(self) -> None:
        """N, H, Return: hold two hours waiting on the patient (the dialog's defaults)."""
        if self._next_item() is None:
            return
        item_id = self.window.current_item_id()
        self._key(self.window.table, Qt.Key.Key_H)
        dialog = self._dialog()
        if dialog is not None and self._press_ok(dialog) and item_id is not None:
            self._held.append(item_id)

    def do_resume(self) -> None:
        """Select an item put on hold earlier (the patient called back) and press R."""
        while self._held:
            item_id = self._held.pop(0)
            self.window.select_item(item_id)
            item = self.window.current_item()
            if item is not None and item.status == "on-hold":
                self.window.table.setFocus()
                self._key(self.window.table, Qt.Key.Key_R)
                return
        self.done["no_hold_to_resume"] += 1

    def warm_up(self) -> None:
        """Each kind of action once, and End shift opened and cancelled (not measured).

        The first use of a dialog imports its module and makes its Qt types, and End shift
        reads every open item into the page cache: one-time costs the first hour is not to
        carry alone against the last.
        """
        for event in (*HOUR_PLAN, "tick"):
            self.run(event, 1.0)
        self._key(self.window.table, Qt.Key.Key_E, CTRL | Qt.KeyboardModifier.ShiftModifier)
        if self.shell.dialog is not None:
            self.shell.dialog.reject()
        self._settle()
        self.done.clear()
        self.refusals.clear()

    def do_close(self) -> None:
        """N, then D (complete) or X (cancel, first reason), Return."""
        if self._next_item() is None:
            return
        key = Qt.Key.Key_D if self.rng.random() < 0.5 else Qt.Key.Key_X
        self._key(self.window.table, key)
        dialog = self._dialog()
        if dialog is not None:
            self._press_ok(dialog)

    def do_search(self) -> None:
        """/ then a word, the results, then the search box emptied again."""
        self._key(self.window.table, Qt.Key.Key_Slash)
        QTest.keyClicks(self.window.search, self.rng.choice(SEARCH_WORDS))
        self.window.apply_search()  # what the 150 ms debounce calls as the VMA stops typing
        self.app.processEvents()
        if self.window.model.rowCount():
            self.window.table.selectRow(0)
        self.window.search.clear()
        self.window.apply_search()
        self.window.table.setFocus()
        self.app.processEvents()

    def do_lane(self) -> None:
        """Ctrl+0..Ctrl+4: My shift, the three lanes, Escalations."""
        self._key(self.window.table, getattr(Qt.Key, f"Key_{self.rng.randrange(5)}"), CTRL)
        self.app.processEvents()

    def do_lock(self) -> None:
        """Ctrl+L, then the passphrase on the lock screen and Return."""
        self._key(self.window.table, Qt.Key.Key_L, CTRL)
        if not self.shell.lock.is_locked:
            self.done["lock_missed"] += 1
            return
        screen = self.shell.lock.screen
        QTest.keyClicks(screen.passphrase, self.passphrase)
        self._key(screen.passphrase, Qt.Key.Key_Return)
        if self.shell.lock.is_locked:
            raise RuntimeError("the console did not unlock with the right passphrase")
        self._settle()

    def handoff(self, receiver: str, keep: int) -> int:
        """Shift → End shift & hand off: ``keep`` items to ``receiver`` by one-time code.

        The packet is written and the dialog closed (the shift goes on).
        """
        self._key(self.window.table, Qt.Key.Key_E, CTRL | Qt.KeyboardModifier.ShiftModifier)
        dialog = self.shell.dialog
        if dialog is None:
            raise RuntimeError("End shift did not open")
        model = dialog.model
        for row in range(keep, model.rowCount()):
            model.set_include(row, False)
        dialog.receiver.setCurrentIndex(dialog.receiver.count() - 1)  # one-time code
        dialog.code_receiver.setText(receiver)
        dialog.write_button.click()
        written = dialog.result_packet is not None
        dialog.reject()
        self._settle()
        if not written:
            raise RuntimeError(f"no packet written: {dialog.message.text()}")
        self.done["handoff"] += 1
        return min(keep, model.rowCount())
