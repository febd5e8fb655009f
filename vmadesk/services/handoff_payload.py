"""What one item carries inside a sealed handoff packet, and how the receiver stores it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from nacl.public import PublicKey

from vmadesk.domain.business_hours import BusinessHours
from vmadesk.domain.handoff_notes import HandoffNote
from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import DeclineReason, EscalationState, Lane, Outcome, code_label
from vmadesk.services.errors import ActionRefused
from vmadesk.services.practice_setup import add_practice
from vmadesk.store import escalations, history, items, practices
from vmadesk.store.connection import Connection
from vmadesk.store.escalations import EscalationRow
from vmadesk.store.handoffs import HandoffItemRow
from vmadesk.store.items import ITEM_COLUMNS, ItemRow
from vmadesk.store.timestamps import from_db, to_db
from vmadesk.sync import sealed

PACKET_FORMAT = "vmadesk-handoff"
RECEIPT_FORMAT = "vmadesk-handoff-receipt"
MAX_PACKET_BYTES = 20 * 1024 * 1024

#: Item columns that travel; ids, owner and local bookkeeping do not.
_CARRIED = tuple(
    c
    for c in ITEM_COLUMNS
    if c not in {"id", "practice_id", "owner", "handoff_id", "created_at", "updated_at"}
)


def item_payload(conn: Connection, item: ItemRow, note: HandoffNote, index: int) -> dict[str, Any]:
    """The sealed content for one item: data, history, escalations, practice, I-PASS note.

    Escalations travel with their SBAR texts: the receiver inherits whatever is still open
    (a clinical concern the supervisor has not answered yet must not fall between two VMAs).
    """
    practice = practices.get_practice(conn, item.practice_id)
    stored = item.stored()  # the packet carries the columns as the store holds them
    return {
        "index": index,
        "item_id": item.id,
        "item": {c: stored[c] for c in _CARRIED},
        "practice": {
            "code": practice.code,
            "name": practice.name,
            "timezone": practice.timezone,
            "region": practice.region,
            "hours": practice.hours,
            "lanes": {
                lane.value: {
                    "policy": row.policy,
                    "sop_text": row.sop_text,
                    "red_flag_text": row.red_flag_text,
                }
                for lane, row in practices.lane_policies(conn, practice.id).items()
            },
        },
        "attempts": [
            {
                "at": a.at,
                "outcome": a.outcome,
                "note": a.note,
                "author": a.author,
                "identity_verified": a.identity_verified,
                "details": a.details,
            }
            for a in history.attempts_for(conn, item.id)
        ],
        "notes": [
            {"at": n.at, "kind": n.kind, "text": n.text, "author": n.author}
            for n in history.notes_for(conn, item.id)
        ],
        "escalations": [
            escalation_payload(e) | hub_link(conn, e.id)
            for e in escalations.for_item(conn, item.id)
        ],
        "note": note.to_dict(),
    }


def hub_link(conn: Connection, escalation_id: int) -> dict[str, str]:
    """The hub's id and last known state of an escalation the hub was told of (else nothing).

    The receiver links its copy to the same hub escalation, so the supervisor's acknowledgement
    and resolution reach the VMA who holds the item now (the hub moves it with the claim).
    """
    row = conn.execute(
        "SELECT hub_id, hub_state FROM escalation_links WHERE escalation_id = ?", (escalation_id,)
    ).fetchone()
    return {} if row is None else {"hub_id": str(row[0]), "hub_state": str(row[1])}


def escalation_payload(escalation: EscalationRow) -> dict[str, Any]:
    """One escalation as a packet carries it (and as the handoff report prints it)."""
    return {
        "raised_at": escalation.raised_at,
        "category": escalation.category,
        "urgency": escalation.urgency,
        "state": escalation.state,
        "situation": escalation.situation,
        "background": escalation.background,
        "assessment": escalation.assessment,
        "request": escalation.request,
        "acknowledged_at": escalation.acknowledged_at,
        "resolved_at": escalation.resolved_at,
        "resolution_code": escalation.resolution_code,
        "resolution_note": escalation.resolution_note,
        "author": escalation.author,
    }


def receiver_practice(conn: Connection, practice: dict[str, Any]) -> int:
    """The receiver's id for the packet's practice; an unknown one is created as the sender has it.

    Name, zone, hours, lane policies and SOP texts come from the packet, so the receiver works
    the item under the practice's own rules at once. A practice the receiver already serves
    keeps the receiver's settings.
    """
    found = practices.find_practice(conn, practice["code"])
    if found is not None:
        return found.id
    hours = (
        BusinessHours.from_dict(practice["hours"])
        if practice.get("hours")
        else BusinessHours.default(practice["timezone"])
    )
    practice_id = add_practice(
        conn,
        code=practice["code"],
        name=practice["name"],
        hours=hours,
        region=practice.get("region", "US"),
    )
    for code, lane_rules in (practice.get("lanes") or {}).items():
        try:
            lane = Lane(code)
        except ValueError:
            continue  # a lane this console does not know: its defaults stay
        practices.put_lane_policy(
            conn,
            practice_id,
            lane,
            lane_rules.get("policy") or {},
            sop_text=lane_rules.get("sop_text", ""),
            red_flag_text=lane_rules.get("red_flag_text", ""),
        )
    return practice_id


def store_received_item(conn: Connection, row: HandoffItemRow, *, owner: str, now: datetime) -> int:
    """The receiver's copy of a packet item: a new item, or one it already had, updated."""
    payload = row.payload
    practice_id = receiver_practice(conn, payload["practice"])
    values = payload_columns(payload, practice_id=practice_id, owner=owner, now=now)
    existing = items.find_by_source(conn, row.source_system, row.source_id, Lane(row.lane))
    if existing is None:
        return items.insert_item(conn, values)
    items.update_item(conn, existing.id, {k: v for k, v in values.items() if k != "created_at"})
    return existing.id


