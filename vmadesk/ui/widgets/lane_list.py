"""The lane list: each lane with its live counts, plus My shift, Escalations, Done today."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from vmadesk.domain.vocabulary import Lane
from vmadesk.services.views import LaneCounts
from vmadesk.ui.icons import icon, lane_icon_name

#: What an entry of the list stands for: a lane, "my_shift" or "escalations".
LaneKey = Lane | str
MY_SHIFT = "my_shift"
ESCALATIONS = "escalations"
DONE_TODAY = "done_today"
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_ICONS: dict[LaneKey, str] = {
    **{lane: lane_icon_name(lane) for lane in Lane},
    MY_SHIFT: "my_shift",
    ESCALATIONS: "escalations",
    DONE_TODAY: "done_today",
}


def counts_text(c: LaneCounts) -> str:
    """Counts line, e.g. "12 open · 3 due soon · 2 overdue"."""
    return f"{c.open} open · {c.due_soon} due soon · {c.overdue} overdue"


class LaneList(QListWidget):
    """Lanes with counts; emits the chosen key."""

    lane_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Lanes")
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self._items: dict[object, QListWidgetItem] = {}
        for key, title in (
            (MY_SHIFT, "My shift"),
            *((lane, lane.label) for lane in Lane),
            (ESCALATIONS, "Escalations"),
            (DONE_TODAY, "Done today"),
        ):
            item = QListWidgetItem(icon(_ICONS[key]), title)
            item.setData(KEY_ROLE, key)
            self._items[key] = item
            self.addItem(item)
        self._titles = {k: it.text() for k, it in self._items.items()}
        self.currentItemChanged.connect(self._changed)

    def _changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.lane_chosen.emit(current.data(KEY_ROLE))

    def current_key(self) -> LaneKey:
        """The chosen entry."""
        item = self.currentItem()
        return item.data(KEY_ROLE) if item is not None else MY_SHIFT

    def choose(self, key: LaneKey) -> None:
        """Select an entry (emits ``lane_chosen`` when it changes)."""
        self.setCurrentItem(self._items[key])

    def set_counts(
        self, counts: dict[Lane, LaneCounts], open_escalations: int, done_today: int | None = None
    ) -> None:
        """Show live counts beside each lane (codes and numbers only: no PHI)."""
        total = LaneCounts(
            sum(c.open for c in counts.values()),
            sum(c.due_soon for c in counts.values()),
            sum(c.overdue for c in counts.values()),
        )
        for key, item in self._items.items():
            if key == ESCALATIONS:
                text = f"{open_escalations} open"
            elif key == DONE_TODAY:
                # Counting closed items scans them all: counted only when asked for.
                text = "closed this shift" if done_today is None else f"{done_today} closed"
            else:
                text = counts_text(total if key == MY_SHIFT else counts[Lane(key)])
            title = self._titles[key]
            item.setText(f"{title}\n{text}")
            item.setToolTip(f"{title}: {text}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title}, {text}")

    def count_text(self, key: LaneKey) -> str:
        """The counts line shown for an entry (for tests and the status bar)."""
        return self._items[key].text().split("\n", 1)[-1]
