"""Spot-check evidence: the one way a supervisor sees a sampled item's patient details.

VMA side (:class:`EvidenceResponder`): a supervisor's request names a pseudonym; the VMA reviews
it and **approves** (the item's patient, subject and history are sealed on this machine to the
requesting supervisor's public key and posted; the hub relays ciphertext it cannot open) or
**declines**. Both are written to the VMA's audit chain.

Supervisor side (:class:`EvidenceViewer`): the envelope opens only with the private key of the
supervisor's own profile (:func:`vmadesk.store.box_keys.secret_key`); every opening is audited.

Threads: hub calls may run on a worker thread; everything touching ``conn`` (a SQLCipher
connection) must run on the connection's thread. :meth:`EvidenceResponder.seal` and
:meth:`EvidenceViewer.open` are therefore split from the network calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vmadesk.store import audit, box_keys, history, items, practices
from vmadesk.store import escalations as store_escalations
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.sync import sealed, wire
from vmadesk.sync.hub_client import HubClient
from vmadesk.sync.item_events import item_pseudonym

EVIDENCE_VERSION = 1


class EvidenceError(Exception):
    """The request cannot be answered or the envelope cannot be opened (message has no PHI)."""


# --------------------------------------------------------------------------------------------
# VMA side
# --------------------------------------------------------------------------------------------


def find_item(conn: Connection, pseudonym: str, team_secret: bytes | None) -> int | None:
    """The local item whose pseudonym is ``pseudonym`` (claims first, then by recomputing)."""
    row = conn.execute(
        "SELECT item_id FROM claims WHERE pseudonym = ? LIMIT 1", (pseudonym,)
    ).fetchone()
    if row is not None:
        return int(row[0])
    if team_secret is None:
        return None
    for (item_id,) in conn.execute("SELECT id FROM items ORDER BY id").fetchall():
        if item_pseudonym(team_secret, items.get_item(conn, item_id)) == pseudonym:
            return int(item_id)
    return None


def build_evidence(conn: Connection, item_id: int) -> dict[str, Any]:
    """The PHI payload for one item: patient, subject, history (in memory only)."""
    item = items.get_item(conn, item_id)
    practice = practices.get_practice(conn, item.practice_id)
    return {
        "version": EVIDENCE_VERSION,
        "practice": {"code": practice.code, "name": practice.name},
        "patient": {
            "family": item.patient_family,
            "given": item.patient_given,
            "dob": item.patient_dob,
            "ref": item.patient_ref,
            "phone": item.phone,
        },
        "subject": {
            "lane": item.lane,
            "kind": item.subject_kind,
            "reason": item.reason,
            "appointment_start": item.appointment_start,
            "appointment_type": item.appointment_type,
            "provider": item.provider,
            "location": item.location,
            "payer": item.payer,
            "member_id": item.member_id,
            "plan": item.plan,
            "requested_at": item.requested_at,
            "due_at": item.due_at,
            "status": item.status,
            "outcome": item.outcome,
            "closed_at": item.closed_at,
        },
        "attempts": [
            {"at": a.at, "outcome": a.outcome, "note": a.note}
            for a in history.attempts_for(conn, item_id)
        ],
        "notes": [
            {"at": n.at, "kind": n.kind, "text": n.text, "author": n.author}
            for n in history.notes_for(conn, item_id)
        ],
        "escalations": [
            {
                "raised_at": e.raised_at,
                "category": e.category,
                "urgency": e.urgency,
                "situation": e.situation,
                "state": e.state,
                "resolution": e.resolution_code,
            }
            for e in store_escalations.for_item(conn, item_id)
        ],
    }


def _declined_ids(conn: Connection) -> set[str]:
    out = set()
    for (details,) in conn.execute("SELECT details FROM audit WHERE event = ?", ("export",)):
        data = json.loads(details)
        if data.get("kind") == "evidence" and data.get("action") == "declined":
            out.add(str(data.get("request_id")))
    return out


@dataclass(frozen=True)
class SealedAnswer:
    """An answer ready to post: ciphertext only."""

    request_id: str
    sealed_b64: str
    item_id: int


class EvidenceResponder:
    """The VMA's side. ``conn`` is the caller thread's connection."""

    def __init__(
        self,
        conn: Connection,
        client_factory: Callable[[], HubClient],
        *,
        team_secret: bytes | None = None,
    ) -> None:
        self.conn = conn
        self._client = client_factory
        if team_secret is None:
            from vmadesk.sync.enrolment import team_secret as stored_secret

            team_secret = stored_secret(conn)
        self._secret = team_secret

    def pending(self) -> list[wire.EvidenceRecord]:
        """Requests addressed to me, not yet answered nor declined here."""
        with self._client() as hub:
            found = hub.evidence_requests(state="requested").requests
        declined = _declined_ids(self.conn)
        return [r for r in found if r.request_id not in declined]

    def item_for(self, request: wire.EvidenceRecord) -> int | None:
        """The local item a request is about (for the VMA to review before approving)."""
        return find_item(self.conn, request.pseudonym, self._secret)

    def seal(self, request: wire.EvidenceRecord, public_key_b64: str) -> SealedAnswer:
        """Build the evidence and seal it to the supervisor's key (no network, no audit)."""
        item_id = self.item_for(request)
        if item_id is None:
            raise EvidenceError("No item in this profile matches the request.")
        payload = json.dumps(build_evidence(self.conn, item_id), ensure_ascii=False)
        key = box_keys.parse_public_key(public_key_b64)
        box = sealed.b64(sealed.seal_to(key, payload.encode("utf-8")))
        return SealedAnswer(request.request_id, box, item_id)

    def approve(self, request: wire.EvidenceRecord) -> wire.EvidenceRecord:
        """Seal the item's evidence to the requesting supervisor, post it, and audit it."""
        with self._client() as hub:
            supervisor_key = hub.public_key(request.requested_by)
            if supervisor_key.role is not wire.Role.SUPERVISOR:
                raise EvidenceError("The requester is not a supervisor.")
            answer = self.seal(request, supervisor_key.public_key)
            record = hub.answer_evidence(answer.request_id, answer.sealed_b64)
        self._audit(request, "approved", answer.item_id)
        return record

    def decline(self, request: wire.EvidenceRecord) -> None:
        """Refuse to send evidence (audited; the request is no longer listed here)."""
        self._audit(request, "declined", self.item_for(request))

    def _audit(self, request: wire.EvidenceRecord, action: str, item_id: int | None) -> None:
        with transaction(self.conn):
            audit.append(
                self.conn,
                AuditEvent.EXPORT,
                item_id=item_id,
                details={
                    "kind": "evidence",
                    "action": action,
                    "request_id": request.request_id,
                    "sample_id": request.sample_id,
                    "supervisor": request.requested_by,
                },
            )


