"""Column values of planned import changes: what an appointment becomes, and what changes.

Pure helpers for :mod:`vmadesk.services.import_plan`: the domain work of a record, the
columns compared to decide whether an open item changed, and the values that close or
reopen an item. They read :class:`~vmadesk.store.items.ItemRow` s and return column dicts;
they never touch the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.status_rules import check_transition
from vmadesk.domain.vocabulary import (
    COMPLETED_BY_PRACTICE_SYSTEM,
    CloseReason,
    ItemStatus,
    Outcome,
)
from vmadesk.ingest import AppointmentRecord
from vmadesk.services.item_factory import AppointmentWork, Patient
from vmadesk.store.items import ItemRow, search_text
from vmadesk.store.timestamps import to_db, to_db_opt

#: Columns compared to decide whether an open item changed (patient contact, appointment).
COMPARED_APPOINTMENT = (
    "patient_family",
    "patient_given",
    "patient_dob",
    "patient_ref",
    "phone",
    "phone_raw",
    "appointment_start",
    "appointment_offset_min",
    "appointment_end",
    "appointment_type",
    "provider",
    "location",
    "payer",
    "member_id",
    "plan",
    "search_text",
)
COMPARED_CALLBACK = (
    "patient_family",
    "patient_given",
    "patient_dob",
    "patient_ref",
    "phone",
    "phone_raw",
    "reason",
    "window_start",
    "window_end",
    "search_text",
)
REBOOKED_NOTE = "appointment booked again; work it again"
CONFIRMED_NOTE = "confirmed in the practice system; closed by import"
COVERAGE_NOTE = "coverage changed; verify again"


def coverage_key(patient_ref: str | None, family: str, payer: Any, member_id: Any) -> tuple:
    """What identifies one patient's coverage (patient, payer, member id) across items."""
    return (patient_ref or f"name:{family}", payer or "", member_id or "")


def appointment_work(record: AppointmentRecord) -> AppointmentWork:
    """The domain work an appointment record describes (both lanes build from it)."""
    p, cov = record.patient, record.coverage
    return AppointmentWork(
        source_system=record.source_system,
        source_id=record.source_id,
        patient=Patient(
            family=p.family,
            given=p.given,
            birth_date=p.birth_date,
            phone=p.phone_e164,
            phone_raw=p.phone_raw,
            ref=p.source_id or None,
        ),
        start=record.start,
        end=record.end,
        appointment_type=record.appointment_type,
        provider=record.provider,
        location=record.location,
        payer=cov.payer if cov else None,
        member_id=cov.member_id if cov else None,
        plan=cov.plan if cov else None,
    )


def held_time(item: ItemRow) -> timedelta:
    """How long the item has been on hold so far (due times move by it)."""
    return timedelta(seconds=item.held_seconds)


def changed_columns(item: ItemRow, new: dict[str, Any], compared: Iterable[str]) -> dict[str, Any]:
    """The ``compared`` columns whose new value differs from the item's.

    An empty value is no news: an export without a phone or DOB column (or with the cell
    left blank) does not erase what the item already has. The search text follows the
    merged values.
    """
    stored = item.stored_value  # the new values are as the store holds them: times as text
    diff = {
        c: new[c]
        for c in compared
        if c != "search_text" and new[c] is not None and stored(c) != new[c]
    }
    if "search_text" in compared:
        merged = {c: diff[c] if c in diff else stored(c) for c in _SEARCHED}
        phone = merged["phone"] or merged["phone_raw"]
        text = search_text(
            merged["patient_family"],
            merged["patient_given"],
            "".join(ch for ch in phone if ch.isdigit()) if phone else None,
            merged["reason"],
            merged["appointment_type"],
            merged["payer"],
        )
        if text != item.search_text:
            diff["search_text"] = text
    return diff


#: What the search text is built from (as in :mod:`vmadesk.services.item_factory`).
_SEARCHED = (
    "patient_family",
    "patient_given",
    "phone",
    "phone_raw",
    "reason",
    "appointment_type",
    "payer",
)


def close_values(item: ItemRow, reason: CloseReason, now: datetime) -> dict[str, Any]:
    """The columns that close an open item because its appointment is gone."""
    return {
        "status": ItemStatus.CANCELLED.value,
        "status_reason": reason.value,
        **_closing_values(item, now),
    }


def confirmed_values(item: ItemRow, now: datetime) -> dict[str, Any]:
    """The columns that complete an open confirmation item the practice system confirmed.

    The outcome is the lane's own ``confirmed``; its details name the practice system, so
    what the export reported can be told apart from a VMA's confirmation call.

    Raises:
        TransitionError: The item's status cannot be completed.
    """
    check_transition(
        item.status, ItemStatus.COMPLETED, moves=lane_definition(item.lane).status_moves
    )
    return {
        "status": ItemStatus.COMPLETED.value,
        "status_reason": None,
        "outcome": Outcome.CONFIRMED.value,
        "outcome_json": COMPLETED_BY_PRACTICE_SYSTEM,
        **_closing_values(item, now),
    }


def _closing_values(item: ItemRow, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {
        "next_attempt_at": None,
        "updated_at": to_db(now),
        "closed_at": to_db(now),
    }
    if item.status == ItemStatus.ON_HOLD.value:
        # Closing ends the hold: keep the time it lasted, as WorkService does.
        started = item.hold_started or now
        held = held_time(item) + max(now - started, timedelta(0))
        values.update(held_seconds=int(held.total_seconds()), hold_started=None, hold_until=None)
    return values


def reopen_values(item: ItemRow, now: datetime) -> dict[str, Any]:
    """The columns that make a closed item work to do again.

    Raises:
        TransitionError: The item's status cannot be reopened.
    """
    check_transition(ItemStatus(item.status), ItemStatus.REQUESTED, reopen=True)
    return {
        "status": ItemStatus.REQUESTED.value,
        "status_reason": None,
        "closed_at": None,
        "outcome": None,
        "outcome_json": None,
        "next_attempt_at": None,
        "attempt_count": 0,
        "hold_until": None,
        "hold_reason": None,
        "hold_started": None,
        "updated_at": to_db(now),
    }


def display_values(item: ItemRow) -> dict[str, Any]:
    """What the preview shows of an existing item (overridden by changed values, stored text)."""
    return {
        "patient_family": item.patient_family,
        "patient_given": item.patient_given,
        "appointment_start": to_db_opt(item.appointment_start),
        "appointment_offset_min": item.appointment_offset_min,
    }
