"""An escalation's SBAR text follows its item to the VMA who holds it now.

The raising VMA's console seals the SBAR text to the supervisors only (the hub relays
ciphertext). When the item moves — taken over because its holder cannot be reached, given to
another VMA by a supervisor — the hub moves the escalation with the claim, but the new holder
cannot read what the concern was. The supervisor's desk, which can, seals the text to the new
holder's public key as it polls (:func:`details_to_forward` on the desk's thread with the
supervisor's key, :func:`forward_details` on a worker); the new holder's console adopts it on
its next round (:func:`vmadesk.services.sync_relay.adopt_forwarded_escalations`). The raising
console, when it comes back, also passes the item's whole history to the holder
(:mod:`vmadesk.services.conflict_handback`); whichever arrives first, nothing is doubled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from vmadesk import wire
from vmadesk.store import box_keys
from vmadesk.store.connection import Connection, transaction
from vmadesk.sync import sealed
from vmadesk.sync.hub_client import HubRejected, HubUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forward:
    """One escalation's SBAR text (PHI: memory only) to seal to its holder."""

    escalation_id: str
    holder: str
    plaintext: bytes

    def __repr__(self) -> str:  # never print the text
        return f"Forward({self.escalation_id}, to={self.holder})"


def details_to_forward(conn: Connection, records: list[wire.EscalationRecord]) -> list[Forward]:
    """Open escalations whose holder cannot read their text, which this supervisor can.

    ``conn`` is the supervisor profile's connection (its thread). A box that does not open is
    skipped (the raising console seals again on its next round).
    """
    due = [
        r
        for r in records
        if r.state is not wire.EscalationState.RESOLVED
        and r.sealed_details is not None
        and r.vma not in r.details_for
    ]
    if not due:
        return []
    with transaction(conn):
        key = box_keys.secret_key(conn)
    out = []
    for record in due:
        try:
            assert record.sealed_details is not None
            plaintext = sealed.open_sealed(key, sealed.unb64(record.sealed_details))
        except sealed.EnvelopeError:
            continue
        out.append(Forward(record.escalation_id, record.vma, plaintext))
    return out


def forward_details(service: Any, forwards: list[Forward]) -> int:
    """Seal each text to its holder's registered public key and leave it at the hub.

    ``service`` is the desk's :class:`~vmadesk.services.supervisor.SupervisorService` (one
    client per call: safe on a worker thread).

    Returns:
        How many escalations were forwarded.
    """
    done = 0
    if not forwards:
        return done
    with service.client() as hub:
        for forward in forwards:
            try:
                key = box_keys.parse_public_key(hub.public_key(forward.holder).public_key)
                box = sealed.b64(sealed.seal_to(key, forward.plaintext))
                detail = wire.SealedDetail(recipient=forward.holder, sealed=box)
                hub.put_escalation_details(
                    forward.escalation_id, wire.EscalationDetails(details=[detail])
                )
            except HubRejected as error:  # no key registered yet, or moved again: next poll
                log.info("escalation details not forwarded (%s)", error.status)
                continue
            except HubUnavailable:
                break
            done += 1
    return done
