"""Create prior-authorization and referral items from lane records, idempotently.

An item is keyed by ``(source_system, source_id, lane)`` like every imported item: a record
seen again changes nothing (the VMA's later moves win over the file's older state). Creating
a batch is one transaction, with an audit entry and the change hook per new item, so a batch
either lands whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from vmadesk.domain import payer_clock, referral_rules
from vmadesk.domain.lane_fields_codec import to_json
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.payer_clock import PaClockPolicy
from vmadesk.domain.prior_auth_rules import PaState
from vmadesk.domain.prior_auth_rules import item_status as pa_status
from vmadesk.domain.referral_rules import ReferralPolicy
from vmadesk.domain.vocabulary import ItemAction, ItemStatus, Lane
from vmadesk.ingest.lane_records import PriorAuthRecord, ReferralRecord
from vmadesk.services.item_factory import timing_columns
from vmadesk.services.practice_setup import PracticeContext
from vmadesk.store import audit, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import search_text
from vmadesk.store.timestamps import to_db

LaneRecord = PriorAuthRecord | ReferralRecord


def lane_of(record: LaneRecord) -> Lane:
    """The lane a record's item belongs to."""
    return Lane.PRIOR_AUTH if isinstance(record, PriorAuthRecord) else Lane.REFERRAL


def lane_due(
    practice: PracticeContext, record: LaneRecord, *, created_at: datetime, now: datetime
) -> tuple[datetime, str]:
    """The item's due time on the practice's clock, and the reason in words.

    A prior authorization not yet sent is due per the practice's SLA (business hours before
    the date of service); one with the payer is due when the payer's window (calendar time)
    runs out. A referral is due at its current step's due time (per urgency).
    """
    if isinstance(record, PriorAuthRecord):
        policy = PaClockPolicy()
        fields = record.fields
        if record.state.waits_on_payer and fields.submitted_at is not None:
            due = payer_clock.payer_due(fields.submitted_at, fields.program, fields.urgency, policy)
            return due, "Waiting on the payer's answer"
        if record.state is PaState.DENIED and fields.appeal_deadline is not None:
            return payer_clock.appeal_due(fields.appeal_deadline, practice.hours, policy), (
                "Appeal or close the denial"
            )
        due = payer_clock.practice_due(fields, created_at, practice.hours, policy)
        return due, "Submit the prior authorization"
    spec = referral_rules.next_due(record.state, record.fields, practice.hours, ReferralPolicy())
    if spec is None:
        return now, "Referral"
    return spec.due_at, spec.label


def _status(record: LaneRecord) -> tuple[ItemStatus, str | None]:
    if isinstance(record, PriorAuthRecord):
        status, hold = pa_status(record.state)
    else:
        status, hold = referral_rules.item_status(record.state)
    return status, hold.value if hold else None


def lane_item_columns(
    practice: PracticeContext, record: LaneRecord, *, owner: str, now: datetime
) -> dict[str, Any]:
    """Columns of a new prior-authorization or referral item."""
    lane = lane_of(record)
    definition = lane_definition(lane)
    due, reason = lane_due(practice, record, created_at=now, now=now)
    status, hold = _status(record)
    patient = record.patient
    payer = getattr(record.fields, "payer", None)
    closed = {} if status.is_open else {"closed_at": to_db(now)}
    held = (
        {"hold_until": to_db(due), "hold_reason": hold, "hold_started": to_db(now)}
        if status is ItemStatus.ON_HOLD
        else {}
    )
    return {
        "practice_id": practice.id,
        "lane": lane.value,
        "source_system": record.source_system,
        "source_id": record.source_id,
        "subject_kind": definition.subject_kind,
        "patient_family": patient.family,
        "patient_given": patient.given,
        "patient_dob": patient.birth_date.isoformat() if patient.birth_date else None,
        "patient_ref": patient.source_id,
        "phone": patient.phone_e164,
        "phone_raw": patient.phone_raw,
        "reason": reason,
        "payer": payer,
        # A referral was asked for when it was sent (or received), not when it was imported.
        "requested_at": to_db(getattr(record.fields, "sent_at", None) or now),
        **timing_columns(practice, lane, due),
        "status": status.value,
        **held,
        **closed,
        "owner": owner,
        "lane_state": record.state.value,
        "lane_fields_json": to_json(record.fields),
        "search_text": search_text(
            patient.family,
            patient.given,
            "".join(ch for ch in (patient.phone_e164 or "") if ch.isdigit()) or None,
            definition.item_words,
            payer,
        ),
        "created_at": to_db(now),
        "updated_at": to_db(now),
    }


def insert_lane_items(
    conn: Connection,
    practice: PracticeContext,
    records: tuple[LaneRecord, ...] | list[LaneRecord],
    *,
    owner: str,
    now: datetime,
    on_change: ChangeHook | None = None,
    source: str = "import",
) -> Counter[str]:
    """Insert the items of ``records`` not yet held, in the caller's transaction.

    Returns:
        New items per lane code (PHI-free counts).
    """
    created: Counter[str] = Counter()
    for record in records:
        lane = lane_of(record)
        if items.find_by_source(conn, record.source_system, record.source_id, lane):
            continue
        item_id = items.insert_item(conn, lane_item_columns(practice, record, owner=owner, now=now))
        audit.append(
            conn,
            AuditEvent.ITEM_CREATED,
            item_id=item_id,
            details={"lane": lane.value, "source": source},
        )
        if on_change is not None:
            on_change(conn, items.get_item(conn, item_id), ItemAction.IMPORTED, {})
        created[lane.value] += 1
    return created


def create_lane_items(
    conn: Connection,
    practice: PracticeContext,
    records: tuple[LaneRecord, ...] | list[LaneRecord],
    *,
    owner: str,
    now: datetime,
    on_change: ChangeHook | None = None,
    source: str = "import",
) -> Counter[str]:
    """Create the items of ``records`` not yet held, in one transaction of their own.

    Returns:
        New items per lane code (PHI-free counts).
    """
    with transaction(conn):
        return insert_lane_items(
            conn, practice, records, owner=owner, now=now, on_change=on_change, source=source
        )


def add_lane_demo(
    conn: Connection, practice: PracticeContext, owner: str, now: datetime
) -> Counter[str]:
    """Add the demo's prior authorizations and referrals (every state, both clocks live)."""
    from vmadesk.services.demo_lanes import demo_prior_auths, demo_referrals

    records = [*demo_prior_auths(now), *demo_referrals(now)]
    # In the demo's own transaction.
    return insert_lane_items(conn, practice, records, owner=owner, now=now, source="demo")