def take_over_history(
    conn: Connection, item_id: int, payload: dict[str, Any], now: datetime
) -> int:
    """Copy the sender's attempts, notes and escalations onto the receiver's item.

    The receiver must be able to answer "why am I calling this again?", and an open
    escalation must not stay behind with a VMA who no longer holds the item. Entries the
    receiver already has (an item that comes back to a former holder) are not doubled.

    Returns:
        How many open escalations the receiver now holds for the item.
    """
    have_attempts = {(a.at, a.outcome, a.author) for a in history.attempts_for(conn, item_id)}
    for a in payload.get("attempts", []):
        author = a.get("author") or payload.get("sender", "colleague")
        if (a["at"], a["outcome"], author) in have_attempts:
            continue
        history.add_attempt(
            conn,
            item_id,
            at=from_db(a["at"]),
            outcome=a["outcome"],
            number_dialled=None,
            identity_verified=bool(a.get("identity_verified")),
            note=a.get("note", ""),
            details=a.get("details") or None,
            author=author,
        )
    have_notes = {(n.at, n.kind, n.text) for n in history.notes_for(conn, item_id)}
    for n in payload.get("notes", []):
        if (n["at"], n["kind"], n["text"]) in have_notes:
            continue
        history.add_note(
            conn,
            item_id,
            at=from_db(n["at"]),
            text=n["text"],
            author=n.get("author") or payload.get("sender", "colleague"),
            kind=n["kind"],
        )
    have_escalations = {
        (e.raised_at, e.category, e.situation): e.id for e in escalations.for_item(conn, item_id)
    }
    open_count = 0
    for e in payload.get("escalations", []):
        open_count += e.get("state") != EscalationState.RESOLVED
        known = have_escalations.get((e["raised_at"], e["category"], e["situation"]))
        if known is None and e.get("hub_id"):  # the same hub escalation, come another way
            linked = conn.execute(
                "SELECT escalation_id FROM escalation_links WHERE hub_id = ?", (str(e["hub_id"]),)
            ).fetchone()
            known = int(linked[0]) if linked else None
        if known is not None:
            link_to_hub(conn, known, e, now)
            continue
        local_id = escalations.insert(
            conn,
            {
                "item_id": item_id,
                "raised_at": e["raised_at"],
                "category": e["category"],
                "urgency": e["urgency"],
                "situation": e["situation"],
                "background": e.get("background", ""),
                "assessment": e.get("assessment", ""),
                "request": e.get("request", ""),
                "state": e["state"],
                "acknowledged_at": e.get("acknowledged_at"),
                "resolved_at": e.get("resolved_at"),
                "resolution_code": e.get("resolution_code"),
                "resolution_note": e.get("resolution_note"),
                "author": e.get("author") or payload.get("sender", "colleague"),
            },
        )
        link_to_hub(conn, local_id, e, now)
    return open_count


def link_to_hub(
    conn: Connection, escalation_id: int, carried: dict[str, Any], now: datetime
) -> None:
    """Link the receiver's copy to the hub escalation the packet names (once).

    A copy already linked (an item back with a former holder) or a hub id this console links
    to another copy keeps its link. The hub state carried is the sender's last known one, so a
    later move at the hub is applied here on the next round.
    """
    hub_id = carried.get("hub_id")
    if not hub_id:
        return
    conn.execute(
        "INSERT OR IGNORE INTO escalation_links (escalation_id, hub_id, hub_state, updated_at)"
        " SELECT ?, ?, ?, ? WHERE NOT EXISTS"
        " (SELECT 1 FROM escalation_links WHERE escalation_id = ? OR hub_id = ?)",
        (
            escalation_id,
            str(hub_id),
            carried.get("hub_state") or EscalationState.RAISED.value,
            to_db(now),
            escalation_id,
            str(hub_id),
        ),
    )


