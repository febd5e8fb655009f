"""Team-wide practice identities: set once at the hub by a supervisor, read by every console.

A practice is registered under a team-wide id with the local codes consoles file it under. A
console keys the pseudonyms of practice-keyed items (CSV reports, FHIR files naming no system)
by the team-wide id, so the same appointment conflicts whichever local code each console used.
Only codes are stored (never a practice's name or anything about a patient).
"""

from __future__ import annotations

from sqlalchemy import select

from vmadesk import wire
from vmadesk.hub.db import insert_ignore, practice_aliases
from vmadesk.hub.endpoint import Ctx, Endpoint, conflict
from vmadesk.wire import Role


def _listing(ctx: Ctx) -> wire.PracticeList:
    grouped: dict[str, list[str]] = {}
    for alias, practice in ctx.conn.execute(
        select(practice_aliases.c.alias, practice_aliases.c.practice).order_by(
            practice_aliases.c.practice, practice_aliases.c.alias
        )
    ):
        grouped.setdefault(practice, []).append(alias)
    return wire.PracticeList(
        practices=[
            wire.PracticeRecord(practice=practice, aliases=aliases)
            for practice, aliases in grouped.items()
        ]
    )


def post_practice(ctx: Ctx) -> wire.PracticeList:
    """Register a practice id and local codes (adding codes later is fine; moving one is not)."""
    body: wire.PracticeIdentity = ctx.body
    now = ctx.now_ms()
    for alias in dict.fromkeys([body.practice, *body.aliases]):
        row = {
            "alias": alias,
            "practice": body.practice,
            "created_by": ctx.account.name,
            "created_at": now,
        }
        if insert_ignore(ctx.conn, practice_aliases, row, ["alias"]) is None:
            known = ctx.conn.execute(
                select(practice_aliases.c.practice).where(practice_aliases.c.alias == alias)
            ).scalar_one()
            if known != body.practice:
                # Moving a code would move every claim keyed by it: refused (nothing stored).
                raise conflict("aliases")
    return _listing(ctx)


def get_practices(ctx: Ctx) -> wire.PracticeList:
    """Every registered practice with its local codes."""
    return _listing(ctx)


ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/practices",
        post_practice,
        "Register a practice's team-wide id and local codes (supervisor)",
        roles=frozenset({Role.SUPERVISOR}),
        request=wire.PracticeIdentity,
        response=wire.PracticeList,
    ),
    Endpoint(
        "GET",
        "/v1/practices",
        get_practices,
        "Team-wide practice identities and the local codes they go by",
        response=wire.PracticeList,
    ),
]
