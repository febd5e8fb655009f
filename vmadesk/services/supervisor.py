"""The supervisor's use cases: team board, trends, capacity signals, escalation desk, spot checks.

Everything comes from the hub and is PHI-free. :class:`SupervisorService` does the hub calls
and is meant for a worker thread (one short-lived :class:`HubClient` per call); the board's
view models are assembled by the pure functions of :mod:`vmadesk.services.supervisor_board`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from vmadesk import wire
from vmadesk.services.conflict_groups import ConflictGroup, group_conflicts
from vmadesk.services.supervisor_board import BoardRow, assess_capacity, build_board
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable

TOKEN_ENV = "VMADESK_HUB_TOKEN"
TOKEN_SECRET = "hub_token"


def supervisor_token(session) -> str | None:  # type: ignore[no-untyped-def]
    """The hub token: ``VMADESK_HUB_TOKEN``, else the profile's stored ``hub_token`` secret."""
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env
    if session is None:
        return None
    from vmadesk.store import secrets_store

    value = secrets_store.get(session.conn, TOKEN_SECRET)
    return value.decode("ascii") if value else None


# --------------------------------------------------------------------------------------------
# Hub calls (worker threads)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardSnapshot:
    """What the board tab shows, fetched in one go."""

    rows: list[BoardRow]
    trends: wire.Trends
    fetched_at: datetime


