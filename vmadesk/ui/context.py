"""What the console's widgets are given: the services of one unlocked session.

Not a global locator: the application builds one and passes it to the main window, which
hands each child only the service it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from vmadesk.services.clock import Clock
from vmadesk.services.escalation import EscalationService
from vmadesk.services.handoff import HandoffService
from vmadesk.services.session import Session
from vmadesk.services.shift import ShiftService
from vmadesk.services.work import WorkService
from vmadesk.services.worklist import WorkList


@dataclass
class ConsoleContext:
    """Services for one VMA's unlocked profile (all on the UI thread's connection)."""

    session: Session
    work: WorkService
    worklist: WorkList
    escalations: EscalationService
    shifts: ShiftService
    handoffs: HandoffService
    clock: Clock
    vma: str
    local_tz: str
