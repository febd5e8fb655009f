"""Which open items a full export no longer lists: reported to the VMA, never closed.

A practice's "full" export is full only for what it was asked for: a day's schedule, a
week's, one clinic's. Reading "not in the file" as "gone" would flag every appointment
outside that span, or another system's. So an item counts as missing only when all hold:

- the batch is an appointment export that claims to be complete
  (:attr:`~vmadesk.ingest.ImportBatch.full_export`); callback lists never report missing,
  since a callback export lists the requests of the moment, not a span of time;
- the item is open, in the confirmation or eligibility lane, of one of the batch's source
  systems and of the practice imported to;
- when every appointment in the file names a provider (or a location), the item's provider
  (location) is one of those: a report run for one provider or one clinic covers only them;
- its appointment starts within the span the export covers: from the earliest to the
  latest appointment date in the file, in whole days in the practice's zone (an export
  listing 24 to 26 November covers those three days entirely);
- the file does not list its appointment (in any status).

An export without appointments covers no span and reports nothing missing. Missing items
are listed by id for the VMA to check in the practice system; the import never closes or
deletes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from vmadesk.domain.lanes import appointment_lanes
from vmadesk.domain.vocabulary import ItemStatus
from vmadesk.ingest import AppointmentRecord, ImportBatch
from vmadesk.services.import_inputs import keyed_system
from vmadesk.store import items as items_store
from vmadesk.store.connection import Connection
from vmadesk.store.items import ItemRow

#: The lanes whose items come from appointments (and so can be missing from one).
APPOINTMENT_LANES = frozenset(lane.value for lane in appointment_lanes())


def covered_days(
    appointments: Iterable[AppointmentRecord], zone: ZoneInfo
) -> tuple[date, date] | None:
    """The first and last date of service an export lists, in the practice's zone.

    Returns:
        ``(first, last)``, both included; None for an export without appointments.
    """
    days = [record.start.astimezone(zone).date() for record in appointments]
    return (min(days), max(days)) if days else None


def missing_item_ids(
    batch: ImportBatch,
    existing: Iterable[ItemRow],
    *,
    practice_id: int,
    practice_code: str,
    zone: ZoneInfo,
) -> tuple[int, ...]:
    """The ids of open items ``batch`` should list but does not (rule in the module doc).

    Args:
        batch: What the reader returned.
        existing: The store's items (any source and practice: others are left out here).
        practice_id: The practice the import goes to.
        practice_code: Its code (items are keyed by :func:`keyed_system`).
        zone: That practice's zone (the span is counted in its dates).

    Returns:
        Item ids, ascending.
    """
    if batch.kind != "appointments" or not batch.full_export:
        return ()
    span = covered_days(batch.appointments, zone)
    if span is None:
        return ()
    first, last = span
    listed = {
        (keyed_system(r.source_system, practice_code), r.source_id) for r in batch.appointments
    }
    systems = {system for system, _ in listed}
    providers = _listed(r.provider for r in batch.appointments)
    locations = _listed(r.location for r in batch.appointments)
    return tuple(
        sorted(
            item.id
            for item in existing
            if item.lane in APPOINTMENT_LANES
            and item.practice_id == practice_id
            and (system := keyed_system(item.source_system, practice_code)) in systems
            and (system, item.source_id) not in listed
            and item.appointment_start is not None
            and ItemStatus(item.status).is_open
            and first <= item.appointment_start.astimezone(zone).date() <= last
            and (providers is None or item.provider in providers)
            and (locations is None or item.location in locations)
        )
    )


def _listed(values: Iterable[str | None]) -> frozenset[str] | None:
    """The providers (or locations) a file lists, when every appointment names one.

    A report run for one provider or one clinic covers only those: another provider's
    appointments on the same days are not missing from it. A file where some appointment
    names none cannot be read that way, and is taken to cover every provider.
    """
    seen = set()
    for value in values:
        if not value:
            return None
        seen.add(value)
    return frozenset(seen)


def missing_items(conn: Connection, ids: Sequence[int], limit: int) -> list[ItemRow]:
    """The first ``limit`` missing items, for the preview to name (they hold PHI: screen only)."""
    return [items_store.get_item(conn, item_id) for item_id in ids[:limit]]