def payload_columns(
    payload: dict[str, Any], *, practice_id: int, owner: str, now: datetime
) -> dict[str, Any]:
    """Item columns for the receiver's copy (due times kept: the SLA does not restart)."""
    values = {c: payload["item"][c] for c in _CARRIED if c in payload["item"]}
    values.update(
        practice_id=practice_id,
        owner=owner,
        handoff_id=None,
        created_at=to_db(now),
        updated_at=to_db(now),
    )
    return values


def open_escalations_first(escalated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A packet item's escalations, open ones first, each group most urgent then oldest."""
    rank = {"immediate": 0, "urgent": 1}
    return sorted(
        escalated,
        key=lambda e: (
            e.get("state") == "resolved",
            rank.get(e.get("urgency", ""), 2),
            e.get("raised_at", ""),
        ),
    )


def history_lines(payload: dict[str, Any], tz: str = "UTC") -> list[str]:
    """The sender's history of the item, in words, oldest first (for review before taking it)."""
    zone = load_zone(tz)

    def when(stamp: str) -> str:
        return from_db(stamp).astimezone(zone).strftime("%a %d %b %H:%M")

    entries = []
    for a in payload.get("attempts", []):
        try:
            outcome = Outcome(a["outcome"]).label
        except ValueError:
            outcome = code_label(a["outcome"])
        who = f" by {a['author']}" if a.get("author") else ""
        text = f"{when(a['at'])} — call{who}: {outcome}" + (f". {a['note']}" if a["note"] else "")
        entries.append((a["at"], text))
    for n in payload.get("notes", []):
        who = f" by {n['author']}" if n.get("author") else ""
        entries.append((n["at"], f"{when(n['at'])} — {code_label(n['kind'])}{who}: {n['text']}"))
    return [text for _, text in sorted(entries, key=lambda e: e[0])]


def first_action(payload: dict[str, Any]) -> str:
    """The sender's first listed action for an item ("" when the note lists none)."""
    actions = payload.get("note", {}).get("actions") or []
    return str(actions[0].get("text", "")).strip() if actions else ""


def decline_text(reason: DeclineReason | str, detail: str = "") -> str:
    """The words a declined item goes back with: the reason's label, then the detail.

    Raises:
        ActionRefused: No reason, an unknown code, or "Other" without a detail.
    """
    try:
        code = DeclineReason(reason)
    except ValueError:
        raise ActionRefused("Decline: choose why the item goes back.") from None
    detail = detail.strip()
    if code is DeclineReason.OTHER and not detail:
        raise ActionRefused("Decline: say in a few words why the item goes back.")
    return f"{code.label}: {detail}" if detail else code.label


def note_text(payload: dict[str, Any], note: HandoffNote, next_action: str) -> str:
    """The receiver's history note on taking an item over."""
    actions = "; ".join(a.text for a in note.actions) or "none listed"
    return (
        f"Handoff from {payload.get('sender', 'colleague')} ({note.priority.value}): "
        f"{note.summary}\nActions: {actions}\nIf/then: {note.contingency or '-'}\n"
        f"My next action: {next_action}"
    )


def read_json(path: Path, expected: str) -> dict[str, Any]:
    """A packet or receipt file's envelope (ActionRefused when it is not one)."""
    try:
        if path.stat().st_size > MAX_PACKET_BYTES:
            raise ActionRefused(f"{path.name}: larger than any handoff file; not opened.")
        data = json.loads(path.read_text("ascii"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise ActionRefused(f"{path.name}: not a readable vmadesk file.") from None
    if not isinstance(data, dict) or data.get("format") != expected:
        raise ActionRefused(f"{path.name}: not a {expected} file.")
    return data


def seal_envelope(
    body: dict[str, Any], receiver_key: PublicKey | None
) -> tuple[dict[str, Any], bytes, str | None]:
    """Seal a packet body and wrap it in the file envelope (PHI-free routing only).

    Args:
        body: The packet (``packet_id``, ``sender``, ``receiver``, items, notes).
        receiver_key: The receiver's public key; None seals with a new one-time code.

    Returns:
        The envelope, the sealed box, and the one-time code (None for a public key).
    """
    plaintext = json.dumps(body).encode("utf-8")
    envelope: dict[str, Any] = {
        "format": PACKET_FORMAT,
        "version": 1,
        "packet_id": body["packet_id"],
        "sender": body["sender"],
        "receiver": body["receiver"],
    }
    code = None
    if receiver_key is None:
        code = sealed.new_code()
        salt, box = sealed.seal_with_code(code, plaintext)
        envelope.update(mode="code", salt=sealed.b64(salt), ciphertext=sealed.b64(box))
    else:
        box = sealed.seal_to(receiver_key, plaintext)
        envelope.update(mode="public_key", ciphertext=sealed.b64(box))
    return envelope, box, code
