"""Turn a callback request or an appointment into the stored columns of a work item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from vmadesk.domain.appointment_time import offset_minutes
from vmadesk.domain.lanes import lane_definition
from vmadesk.domain.sla import compute_due, due_on_arrival
from vmadesk.domain.vocabulary import ItemStatus, Lane
from vmadesk.services.practice_setup import PracticeContext
from vmadesk.store.items import search_text
from vmadesk.store.timestamps import to_db, to_db_opt


@dataclass(frozen=True)
class Patient:
    """Who the work is about (PHI)."""

    family: str
    given: str = ""
    birth_date: date | None = None
    phone: str | None = None
    phone_raw: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class CallbackRequest:
    """A patient asked to be called back."""

    source_system: str
    source_id: str
    patient: Patient
    reason: str
    requested_at: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None


@dataclass(frozen=True)
class AppointmentWork:
    """An appointment that needs confirming or a coverage check."""

    source_system: str
    source_id: str
    patient: Patient
    start: datetime
    end: datetime | None = None
    appointment_type: str | None = None
    provider: str | None = None
    location: str | None = None
    payer: str | None = None
    member_id: str | None = None
    plan: str | None = None


def timing_columns(
    practice: PracticeContext, lane: Lane, due_at: datetime, held: timedelta = timedelta(0)
) -> dict[str, Any]:
    """Due, effective due (pushed by time on hold) and due-soon columns."""
    effective = due_at + held
    return {
        "due_at": to_db(due_at),
        "effective_due": to_db(effective),
        "due_soon_at": to_db(effective - practice.policies[lane].due_soon),
    }


def _patient_columns(patient: Patient) -> dict[str, Any]:
    return {
        "patient_family": patient.family,
        "patient_given": patient.given,
        "patient_dob": patient.birth_date.isoformat() if patient.birth_date else None,
        "patient_ref": patient.ref,
        "phone": patient.phone,
        "phone_raw": patient.phone_raw,
    }


def _phone_digits(patient: Patient) -> str | None:
    number = patient.phone or patient.phone_raw
    return "".join(ch for ch in number if ch.isdigit()) if number else None


def callback_columns(
    practice: PracticeContext, request: CallbackRequest, *, owner: str, now: datetime
) -> dict[str, Any]:
    """Columns of a new callback item."""
    due = compute_due(
        practice.policies[Lane.CALLBACK], practice.hours, requested_at=request.requested_at
    )
    return {
        "practice_id": practice.id,
        "lane": Lane.CALLBACK.value,
        "source_system": request.source_system,
        "source_id": request.source_id,
        "subject_kind": lane_definition(Lane.CALLBACK).subject_kind,
        **_patient_columns(request.patient),
        "reason": request.reason,
        "requested_at": to_db(request.requested_at),
        "window_start": to_db_opt(request.window_start),
        "window_end": to_db_opt(request.window_end),
        **timing_columns(practice, Lane.CALLBACK, due),
        "status": ItemStatus.REQUESTED.value,
        "owner": owner,
        "search_text": search_text(
            request.patient.family,
            request.patient.given,
            _phone_digits(request.patient),
            request.reason,
        ),
        "created_at": to_db(now),
        "updated_at": to_db(now),
    }


def appointment_columns(
    practice: PracticeContext,
    lane: Lane,
    work: AppointmentWork,
    *,
    owner: str,
    now: datetime,
    arrived: datetime | None = None,
) -> dict[str, Any]:
    """Columns of a new confirmation or eligibility item.

    Args:
        practice: The practice.
        lane: Confirmation or eligibility.
        work: The appointment.
        owner: The VMA who owns the item.
        now: Its creation time.
        arrived: When the work reached the VMA (default ``now``): the item is due no earlier
            (:func:`~vmadesk.domain.sla.due_on_arrival`).
    """
    definition = lane_definition(lane)
    if not definition.from_appointments:
        raise ValueError(f"appointments make no {lane.value} items")
    due = compute_due(practice.policies[lane], practice.hours, appointment_start=work.start)
    due = due_on_arrival(due, practice.hours, arrived=arrived or now, appointment_start=work.start)
    return {
        "practice_id": practice.id,
        "lane": lane.value,
        "source_system": work.source_system,
        "source_id": work.source_id,
        "subject_kind": definition.subject_kind,
        **_patient_columns(work.patient),
        "reason": definition.new_item_reason,
        "appointment_start": to_db(work.start),
        "appointment_offset_min": offset_minutes(work.start),
        "appointment_end": to_db_opt(work.end),
        "appointment_type": work.appointment_type,
        "provider": work.provider,
        "location": work.location,
        "payer": work.payer,
        "member_id": work.member_id,
        "plan": work.plan,
        **timing_columns(practice, lane, due),
        "status": ItemStatus.REQUESTED.value,
        "owner": owner,
        "search_text": search_text(
            work.patient.family,
            work.patient.given,
            _phone_digits(work.patient),
            definition.new_item_reason,
            work.appointment_type,
            work.payer,
        ),
        "created_at": to_db(now),
        "updated_at": to_db(now),
    }
