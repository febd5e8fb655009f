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

from vmadesk import wire
from vmadesk.domain.vocabulary import Lane
from vmadesk.store import audit, box_keys, history, items, practices
from vmadesk.store import escalations as store_escalations
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.timestamps import to_db_opt
from vmadesk.sync import sealed
from vmadesk.sync.hub_client import HubClient, HubRejected
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
            "appointment_start": to_db_opt(item.appointment_start),
            "appointment_type": item.appointment_type,
            "provider": item.provider,
            "location": item.location,
            "payer": item.payer,
            "member_id": item.member_id,
            "plan": item.plan,
            "requested_at": to_db_opt(item.requested_at),
            "due_at": to_db_opt(item.due_at),
            "status": item.status,
            "outcome": item.outcome,
            "closed_at": to_db_opt(item.closed_at),
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
        self.record(request, "approved", answer.item_id)
        return record

    def decline(
        self,
        request: wire.EvidenceRecord,
        reason: wire.EvidenceDeclineReason = wire.EvidenceDeclineReason.OTHER,
    ) -> wire.EvidenceRecord:
        """Refuse to send evidence: the hub records the reason code for the supervisor (audited).

        Raises:
            HubUnavailable, HubRejected: Nothing was recorded; the request stays pending.
        """
        with self._client() as hub:
            record = hub.decline_evidence(request.request_id, reason)
        self.record(request, "declined", self.item_for(request), reason=reason)
        return record

    def preview(self, request: wire.EvidenceRecord) -> list[str]:
        """What approving would send, as the VMA reviews it first (PHI: screen only).

        Raises:
            EvidenceError: No item in this profile matches the request.
        """
        item_id = self.item_for(request)
        if item_id is None:
            raise EvidenceError("No item in this profile matches the request.")
        payload = build_evidence(self.conn, item_id)
        # Patient details on screen are a view of the item: the chain says who looked.
        with transaction(self.conn):
            audit.append(
                self.conn,
                AuditEvent.ITEM_VIEWED,
                item_id=item_id,
                details={"kind": "evidence_preview", "request_id": request.request_id},
            )
        return evidence_lines(payload)

    def outline(self, request: wire.EvidenceRecord) -> list[str]:
        """What approving would send, without PHI: which item and how much history.

        Raises:
            EvidenceError: No item in this profile matches the request.
        """
        item_id = self.item_for(request)
        if item_id is None:
            raise EvidenceError("No item in this profile matches the request.")
        payload = build_evidence(self.conn, item_id)
        subject = payload["subject"]
        lane = Lane(subject["lane"])
        return [
            f"Evidence request {request.request_id} from {request.requested_by}: "
            f"item {item_id} ({lane.label}, {str(subject['status']).replace('-', ' ')}).",
            f"Approving sends, sealed to {request.requested_by}: the patient's name, date of "
            f"birth and phone, the item's details, {len(payload['attempts'])} call(s), "
            f"{len(payload['notes'])} note(s) and {len(payload['escalations'])} escalation(s).",
        ]

    def record(
        self,
        request: wire.EvidenceRecord,
        action: str,
        item_id: int | None,
        *,
        reason: wire.EvidenceDeclineReason | None = None,
    ) -> None:
        """Write an approval or a decline to the audit chain (after the hub took it)."""
        details: dict[str, Any] = {
            "kind": "evidence",
            "action": action,
            "request_id": request.request_id,
            "sample_id": request.sample_id,
            "supervisor": request.requested_by,
        }
        if reason is not None:
            details["reason"] = reason.value
        with transaction(self.conn):
            audit.append(self.conn, AuditEvent.EXPORT, item_id=item_id, details=details)


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


def responder_for(conn: Connection) -> tuple[EvidenceResponder, Callable[[], HubClient]] | None:
    """The VMA's responder and a hub-client factory for an enrolled profile (None: no hub)."""
    from vmadesk.sync.enrolment import hub_config

    config = hub_config(conn)
    if config is None:
        return None

    def factory() -> HubClient:
        return HubClient(config.url, config.token)

    return EvidenceResponder(conn, factory), factory


#: The decline reasons as the VMA and the supervisor read them.
DECLINE_LABELS: dict[wire.EvidenceDeclineReason, str] = {
    wire.EvidenceDeclineReason.ITEM_NOT_HELD: "I do not hold this item",
    wire.EvidenceDeclineReason.WRONG_ITEM: "Not the item the request means",
    wire.EvidenceDeclineReason.PRACTICE_POLICY: "The practice's policy does not allow it",
    wire.EvidenceDeclineReason.PATIENT_OBJECTED: "The patient objected",
    wire.EvidenceDeclineReason.OTHER: "Other (told the supervisor directly)",
}


def fetch_requests(
    client_factory: Callable[[], HubClient],
) -> list[tuple[wire.EvidenceRecord, wire.PublicKeyRecord | None]]:
    """Requests waiting for this VMA, with each requester's key (network only: any thread).

    A requester who is not a supervisor or has no key comes with ``None``: the request can
    then only be declined.
    """
    with client_factory() as hub:
        found = hub.evidence_requests(state="requested").requests
        keys: dict[str, wire.PublicKeyRecord | None] = {}
        for request in found:
            if request.requested_by not in keys:
                try:
                    key = hub.public_key(request.requested_by)
                except HubRejected:
                    key = None
                keys[request.requested_by] = (
                    key if key is not None and key.role is wire.Role.SUPERVISOR else None
                )
    return [(request, keys[request.requested_by]) for request in found]


def count_requests(client_factory: Callable[[], HubClient]) -> int:
    """How many evidence requests wait for this VMA (network only: any thread)."""
    with client_factory() as hub:
        return len(hub.evidence_requests(state="requested").requests)


def post_answer(
    client_factory: Callable[[], HubClient], answer: SealedAnswer
) -> wire.EvidenceRecord:
    """Post a sealed answer (network only: any thread)."""
    with client_factory() as hub:
        return hub.answer_evidence(answer.request_id, answer.sealed_b64)


def post_decline(
    client_factory: Callable[[], HubClient],
    request_id: str,
    reason: wire.EvidenceDeclineReason,
) -> wire.EvidenceRecord:
    """Post a decline with its reason code (network only: any thread)."""
    with client_factory() as hub:
        return hub.decline_evidence(request_id, reason)


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
