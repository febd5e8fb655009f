from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from vmadesk.domain.instants import as_utc, load_zone


def test_as_utc_converts() -> None:
    value = datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=8)))
    assert as_utc(value) == datetime(2025, 1, 1, 4, tzinfo=UTC)
    assert as_utc(value).tzinfo is UTC


class NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> None:
        return None


@pytest.mark.parametrize("value", [datetime(2025, 1, 1), datetime(2025, 1, 1, tzinfo=NoOffset())])
def test_as_utc_refuses_naive(value: datetime) -> None:
    with pytest.raises(ValueError, match="when must be timezone-aware"):
        as_utc(value, "when")


def test_as_utc_refuses_non_datetimes() -> None:
    with pytest.raises(TypeError, match="must be a datetime"):
        as_utc("2025-01-01", "when")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "Not/AZone", "../etc/passwd"])
def test_load_zone_refuses_unknown(name: str) -> None:
    with pytest.raises(ValueError):
        load_zone(name)