class SupervisorService:
    """The supervisor's hub calls; safe to call from any thread (one client per call)."""

    def __init__(
        self,
        hub_url: str,
        token: str,
        *,
        client_factory: Callable[[str, str], HubClient] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.hub_url = hub_url
        self._token = token
        self._factory = client_factory or (lambda url, tok: HubClient(url, tok, 10.0))
        self.clock = clock

    def client(self) -> HubClient:
        """A fresh client (close it: use ``with``)."""
        return self._factory(self.hub_url, self._token)

    def snapshot(self, days: int = 28) -> BoardSnapshot:
        """Board rows with capacity signals, and the trends they were computed from."""
        with self.client() as hub:
            board = hub.board()
            trends = hub.trends(days=days)
        today = date.fromisoformat(trends.end)
        rows = build_board(board, assess_capacity(trends, today))
        return BoardSnapshot(rows, trends, self.clock())

    def access_problem(self) -> str | None:
        """Why this token cannot drive the board (None: it is a supervisor's, hub reachable).

        Checked before the window opens: a VMA's token would otherwise open an empty board
        that only fails (403) on the first refresh, and an unreachable hub would look the same.
        """
        try:
            with self.client() as hub:
                who = hub.whoami()
        except HubUnavailable:
            return (
                f"The hub at {self.hub_url} cannot be reached. Check the address and that the "
                "hub is running, then start the supervisor board again."
            )
        except HubRejected as error:
            return (
                f"The hub at {self.hub_url} refused the token ({error.status} {error.code}): it "
                "is wrong or revoked. Enrol again with your supervisor token."
            )
        if who.role is not wire.Role.SUPERVISOR:
            return (
                f"The token belongs to {who.handle} ({who.role.value}), not to a supervisor. "
                "The supervisor board needs a supervisor's token: enrol a supervisor profile "
                "(vmadesk enroll) or set VMADESK_HUB_TOKEN to a supervisor's token."
            )
        return None

    def conflicts(self) -> list[ConflictGroup]:
        """Ownership conflicts and takeovers, grouped per claimant and holder with counts."""
        with self.client() as hub:
            return group_conflicts(hub.conflicts(limit=5000).conflicts)

    def wait_escalations(self, after: int | None, wait: int) -> wire.EscalationChanges:
        """Escalations changed after the cursor ``after`` (None: from now).

        Blocks up to ``wait`` seconds; the hub answers as soon as one changes (a long poll).
        """
        with self.client() as hub:
            if after is None:
                after = hub.escalation_changes(None, 0).cursor
            return hub.escalation_changes(after, wait)

    def unattended(self) -> list[wire.UnattendedClaim]:
        """Work whose holder's lease lapsed (their console is away), longest lapsed first."""
        with self.client() as hub:
            return hub.unattended().claims

    def reassign(self, pseudonym: str, to: str, reason: wire.TakeoverReason) -> wire.TakeoverResult:
        """Give an item to another VMA with a reason (recorded; both VMAs are told)."""
        with self.client() as hub:
            return hub.reassign(pseudonym, to, reason)

    def open_escalations(self) -> list[wire.EscalationRecord]:
        """Open escalations team-wide, most urgent first."""
        with self.client() as hub:
            return hub.escalations(state="open").escalations

    def desk_escalations(self, include_resolved: bool = False) -> list[wire.EscalationRecord]:
        """The escalation desk's list: open ones, most urgent first (resolved ones too if asked)."""
        with self.client() as hub:
            return hub.escalations(state="all" if include_resolved else "open").escalations

    def acknowledge(self, escalation_id: str) -> wire.EscalationRecord:
        """Acknowledge one escalation."""
        with self.client() as hub:
            return hub.acknowledge_escalation(escalation_id)

    def resolve(self, escalation_id: str, code: wire.ResolutionCode) -> wire.EscalationRecord:
        """Resolve one escalation with a resolution code."""
        with self.client() as hub:
            return hub.resolve_escalation(escalation_id, code)

    def draw_sample(
        self, vma: str, week: str, per_stratum: int = 2, seed: int | None = None
    ) -> wire.Sample:
        """Draw and record a week's sample (the hub picks and records the seed if None)."""
        request = wire.SampleRequest(vma=vma, week=week, per_stratum=per_stratum, seed=seed)
        with self.client() as hub:
            return hub.draw_sample(request)

    def samples(self, week: str | None = None) -> list[wire.Sample]:
        """Recorded samples, newest first."""
        with self.client() as hub:
            return hub.samples(week=week).samples

    def timeline(self, vma: str, pseudonym: str) -> list[wire.ItemEventRecord]:
        """The PHI-free timeline of one item."""
        with self.client() as hub:
            return hub.events(vma=vma, pseudonym=pseudonym).events

    def item_escalations(self, vma: str, pseudonym: str) -> list[wire.EscalationRecord]:
        """Escalations (any state) of one item."""
        with self.client() as hub:
            found = hub.escalations(state="all", vma=vma).escalations
        return [e for e in found if e.pseudonym == pseudonym]

    def score(self, sample_id: str, score: wire.SpotCheckScore) -> wire.ScoreRecord:
        """Record the rubric of one sampled item."""
        with self.client() as hub:
            return hub.score(sample_id, score)

    def scores(self, sample_id: str) -> list[wire.ScoreRecord]:
        """Scores of one sample."""
        with self.client() as hub:
            return hub.scores(sample_id).scores

    def request_evidence(
        self, public_key_b64: str, sample_id: str, pseudonym: str
    ) -> wire.EvidenceRecord:
        """Register this profile's public key, then ask the VMA for sealed evidence."""
        request = wire.EvidenceRequest(
            request_id=str(uuid.uuid4()), sample_id=sample_id, pseudonym=pseudonym
        )
        with self.client() as hub:
            hub.register_public_key(public_key_b64)
            return hub.request_evidence(request)

    def evidence_for(self, sample_id: str, pseudonym: str) -> list[wire.EvidenceRecord]:
        """My evidence requests for one sampled item, answered ones (with ciphertext) first."""
        with self.client() as hub:
            found = hub.evidence_requests().requests
        mine = [r for r in found if r.sample_id == sample_id and r.pseudonym == pseudonym]
        return sorted(mine, key=lambda r: r.state is not wire.EvidenceState.ANSWERED)

    def week_report(self) -> tuple[list[wire.Sample], dict[str, list[wire.ScoreRecord]]]:
        """Recorded samples (newest first, up to 100) and their scores, for the report."""
        with self.client() as hub:
            samples = hub.samples().samples
            scores = {s.sample_id: hub.scores(s.sample_id).scores for s in samples}
        return samples, scores
