"""Quick-add for the prior-authorization and referral lanes: new work typed in by the VMA.

The typed values go through the same domain checks as an import (the message names the
field, never the value) and the item is created as an import creates it, once, with its
audit entry and the change hook, in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import date

from vmadesk.domain.medical_codes import SERVICE_LIST_EXAMPLE, ServiceLine, split_service_list
from vmadesk.domain.payer_programs import PaUrgency, PayerProgram
from vmadesk.domain.prior_auth_rules import PaState, PriorAuthFields
from vmadesk.domain.referral_rules import ReferralDirection, ReferralFields, initial_state
from vmadesk.ingest.lane_records import PriorAuthRecord, ReferralRecord
from vmadesk.ingest.records import PatientRecord
from vmadesk.services.clock import Clock, system_clock
from vmadesk.services.errors import ActionRefused
from vmadesk.services.intake import QUICK_ADD_SOURCE, normalise_phone
from vmadesk.services.lane_items import create_lane_items, lane_of
from vmadesk.services.practice_setup import load_context
from vmadesk.store import items
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection


def _patient(family: str, given: str, phone: str, region: str) -> PatientRecord:
    if not family.strip():
        raise ActionRefused("Name: the family name is required.")
    e164 = normalise_phone(phone, region) if phone.strip() else None
    return PatientRecord("", family.strip(), given.strip(), None, e164, phone or None)


def parse_services(text: str) -> list[tuple[str, int]]:
    """Service codes as typed (``97110 x12; 97140 x4``): code and units (1 when not given).

    Raises:
        ActionRefused: Nothing typed, or a part that is not a code with optional units.
    """
    try:
        lines = split_service_list(text)
    except ValueError as exc:
        raise ActionRefused(f"Services: {exc}.") from None
    if not lines:
        raise ActionRefused(
            f"Services: at least one service code is needed ({SERVICE_LIST_EXAMPLE})."
        )
    return [(code, units or 1) for code, units in lines]


def quick_add_prior_auth(
    conn: Connection,
    *,
    practice_id: int,
    family: str,
    given: str,
    phone: str,
    program: PayerProgram,
    services: list[tuple[str, int]],
    service_from: date | None = None,
    urgency: PaUrgency = PaUrgency.STANDARD,
    vma: str,
    clock: Clock = system_clock,
    on_change: ChangeHook | None = None,
) -> int:
    """Create a prior authorization that needs submission; returns its item id."""
    ctx = load_context(conn, practice_id)
    try:
        fields = PriorAuthFields(
            program=program,
            services=tuple(ServiceLine(code, units) for code, units in services),
            urgency=urgency,
            service_from=service_from,
        )
    except ValueError as exc:
        raise ActionRefused(f"{str(exc).capitalize()}.") from None
    record = PriorAuthRecord(
        QUICK_ADD_SOURCE, str(uuid.uuid4()), _patient(family, given, phone, ctx.region),
        PaState.NEEDS_SUBMISSION, fields, "typed",
    )  # fmt: skip
    now = clock()
    create_lane_items(conn, ctx, [record], owner=vma, now=now, on_change=on_change,
                      source="quick_add")  # fmt: skip
    return items.find_by_source(conn, QUICK_ADD_SOURCE, record.source_id, lane_of(record)).id


def quick_add_referral(
    conn: Connection,
    *,
    practice_id: int,
    family: str,
    given: str,
    phone: str,
    direction: ReferralDirection,
    reason: str,
    referred_to: str = "",
    referred_by: str = "",
    vma: str,
    clock: Clock = system_clock,
    on_change: ChangeHook | None = None,
) -> int:
    """Create a referral sent (outgoing) or received (incoming) now; returns its item id."""
    ctx = load_context(conn, practice_id)
    now = clock()
    try:
        fields = ReferralFields(
            direction=direction,
            reason=reason,
            sent_at=now,
            referred_to_organization=referred_to.strip() or None,
            referred_by=referred_by.strip() or None,
        )
    except ValueError as exc:
        raise ActionRefused(f"{str(exc).capitalize()}.") from None
    record = ReferralRecord(
        QUICK_ADD_SOURCE, str(uuid.uuid4()), _patient(family, given, phone, ctx.region),
        initial_state(fields.direction), fields, "typed",
    )  # fmt: skip
    create_lane_items(conn, ctx, [record], owner=vma, now=now, on_change=on_change,
                      source="quick_add")  # fmt: skip
    return items.find_by_source(conn, QUICK_ADD_SOURCE, record.source_id, lane_of(record)).id
