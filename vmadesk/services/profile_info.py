"""What ``vmadesk profile info`` reports: protection, schema, open work. Never PHI."""

from __future__ import annotations

from typing import Any

from vmadesk.domain.vocabulary import OPEN_STATUSES, Lane
from vmadesk.store import audit, items, keychain
from vmadesk.store.migrations import schema_version
from vmadesk.store.profile import UnlockedProfile


def describe_protection(slot_types: list[str]) -> str:
    """One sentence telling the VMA which slots protect the profile."""
    parts = []
    if "keychain" in slot_types:
        parts.append("the OS keychain (opens without typing)")
    if "passphrase" in slot_types:
        parts.append("your passphrase (Argon2id)")
    if "recovery" in slot_types:
        parts.append("the recovery key")
    if len(parts) > 1:
        return "Protected by " + ", ".join(parts[:-1]) + " and " + parts[-1] + "."
    return "Protected by " + "".join(parts) + "."


def profile_info(profile: UnlockedProfile) -> dict[str, Any]:
    """Mode, schema version and open items per lane."""
    slots = profile.slot_types()
    by_status = items.open_by_status(profile.conn)
    open_per_lane = {
        lane.value: sum(
            n for (ln, st), n in by_status.items() if ln == lane.value and st in OPEN_STATUSES
        )
        for lane in Lane
    }
    head = audit.head(profile.conn)
    return {
        "profile_id": profile.profile_id,
        "mode": "keychain" if "keychain" in slots else "passphrase",
        "slots": slots,
        "protection": describe_protection(slots),
        "keychain_backend": keychain.backend_name(),
        "keychain_available": keychain.is_available(),
        "unlocked_with": profile.method,
        "schema_version": schema_version(profile.conn),
        "cipher_version": profile.conn.execute("PRAGMA cipher_version").fetchone()[0],
        "open_items": open_per_lane,
        "audit_entries": head.seq,
    }
