"""Sealed handoff envelopes, public keys and the team secret's envelope."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from vmadesk.wire.common import (
    SCHEMA_VERSION,
    Count,
    Handle,
    HandoffState,
    PublicKeyB64,
    Role,
    SealedB64,
    Timestamp,
    Uuid4,
    Wire,
)

# --------------------------------------------------------------------------------------------
# Sealed handoff envelopes
# --------------------------------------------------------------------------------------------


class HandoffEnvelope(Wire):
    """A handoff packet sealed on the sender's machine to the receiver's public key."""

    schema_version: Literal[1] = SCHEMA_VERSION
    envelope_id: Uuid4
    receiver: Handle
    sealed: SealedB64
    item_count: Count


class HandoffReceipt(Wire):
    """The receiver's PHI-free answer: how many items it acknowledged and declined."""

    schema_version: Literal[1] = SCHEMA_VERSION
    acknowledged: Count
    declined: Count


class HandoffRecord(Wire):
    """A handoff envelope at the hub; ``sealed`` is dropped once the receiver sends a receipt."""

    envelope_id: Uuid4
    sender: Handle
    receiver: Handle
    item_count: Count
    state: HandoffState
    posted_at: Timestamp
    sealed: SealedB64 | None = None
    acknowledged: Count | None = None
    declined: Count | None = None
    receipted_at: Timestamp | None = None


class HandoffList(Wire):
    """Handoff envelopes, oldest first."""

    handoffs: list[HandoffRecord]


# --------------------------------------------------------------------------------------------
# Keys and enrolment
# --------------------------------------------------------------------------------------------


class PublicKeyRegistration(Wire):
    """Register (or rotate) the caller's X25519 public key."""

    schema_version: Literal[1] = SCHEMA_VERSION
    public_key: PublicKeyB64


class PublicKeyRecord(Wire):
    """An account's public key."""

    handle: Handle
    role: Role
    public_key: PublicKeyB64
    registered_at: Timestamp


class PublicKeyList(Wire):
    """The active accounts with a registered public key (a handoff's possible receivers)."""

    keys: list[PublicKeyRecord]


class EscalationRecipients(Wire):
    """The active supervisors' public keys, to seal escalation details to."""

    keys: list[PublicKeyRecord]


class TeamSecretEnvelope(Wire):
    """The team secret sealed by a supervisor's console to one VMA's public key."""

    schema_version: Literal[1] = SCHEMA_VERSION
    recipient: Handle
    key_version: int = Field(ge=1, le=1_000_000)
    sealed: SealedB64


class TeamSecretRecord(Wire):
    """A sealed team secret waiting for its recipient."""

    recipient: Handle
    key_version: int = Field(ge=1, le=1_000_000)
    sealed: SealedB64
    posted_by: Handle
    posted_at: Timestamp


__all__ = [
    "EscalationRecipients",
    "HandoffEnvelope",
    "HandoffList",
    "HandoffReceipt",
    "HandoffRecord",
    "PublicKeyList",
    "PublicKeyRecord",
    "PublicKeyRegistration",
    "TeamSecretEnvelope",
    "TeamSecretRecord",
]