# --------------------------------------------------------------------------------------------
# Supervisor side
# --------------------------------------------------------------------------------------------


class EvidenceViewer:
    """The supervisor's side. ``conn`` is the supervisor profile's connection (its thread)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def public_key_b64(self) -> str:
        """The supervisor profile's public key, to register at the hub before requesting."""
        with transaction(self.conn):
            return box_keys.public_key_b64(self.conn)

    def open(self, record: wire.EvidenceRecord) -> dict[str, Any]:
        """Open an answered request with this profile's private key; audit the view."""
        if record.sealed is None:
            raise EvidenceError("The VMA has not answered this request yet.")
        with transaction(self.conn):
            key = box_keys.secret_key(self.conn)
        try:
            plaintext = sealed.open_sealed(key, sealed.unb64(record.sealed))
            payload = json.loads(plaintext.decode("utf-8"))
        except (sealed.EnvelopeError, ValueError):
            raise EvidenceError(
                "The evidence does not open with this profile's key, or it is damaged."
            ) from None
        with transaction(self.conn):
            audit.append(
                self.conn,
                AuditEvent.ITEM_VIEWED,
                details={
                    "kind": "evidence",
                    "request_id": record.request_id,
                    "sample_id": record.sample_id,
                    "vma": record.vma,
                },
            )
        return payload


def evidence_lines(payload: dict[str, Any]) -> list[str]:
    """The opened evidence as lines for the viewer dialog (PHI: screen only)."""
    patient = payload.get("patient", {})
    subject = payload.get("subject", {})
    lines = [
        f"Patient: {patient.get('family', '')}, {patient.get('given', '')}".rstrip(", "),
        f"Date of birth: {patient.get('dob') or '-'}",
        f"Phone: {patient.get('phone') or '-'}",
        f"Practice: {payload.get('practice', {}).get('name', '')}",
    ]
    lines += [f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in subject.items() if v]
    lines += ["", "History:"]
    lines += [
        f"  {a['at'][:16]} attempt: {a['outcome']} {a['note']}".rstrip()
        for a in payload.get("attempts", [])
    ]
    lines += [f"  {n['at'][:16]} {n['kind']}: {n['text']}" for n in payload.get("notes", [])]
    lines += [
        f"  {e['raised_at'][:16]} escalation ({e['category']}, {e['urgency']}): {e['situation']}"
        for e in payload.get("escalations", [])
    ]
    return lines
