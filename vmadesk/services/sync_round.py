"""What every step of a sync round shares: its running tally, its clock, the token error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from vmadesk.sync.hub_client import HubRejected

#: HTTP statuses by which the hub refuses the token itself (not the request).
_UNAUTHORISED = (401, 403)


class SyncAuthError(Exception):
    """The hub refused this console's token (revoked or wrong): re-enrol."""


@dataclass
class Tally:
    """What a round has done so far (counts only); each step adds to it."""

    sent: int = 0
    duplicates: int = 0
    conflicts: int = 0
    escalation_updates: int = 0
    handoffs_received: int = 0
    receipts_applied: int = 0
    lost_claims: int = 0


def round_time(now: datetime | None) -> datetime:
    """The round's time: ``now`` when given (tests, one clock per round), else the UTC now."""
    return now or datetime.now(UTC)


def raise_if_unauthorised(error: HubRejected) -> None:
    """Turn a refused token into :class:`SyncAuthError`; other refusals are the caller's.

    Raises:
        SyncAuthError: The hub answered 401 or 403 (no retry can help: re-enrol).
    """
    if error.status in _UNAUTHORISED:
        raise SyncAuthError(str(error)) from None
