"""What ``vmadesk profile info`` reports: protection, schema, open work. Never PHI."""

from __future__ import annotations

from typing import Any

from vmadesk.domain.vocabulary import Lane
from vmadesk.store import audit, items, keychain, settings_store
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
    """Mode, schema version, and the open items the VMA holds per lane.

    Only the profile's own VMA's items count (a colleague's, received and not yet
    acknowledged, or handed on, are not on this VMA's plate); items the VMA holds but has put
    in a handoff packet are counted apart, under ``in_handoff``.
    """
    slots = profile.slot_types()
    vma = settings_store.get(profile.conn, "vma_handle") or ""
    held = items.open_held(profile.conn, vma)
    open_per_lane = {lane.value: held.get((lane.value, False), 0) for lane in Lane}
    in_handoff = {lane.value: held.get((lane.value, True), 0) for lane in Lane}
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
        "in_handoff": in_handoff,
        "audit_entries": head.seq,
    }
