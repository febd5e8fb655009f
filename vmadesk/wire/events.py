"""Item events, and the envelope and batch every console message travels in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
)

from vmadesk.domain.vocabulary import (
    CloseReason,
    HoldReason,
    Lane,
    Outcome,
)
from vmadesk.wire.common import (
    MAX_BATCH,
    SCHEMA_VERSION,
    Count,
    Handle,
    ItemEventKind,
    Pseudonym,
    SignedSeconds,
    Timestamp,
    Uuid4,
    Wire,
)
from vmadesk.wire.escalations import EscalationRaised
from vmadesk.wire.summaries import Summary

# --------------------------------------------------------------------------------------------
# Item events
# --------------------------------------------------------------------------------------------


class ItemEvent(Wire):
    """Something that happened to one item, keyed by pseudonym, timed relative to its due time."""

    kind: Literal["item_event"] = "item_event"
    schema_version: Literal[1] = SCHEMA_VERSION
    pseudonym: Pseudonym
    lane: Lane
    event: ItemEventKind
    outcome: Outcome | None = None
    close_reason: CloseReason | None = None
    hold_reason: HoldReason | None = None
    seconds_from_due: SignedSeconds = Field(
        description="event time minus the item's due time: negative = before due"
    )
    attempt_count: Count = 0


# --------------------------------------------------------------------------------------------
# Envelope / batch for POST /v1/messages
# --------------------------------------------------------------------------------------------

Message = Annotated[Summary | ItemEvent | EscalationRaised, Field(discriminator="kind")]


class Envelope(Wire):
    """One outbox message with its idempotency key (a UUID4 made when the outbox row was)."""

    idempotency_key: Uuid4
    message: Message


class Batch(Wire):
    """A batch of envelopes; the hub stores all of them or (on any error) none."""

    schema_version: Literal[1] = SCHEMA_VERSION
    envelopes: list[Envelope] = Field(min_length=1, max_length=MAX_BATCH)


class BatchResult(Wire):
    """Which keys were new and which the hub had already counted."""

    accepted: list[Uuid4]
    duplicates: list[Uuid4]


class SummaryRecord(Wire):
    """A received summary with its sender and receipt time."""

    vma: Handle
    received_at: Timestamp
    summary: Summary


class SummaryList(Wire):
    """Summaries, newest first."""

    summaries: list[SummaryRecord]


class ItemEventRecord(Wire):
    """A received item event (a PHI-free timeline entry)."""

    vma: Handle
    received_at: Timestamp
    event: ItemEvent


class ItemEventList(Wire):
    """Item events, oldest first."""

    events: list[ItemEventRecord]


__all__ = [
    "Batch",
    "BatchResult",
    "Envelope",
    "ItemEvent",
    "ItemEventList",
    "ItemEventRecord",
    "Message",
    "SummaryList",
    "SummaryRecord",
]
