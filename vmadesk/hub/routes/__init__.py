"""The hub API operations, one module per resource family; each exports ``ENDPOINTS``."""

from __future__ import annotations

from vmadesk.hub.endpoint import Endpoint
from vmadesk.hub.routes import (
    board,
    claim_moves,
    claims,
    escalations,
    evidence,
    handoffs,
    keys,
    messages,
    practices,
    spotchecks,
)


def all_endpoints() -> list[Endpoint]:
    """Every API operation, in documentation order."""
    return [
        *keys.ENDPOINTS,
        *messages.ENDPOINTS,
        *claims.ENDPOINTS,
        *claim_moves.ENDPOINTS,
        *practices.ENDPOINTS,
        *escalations.ENDPOINTS,
        *handoffs.ENDPOINTS,
        *spotchecks.ENDPOINTS,
        *evidence.ENDPOINTS,
        *board.ENDPOINTS,
    ]
