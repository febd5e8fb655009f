"""A typed HTTP client for the hub (``vmadesk.hub``), used by the console's outbox worker.

Every method sends and returns models from :mod:`vmadesk.wire`. Failures are one of two
kinds, because the outbox treats them differently:

* :class:`HubUnavailable` — the hub could not be reached, timed out, or answered 5xx: keep the
  message and retry later;
* :class:`HubRejected` — the hub answered 4xx: retrying the same request will not help; ``status``
  and ``code`` (the hub's ``error``) say why, ``detail`` lists field paths.

The client is synchronous (``httpx.Client``) and meant for a background thread, never the UI
thread. It is not thread-safe across threads sharing one instance only in the sense of httpx's
own rules: one ``HubClient`` per worker thread is the simple choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from vmadesk import wire

M = TypeVar("M", bound=BaseModel)

#: Loggers of the HTTP stack, which log every request at INFO.
HTTP_LOGGERS = ("httpx", "httpcore")


def quiet_http_logs() -> None:
    """Log the HTTP stack at WARNING and above only (call where a console starts polling).

    httpx logs each request at INFO; a polling console (sync every minute, the supervisor's
    board every 30 s) would fill its log with them and hide what matters. Errors still reach
    the log through :class:`HubUnavailable` / :class:`HubRejected` handling and WARNING lines.
    Tests do not call this, so they keep httpx's default levels.
    """
    import logging

    for name in HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class HubError(Exception):
    """Base of the client's errors."""


class HubUnavailable(HubError):
    """Network error, timeout or a 5xx answer: the request may succeed later."""


class HubRejected(HubError):
    """A 4xx answer: the request itself is refused."""

    def __init__(self, status: int, code: str, detail: list[str] | None = None) -> None:
        super().__init__(f"hub rejected the request: {status} {code}")
        self.status = status
        self.code = code
        self.detail = detail or []


