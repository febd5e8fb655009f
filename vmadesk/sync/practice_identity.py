"""Team-wide practice identities on the console: which local codes name which team practice.

A CSV report or a FHIR file naming no system is keyed by practice (``csv:<code>``,
``fhir:<code>``, see :func:`vmadesk.services.import_inputs.keyed_system`), and the code is the
console's own. The supervisor registers each practice once at the hub with the codes consoles
use; the console keeps that map (from ``GET /v1/practices``) and keys pseudonyms by the team-wide
id instead, so two consoles filing one practice under different codes still conflict. A code
the hub does not know keeps its pseudonym as it was (as does a code equal to the team id).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from vmadesk.store import settings_store
from vmadesk.store.connection import Connection

#: Settings key: ``{local code: team practice id}`` as the hub last sent it.
ALIASES_KEY = "hub.practice_aliases"
#: Source-system prefixes keyed by a practice code (the files that name no system of their own).
PRACTICE_KEYED = ("csv", "fhir")


def practice_aliases(conn: Connection) -> dict[str, str]:
    """The local-code -> team-practice map last fetched from the hub (empty if none)."""
    value = settings_store.get(conn, ALIASES_KEY)
    if not value:
        return {}
    try:
        loaded = json.loads(value)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def store_aliases(conn: Connection, aliases: Mapping[str, str]) -> None:
    """Keep the map (inside the caller's transaction)."""
    settings_store.put(conn, ALIASES_KEY, json.dumps(dict(sorted(aliases.items()))))


def team_system(system: str, aliases: Mapping[str, str]) -> str:
    """The source system a pseudonym is keyed by: a practice-keyed one under its team id."""
    prefix, sep, code = system.partition(":")
    if sep and prefix in PRACTICE_KEYED and code in aliases:
        return f"{prefix}:{aliases[code]}"
    return system
