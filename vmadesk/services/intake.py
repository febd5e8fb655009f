"""New work typed in by the VMA: the quick-add callback request."""

from __future__ import annotations

import uuid
from datetime import datetime

from vmadesk.domain.vocabulary import ItemAction
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.services.item_factory import CallbackRequest, Patient, callback_columns
from vmadesk.services.practice_setup import load_context
from vmadesk.store import audit, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction

QUICK_ADD_SOURCE = "vmadesk:quick-add"


def normalise_phone(raw: str, region: str) -> str:
    """E.164 form of a typed number, or ActionRefused naming the field."""
    import phonenumbers  # ~30 ms to import: kept off the console's start path

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ActionRefused("Phone: not a phone number.") from None
    if not phonenumbers.is_possible_number(number):
        raise ActionRefused("Phone: not a possible phone number for the practice's region.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def quick_add_callback(
    conn: Connection,
    *,
    practice_id: int,
    family: str,
    given: str,
    phone: str,
    reason: str,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    vma: str,
    clock: Clock = system_clock,
    on_change: ChangeHook | None = None,
) -> int:
    """Create a callback item from the quick-add dialog; returns its id.

    ``on_change`` (the sync outbox, once enrolled) runs inside the same transaction.
    """
    if not family.strip():
        raise ActionRefused("Name: the family name is required.")
    if not reason.strip():
        raise ActionRefused("Reason: say why the patient asked for a call.")
    if window_start and window_end and window_end <= window_start:
        raise ActionRefused("Requested window: the end must be after the start.")
    ctx = load_context(conn, practice_id)
    e164 = normalise_phone(phone, ctx.region)
    now = clock()
    request = CallbackRequest(
        source_system=QUICK_ADD_SOURCE,
        source_id=str(uuid.uuid4()),
        patient=Patient(family=family.strip(), given=given.strip(), phone=e164, phone_raw=phone),
        reason=reason.strip(),
        requested_at=now,
        window_start=window_start,
        window_end=window_end,
    )
    with transaction(conn):
        item_id = items.insert_item(conn, callback_columns(ctx, request, owner=vma, now=now))
        audit.append(
            conn,
            AuditEvent.ITEM_CREATED,
            item_id=item_id,
            details={"lane": "callback", "source": "quick_add"},
        )
        if on_change is not None:
            on_change(conn, items.get_item(conn, item_id), ItemAction.IMPORTED, {})
    return item_id