class HubClient:
    """Client for one hub account (bearer token)."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout: float = 10.0,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "vmadesk-hub-client/1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    # -- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _request(
        self,
        method: str,
        path: str,
        response_model: type[M] | None,
        body: BaseModel | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> M | None:
        content = body.model_dump_json().encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        clean = {k: str(v) for k, v in (params or {}).items() if v is not None}
        extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
        try:
            response = self._http.request(
                method, path, content=content, headers=headers, params=clean or None, **extra
            )
        except httpx.HTTPError as error:
            raise HubUnavailable(f"hub unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise HubUnavailable(f"hub error {response.status_code}")
        if response.status_code >= 400:
            code, detail = "unknown", []
            try:
                payload = response.json()
                code = str(payload.get("error", code))
                detail = [str(item) for item in payload.get("detail", [])]
            except (ValueError, AttributeError):
                pass
            raise HubRejected(response.status_code, code, detail)
        if response_model is None:
            return None
        try:
            return response_model.model_validate_json(response.content)
        except ValidationError as error:
            raise HubUnavailable("hub answered with an unexpected body") from error

    def _get(self, path: str, model: type[M], **params: Any) -> M:
        result = self._request("GET", path, model, params=params)
        assert result is not None
        return result

    def _post(self, path: str, model: type[M], body: BaseModel, method: str = "POST") -> M:
        result = self._request(method, path, model, body=body)
        assert result is not None
        return result

    # -- housekeeping ---------------------------------------------------------------------------

    def health(self) -> wire.Health:
        """``GET /health`` (no authentication needed)."""
        return self._get("/health", wire.Health)

    def whoami(self) -> wire.Whoami:
        """The account behind the token."""
        return self._get("/v1/whoami", wire.Whoami)

    # -- messages (outbox) ----------------------------------------------------------------------

    def send(self, envelopes: Iterable[wire.Envelope]) -> wire.BatchResult:
        """Send a batch of outbox envelopes; resent keys come back as ``duplicates``."""
        return self._post("/v1/messages", wire.BatchResult, wire.Batch(envelopes=list(envelopes)))

    def summaries(self, vma: str | None = None, limit: int | None = None) -> wire.SummaryList:
        """Summaries, newest first (a VMA gets only their own)."""
        return self._get("/v1/summaries", wire.SummaryList, vma=vma, limit=limit)

    def events(
        self, vma: str | None = None, pseudonym: str | None = None, limit: int | None = None
    ) -> wire.ItemEventList:
        """Item events, oldest first (a VMA gets only their own)."""
        return self._get(
            "/v1/events", wire.ItemEventList, vma=vma, pseudonym=pseudonym, limit=limit
        )

    # -- claims -------------------------------------------------------------------------------

    def claim(
        self,
        pseudonyms: Iterable[str],
        lease_seconds: int = 900,
        *,
        accept_offer: bool = False,
        practices: Mapping[str, str] | None = None,
    ) -> wire.ClaimResults:
        """Claim items; each result is granted or says who holds it (or did it) since when.

        ``accept_offer``: acknowledging a handoff, take the claims the sender offered.
        ``practices``: pseudonym -> team practice id (registered at the hub), where known.
        """
        body = wire.Claim(
            pseudonyms=list(pseudonyms),
            lease_seconds=lease_seconds,
            accept_offer=accept_offer,
            practices=dict(practices or {}),
        )
        return self._post("/v1/claims", wire.ClaimResults, body)

    def heartbeat(
        self, pseudonyms: Iterable[str], lease_seconds: int = 900
    ) -> wire.HeartbeatResult:
        """Refresh leases the caller holds."""
        body = wire.Heartbeat(pseudonyms=list(pseudonyms), lease_seconds=lease_seconds)
        return self._post("/v1/claims/heartbeat", wire.HeartbeatResult, body)

    def release(self, pseudonyms: Iterable[str], reason: wire.ReleaseReason) -> wire.ReleaseResult:
        """Release claims."""
        body = wire.Release(pseudonyms=list(pseudonyms), reason=reason)
        return self._post("/v1/claims/release", wire.ReleaseResult, body)

    def takeover(
        self, pseudonym: str, reason: wire.TakeoverReason, lease_seconds: int = 900
    ) -> wire.TakeoverResult:
        """Take over an item with a recorded reason."""
        body = wire.Takeover(pseudonym=pseudonym, reason=reason, lease_seconds=lease_seconds)
        return self._post("/v1/claims/takeover", wire.TakeoverResult, body)

    def lookup(self, pseudonyms: Iterable[str]) -> wire.ClaimResults:
        """Who holds these items now (claims nothing)."""
        return self._post(
            "/v1/claims/lookup", wire.ClaimResults, wire.ClaimLookup(pseudonyms=list(pseudonyms))
        )

    def offer(self, pseudonyms: Iterable[str], to: str | None) -> wire.ClaimOfferResult:
        """Offer held claims to a handoff's receiver (they move when it acknowledges)."""
        body = wire.ClaimOffer(pseudonyms=list(pseudonyms), to=to)
        return self._post("/v1/claims/offer", wire.ClaimOfferResult, body)

    def claim_moves(self, after: int = 0, limit: int | None = None) -> wire.ClaimMoveList:
        """Takeovers, reassignments and handoffs to or from this VMA after move ``after``."""
        return self._get("/v1/claims/moves", wire.ClaimMoveList, after=after, limit=limit)

    def unattended(self, limit: int | None = None) -> wire.UnattendedList:
        """Claims whose lease lapsed (supervisor)."""
        return self._get("/v1/claims/unattended", wire.UnattendedList, limit=limit)

    def reassign(self, pseudonym: str, to: str, reason: wire.TakeoverReason) -> wire.TakeoverResult:
        """Give an item to another VMA with a recorded reason (supervisor)."""
        body = wire.Reassign(pseudonym=pseudonym, to=to, reason=reason)
        return self._post("/v1/claims/reassign", wire.TakeoverResult, body)

    def practices(self) -> wire.PracticeList:
        """Team-wide practice identities and their local codes."""
        return self._get("/v1/practices", wire.PracticeList)

    def register_practice(self, practice: str, aliases: Iterable[str]) -> wire.PracticeList:
        """Register a practice's team-wide id and local codes (supervisor)."""
        body = wire.PracticeIdentity(practice=practice, aliases=list(aliases))
        return self._post("/v1/practices", wire.PracticeList, body)

    def conflicts(self, limit: int | None = None) -> wire.ConflictList:
        """Conflicts and takeovers, newest first (supervisor)."""
        return self._get("/v1/conflicts", wire.ConflictList, limit=limit)

    # -- escalations ----------------------------------------------------------------------------

    def escalations(
        self, state: str = "open", vma: str | None = None, limit: int | None = None
    ) -> wire.EscalationList:
        """Escalations most urgent first; ``state`` is open|all|raised|acknowledged|resolved."""
        return self._get("/v1/escalations", wire.EscalationList, state=state, vma=vma, limit=limit)

    def escalation_changes(self, after: int | None, wait: int = 0) -> wire.EscalationChanges:
        """Escalations changed after ``after`` (None: from now), waiting up to ``wait`` s."""
        result = self._request(
            "GET",
            "/v1/escalations/changes",
            wire.EscalationChanges,
            params={"after": after, "wait": wait},
            timeout=wait + 10.0,
        )
        assert result is not None
        return result

    def escalation_recipients(self) -> wire.EscalationRecipients:
        """The supervisors' public keys, to seal escalation details to."""
        return self._get("/v1/escalations/recipients", wire.EscalationRecipients)

    def put_escalation_details(
        self, escalation_id: str, details: wire.EscalationDetails
    ) -> wire.EscalationRecord:
        """Leave an escalation's SBAR text sealed to supervisors (VMA, own escalation)."""
        return self._post(
            f"/v1/escalations/{escalation_id}/details", wire.EscalationRecord, details, "PUT"
        )

    def escalation(self, escalation_id: str) -> wire.EscalationRecord:
        """One escalation's current state."""
        return self._get(f"/v1/escalations/{escalation_id}", wire.EscalationRecord)

    def update_escalation(
        self,
        escalation_id: str,
        state: wire.EscalationState,
        resolution: wire.ResolutionCode | None = None,
    ) -> wire.EscalationRecord:
        """Acknowledge or resolve (supervisor)."""
        body = wire.EscalationUpdate(state=state, resolution=resolution)
        return self._post(f"/v1/escalations/{escalation_id}/state", wire.EscalationRecord, body)

    def acknowledge_escalation(self, escalation_id: str) -> wire.EscalationRecord:
        """Acknowledge (supervisor)."""
        return self.update_escalation(escalation_id, wire.EscalationState.ACKNOWLEDGED)

    def resolve_escalation(
        self, escalation_id: str, resolution: wire.ResolutionCode
    ) -> wire.EscalationRecord:
        """Resolve with a code (supervisor)."""
        return self.update_escalation(escalation_id, wire.EscalationState.RESOLVED, resolution)

    # -- handoffs -------------------------------------------------------------------------------

    def post_handoff(self, envelope: wire.HandoffEnvelope) -> wire.HandoffRecord:
        """Leave a sealed handoff envelope for its receiver (idempotent on ``envelope_id``)."""
        return self._post("/v1/handoffs", wire.HandoffRecord, envelope)

    def handoffs(self, box: str = "inbox") -> wire.HandoffList:
        """``inbox``: envelopes waiting for the caller, with ciphertext; ``outbox``: sent."""
        return self._get("/v1/handoffs", wire.HandoffList, box=box)

    def handoff(self, envelope_id: str) -> wire.HandoffRecord:
        """One envelope (ciphertext only for the receiver, until receipted)."""
        return self._get(f"/v1/handoffs/{envelope_id}", wire.HandoffRecord)

    def ack_handoff(self, envelope_id: str, acknowledged: int, declined: int) -> wire.HandoffRecord:
        """Send the receipt (counts only); the hub then drops the ciphertext."""
        body = wire.HandoffReceipt(acknowledged=acknowledged, declined=declined)
        return self._post(f"/v1/handoffs/{envelope_id}/receipt", wire.HandoffRecord, body)

    # -- keys and enrolment ---------------------------------------------------------------------

    def register_public_key(self, public_key: str | bytes) -> wire.PublicKeyRecord:
        """Register the caller's X25519 public key (raw 32 bytes or base64)."""
        if isinstance(public_key, bytes):
            import base64

            public_key = base64.b64encode(public_key).decode("ascii")
        body = wire.PublicKeyRegistration(public_key=public_key)
        return self._post("/v1/keys", wire.PublicKeyRecord, body, method="PUT")

    def public_keys(self) -> wire.PublicKeyList:
        """Every active account's public key (the receivers a handoff can go to)."""
        return self._get("/v1/keys", wire.PublicKeyList)

    def public_key(self, handle: str) -> wire.PublicKeyRecord:
        """Another account's public key."""
        return self._get(f"/v1/keys/{handle}", wire.PublicKeyRecord)

    def post_team_secret(self, envelope: wire.TeamSecretEnvelope) -> wire.TeamSecretRecord:
        """Leave the team secret sealed to one account (supervisor)."""
        return self._post("/v1/team-secrets", wire.TeamSecretRecord, envelope)

    def team_secret(self) -> wire.TeamSecretRecord:
        """The caller's newest sealed team secret."""
        return self._get("/v1/team-secrets", wire.TeamSecretRecord)

    # -- spot checks ----------------------------------------------------------------------------

    def draw_sample(self, request: wire.SampleRequest) -> wire.Sample:
        """Draw and record a week's stratified sample for a VMA (supervisor)."""
        return self._post("/v1/spotchecks", wire.Sample, request)

    def samples(self, vma: str | None = None, week: str | None = None) -> wire.SampleList:
        """Recorded samples (supervisor)."""
        return self._get("/v1/spotchecks", wire.SampleList, vma=vma, week=week)

    def sample(self, sample_id: str) -> wire.Sample:
        """One recorded sample (supervisor)."""
        return self._get(f"/v1/spotchecks/{sample_id}", wire.Sample)

    def score(self, sample_id: str, score: wire.SpotCheckScore) -> wire.ScoreRecord:
        """Score one sampled item (supervisor)."""
        return self._post(f"/v1/spotchecks/{sample_id}/scores", wire.ScoreRecord, score)

    def scores(self, sample_id: str) -> wire.ScoreList:
        """Scores of a sample (supervisor)."""
        return self._get(f"/v1/spotchecks/{sample_id}/scores", wire.ScoreList)

    def request_evidence(self, request: wire.EvidenceRequest) -> wire.EvidenceRecord:
        """Ask a VMA for sealed evidence on a sampled item (supervisor)."""
        return self._post("/v1/evidence-requests", wire.EvidenceRecord, request)

    def evidence_requests(self, state: str = "all") -> wire.EvidenceList:
        """Requests to the caller (VMA) or by the caller (supervisor)."""
        return self._get("/v1/evidence-requests", wire.EvidenceList, state=state)

    def evidence(self, request_id: str) -> wire.EvidenceRecord:
        """One evidence request; the ciphertext for the requesting supervisor."""
        return self._get(f"/v1/evidence-requests/{request_id}", wire.EvidenceRecord)

    def answer_evidence(self, request_id: str, sealed: str) -> wire.EvidenceRecord:
        """Post the sealed answer (VMA)."""
        body = wire.EvidenceEnvelope(sealed=sealed)
        return self._post(f"/v1/evidence-requests/{request_id}/envelope", wire.EvidenceRecord, body)

    def decline_evidence(
        self, request_id: str, reason: wire.EvidenceDeclineReason
    ) -> wire.EvidenceRecord:
        """Decline an evidence request with a reason code (VMA)."""
        body = wire.EvidenceDecline(reason=reason)
        return self._post(f"/v1/evidence-requests/{request_id}/decline", wire.EvidenceRecord, body)

    # -- supervisor board ---------------------------------------------------------------------

    def board(self, vma: str | None = None) -> wire.Board:
        """The team board: per VMA and lane (supervisor)."""
        return self._get("/v1/board", wire.Board, vma=vma)

    def trends(self, days: int = 28, vma: str | None = None) -> wire.Trends:
        """Daily series per VMA and lane for the last ``days`` days (supervisor)."""
        return self._get("/v1/trends", wire.Trends, days=days, vma=vma)
