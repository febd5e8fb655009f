"""CSV reader: status words as practice systems write them, and the hint to map columns."""

from __future__ import annotations

import pytest

from tests.ingest.test_ingest_csv import BASIC, CANARY, assert_no_phi, read
from vmadesk.ingest import AppointmentStatus, IngestError

S = AppointmentStatus


def _one(status: str):
    text = f"Appt ID,Start,Patient Name,Status\nX,2026-03-08 10:00,Ann Example,{status}\n"
    (appointment,) = read(text).appointments
    return appointment.status, appointment.confirmed_by_source


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Rescheduled", S.CANCELLED),
        ("Cancelled by patient", S.CANCELLED),
        ("Canceled - Provider", S.CANCELLED),
        ("Late Cancel", S.CANCELLED),
        ("Bumped", S.CANCELLED),
        ("No Show", S.NOSHOW),
        ("NoShow", S.NOSHOW),
        ("Did not arrive", S.NOSHOW),
        ("DNA", S.NOSHOW),
        ("Left without being seen", S.NOSHOW),
        ("LWBS", S.NOSHOW),
        ("Deleted", S.ENTERED_IN_ERROR),
        ("Void", S.ENTERED_IN_ERROR),
        ("Entered in Error", S.ENTERED_IN_ERROR),
        ("Arrived", S.ARRIVED),
        ("Checked-In", S.CHECKED_IN),
        ("In Room", S.CHECKED_IN),
        ("Roomed", S.CHECKED_IN),
        ("Checked Out", S.FULFILLED),
        ("Seen", S.FULFILLED),
        ("Completed", S.FULFILLED),
        ("Scheduled", S.BOOKED),
        ("Pending", S.PENDING),
        ("Wait List", S.WAITLIST),
    ],
)
def test_status_vocabulary(cell: str, status: AppointmentStatus) -> None:
    assert _one(cell) == (status, False)


@pytest.mark.parametrize(
    ("cell", "confirmed"),
    [
        ("Confirmed", True),
        ("CONFIRMED", True),
        ("Confirmed by patient", True),
        ("Pt confirmed", True),
        ("Confirmed - text", True),
        ("Unconfirmed", False),
        ("Not confirmed", False),
        ("Not-Confirmed", False),
        ("Un-confirmed", False),
        ("Left message to confirm", False),
        ("Confirmation pending", False),
    ],
)
def test_confirmed_only_when_the_export_says_so(cell: str, confirmed: bool) -> None:
    assert _one(cell) == (S.BOOKED, confirmed)


def test_basic_report_marks_the_confirmed_row() -> None:
    a1, a2 = read(BASIC).appointments
    assert (a1.status, a1.confirmed_by_source) == (S.BOOKED, True)
    assert a2.confirmed_by_source is False


@pytest.mark.parametrize("cell", [CANARY, "Not seen", "Not arrived", "Incomplete"])
def test_unknown_or_negated_status_is_refused_with_the_accepted_words(cell: str) -> None:
    with pytest.raises(IngestError) as info:
        read(BASIC.replace("Confirmed", cell))
    err = info.value
    assert (err.location, err.field) == ("row 2", "column 12 (status)")
    assert "not a recognised appointment status" in err.reason
    assert "Rescheduled" in err.reason and "No Show" in err.reason
    assert_no_phi(err)


# --- pointing to --mapping -----------------------------------------------------------------

HINT = "map the columns with --mapping FILE (CLI) or Map columns… (import dialog)"


def test_unknown_layout_points_to_mapping() -> None:
    with pytest.raises(IngestError) as info:
        read(f"Ticket,When,{CANARY}\nT1,2026-03-08 10:00,Ann Example\n")
    assert info.value.reason.startswith("missing required column: ")
    assert info.value.reason.endswith(" — " + HINT)
    assert_no_phi(info.value)


def test_column_whose_first_value_does_not_fit_points_to_mapping() -> None:
    # "Appt Date" holds names: the column is the wrong one, not one cell.
    text = "Appt ID,Appt Date,Appt Time,Patient Name\nA1,Ann Example,03/08/2026,9:00 AM\n"
    with pytest.raises(IngestError) as info:
        read(text)
    assert info.value.field == "column 2 (date)" and info.value.reason.endswith(HINT)


def test_one_bad_cell_in_a_column_that_fits_gets_no_hint() -> None:
    with pytest.raises(IngestError) as info:
        read(BASIC.replace("03/09/2026", "03/99/2026"))
    assert info.value.location == "row 3" and HINT not in info.value.reason
    with pytest.raises(IngestError) as info:
        read(BASIC.replace("Cancelled", "Zzz"))
    assert info.value.location == "row 3" and HINT not in info.value.reason
