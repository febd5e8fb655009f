"""CSV reader: rows with more or fewer cells than the header has columns."""

from __future__ import annotations

import pytest

from tests.ingest.test_ingest_csv import CANARY, assert_no_phi, read
from vmadesk.ingest import IngestError

HEADER = "Appt ID,Start,Patient Name,Cell Phone,Provider,Status\n"
GOOD = "A1,2026-03-08 10:00,Ann Example,(212) 555-0101,Dr. Demo,Scheduled\n"


def _refused(text: str) -> IngestError:
    with pytest.raises(IngestError) as info:
        read(text)
    assert_no_phi(info.value)
    return info.value


def test_unquoted_comma_in_a_name_is_refused() -> None:
    # A practice's row: the phone landed in Provider, the provider in Status.
    text = HEADER + f"A2,2026-03-08 11:00,{CANARY}, Quentin,(212) 555-0142,Dr. Demo,Scheduled\n"
    err = _refused(text)
    assert str(err) == (
        "appointments.csv, row 2: 7 cells, but the header has 6 columns "
        "(a comma inside an unquoted value?)"
    )


def test_extra_cell_on_a_later_row_and_other_separators() -> None:
    text = HEADER + GOOD + GOOD.replace("A1", "A2").replace("Dr. Demo", "Demo, Dr.")
    err = _refused(text)
    assert err.location == "row 3" and err.reason.startswith("7 cells")
    semi = (HEADER + GOOD + f"A2;2026-03-08 11:00;{CANARY}; Q;x;y;z\n").replace(",", ";")
    assert "a semicolon inside" in _refused(semi).reason


def test_trailing_empty_cells_are_fine() -> None:
    text = HEADER + GOOD.replace("\n", ",,\n") + GOOD.replace("A1", "A2").replace("\n", ", ,\n")
    assert [a.source_id for a in read(text).appointments] == ["A1", "A2"]


def test_a_trailing_comma_in_the_header_adds_no_column() -> None:
    text = HEADER.replace("\n", ",\n") + GOOD.replace("\n", ",extra\n")
    assert _refused(text).reason.startswith("7 cells, but the header has 6 columns")


def test_short_row_lacking_optional_columns_is_read_with_a_warning() -> None:
    text = (
        HEADER
        + GOOD
        + "A2,2026-03-08 11:00,Bo Example,(212) 555-0102\n"  # Excel drops trailing empty cells
        + "A3,2026-03-08 12:00,Cy Example\n"
    )
    batch = read(text)
    a2, a3 = batch.appointments[1:]
    assert (a2.provider, a2.patient.phone_e164, a3.patient.phone_raw) == (
        None,
        "+12125550102",
        None,
    )
    (warning,) = [w for w in batch.warnings if "fewer cells" in w.reason]
    assert warning.location == "row 3"
    assert warning.reason.startswith(
        "2 rows from here on had fewer cells than the header's 6 columns"
    )


def test_short_row_lacking_a_needed_column_is_refused() -> None:
    err = _refused(HEADER + GOOD + f"A2,2026-03-08 11:00\n{CANARY} Quentin,(212) 555-0142,x,y\n")
    assert (err.location, err.field) == ("row 3", "column 3 (patient name)")
    assert err.reason.startswith("2 cells, but the header has 6 columns")


def test_blank_lines_are_still_skipped() -> None:
    text = HEADER + "\n" + GOOD + ",,,,,\n\n" + GOOD.replace("A1", "A2") + "\n\n"
    batch = read(text)
    assert [a.location_in_file for a in batch.appointments] == ["row 3", "row 6"]
    assert not [w for w in batch.warnings if "fewer cells" in w.reason]
