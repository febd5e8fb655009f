"""What the UI shows: the row types of items, escalations, attempts and handoffs, and times.

The UI reaches data only through services; these are the read models the services hand it
(rows as the store reads them) and the one helper that turns a stored time into a datetime.
They stay light: the console's first lane imports this module (the import's types are in
:mod:`vmadesk.services.import_types`, which loads the FHIR models).
"""

from __future__ import annotations

from vmadesk.store.escalations import EscalationRow
from vmadesk.store.handoffs import HandoffItemRow
from vmadesk.store.history import EVENT_SEPARATOR, HOLD_ENDED, AttemptRow
from vmadesk.store.item_queries import ItemQuery, LaneCounts
from vmadesk.store.items import ItemRow, ListRow
from vmadesk.store.practices import PracticeRow
from vmadesk.store.timestamps import from_db

__all__ = [
    "EVENT_SEPARATOR",
    "HOLD_ENDED",
    "AttemptRow",
    "EscalationRow",
    "HandoffItemRow",
    "ItemQuery",
    "ItemRow",
    "LaneCounts",
    "ListRow",
    "PracticeRow",
    "from_db",
]
