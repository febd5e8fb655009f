"""Ownership conflicts grouped for the supervisor: per claimant, holder and practice, counted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from vmadesk import wire


@dataclass(frozen=True)
class ConflictGroup:
    """Conflicts (or takeovers) between one claimant and one holder in one practice, counted.

    The hub's conflict log has a row per refused claim; the supervisor needs the pattern (who
    keeps importing whose work, for which practice, how often), not a row per item.
    """

    kind: wire.ConflictKind
    claimant: str
    holder: str | None
    #: Who moved the items when it was not the claimant (a supervisor's reassignment).
    by: str | None
    events: int
    items: int
    reasons: tuple[wire.TakeoverReason, ...]
    latest: datetime
    #: The team practice id (a code; ``None`` when no console named one).
    practice: str | None = None

    @property
    def went_from(self) -> str:
        """Who had the items before: the holder a claim ran into, or the one they left."""
        return self.holder or "nobody"

    @property
    def what(self) -> str:
        """What happened, in words that read the right way round for every kind.

        The hub records a handoff with the receiver as claimant and the sender as holder (the
        claim moved from holder to claimant), a takeover likewise; only a conflict leaves the
        items with the holder.
        """
        n = f"{self.items} item{'' if self.items == 1 else 's'}"
        if self.kind is wire.ConflictKind.HANDOFF:
            return f"{self.went_from} handed {n} to {self.claimant}"
        if self.kind is wire.ConflictKind.TAKEOVER:
            return f"{self.claimant} took over {n} from {self.went_from}"
        if self.kind is wire.ConflictKind.REASSIGN:
            return f"{self.by or 'a supervisor'} gave {n} of {self.went_from}'s to {self.claimant}"
        return f"{self.claimant} imported {n} that {self.went_from} holds (not granted)"


def group_conflicts(records: list[wire.ConflictRecord]) -> list[ConflictGroup]:
    """Group per (kind, claimant, holder, mover, practice), most events first, then latest."""
    groups: dict[tuple[str, str, str | None, str | None, str | None], list[wire.ConflictRecord]]
    groups = defaultdict(list)
    for record in records:
        key = (record.kind.value, record.claimant, record.holder, record.by, record.practice)
        groups[key].append(record)
    out = [
        ConflictGroup(
            kind=rows[0].kind,
            claimant=rows[0].claimant,
            holder=rows[0].holder,
            by=rows[0].by,
            events=len(rows),
            items=len({r.pseudonym for r in rows}),
            reasons=tuple(sorted({r.reason for r in rows if r.reason is not None})),
            latest=max(r.at for r in rows),
            practice=rows[0].practice,
        )
        for rows in groups.values()
    ]
    out.sort(
        key=lambda g: (
            -g.events,
            -g.latest.timestamp(),
            g.claimant,
            g.holder or "",
            g.practice or "",
        )
    )
    return out


__all__ = ["ConflictGroup", "group_conflicts"]
