"""What the UI shows: the row types of items, escalations, attempts and handoffs, and times.

The UI reaches data only through services; these are the read models the services hand it
(rows as the store reads them), the one helper that turns a stored time into a datetime, and
the import's column mapping and the errors a file read raises.
"""

from __future__ import annotations

from vmadesk.ingest import CsvMapping, IngestCancelled, IngestError
from vmadesk.ingest.csv_mapping import SYNONYMS, partial_mapping
from vmadesk.store.escalations import EscalationRow
from vmadesk.store.handoffs import HandoffItemRow
from vmadesk.store.history import EVENT_SEPARATOR, HOLD_ENDED, AttemptRow
from vmadesk.store.items import ItemQuery, ItemRow, LaneCounts, ListRow
from vmadesk.store.practices import PracticeRow
from vmadesk.store.timestamps import from_db

__all__ = [
    "EVENT_SEPARATOR",
    "HOLD_ENDED",
    "SYNONYMS",
    "AttemptRow",
    "CsvMapping",
    "EscalationRow",
    "HandoffItemRow",
    "IngestCancelled",
    "IngestError",
    "ItemQuery",
    "ItemRow",
    "LaneCounts",
    "ListRow",
    "PracticeRow",
    "from_db",
    "partial_mapping",
]
