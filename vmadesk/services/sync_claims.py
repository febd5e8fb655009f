"""Claims at the team hub: what the hub answered, heartbeats, lost leases, takeovers.

A claim refused at the hub marks the local claim ``conflict`` and moves the item out of the VMA's
lanes: its ``owner`` becomes the holder's handle (the WorkList shows the VMA's own items only),
with a note on the item and an audit entry. :func:`takeover` brings it back with a reason code,
recorded at the hub and in the audit chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from vmadesk import wire
from vmadesk.services.sync_round import Tally, raise_if_unauthorised, round_time
from vmadesk.store import audit, history, items
from vmadesk.store.audit import AuditEvent
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.settings_store import vma_handle
from vmadesk.store.timestamps import from_db, to_db
from vmadesk.sync import enrolment, outbox
from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable

LEASE_SECONDS = 900


#: Reason codes in words (what a VMA reads in a note or picks in the takeover dialog).
REASON_LABELS: dict[wire.TakeoverReason, str] = {
    wire.TakeoverReason.HOLDER_OFF_SHIFT: "holder is off shift",
    wire.TakeoverReason.HOLDER_UNREACHABLE: "holder cannot be reached",
    wire.TakeoverReason.SUPERVISOR_ASSIGNED: "assigned by a supervisor",
    wire.TakeoverReason.HANDOFF_NOT_ACKNOWLEDGED: "handoff was not acknowledged",
    wire.TakeoverReason.PATIENT_CALLED_BACK: "patient called back",
    wire.TakeoverReason.DEADLINE_AT_RISK: "deadline at risk",
    wire.TakeoverReason.OTHER: "other reason",
}


def reason_words(reason: wire.TakeoverReason | None) -> str:
    """A reason code in words ("no reason given" when there is none)."""
    return REASON_LABELS.get(reason, "no reason given") if reason else "no reason given"


def _chunks(seq: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


#: How often an acknowledgement waits for the sender's offer before it counts as a conflict.
ACCEPT_ATTEMPTS = 30


def held_status(result: wire.ClaimResult, now: datetime) -> str:
    """``done``, ``unattended`` (the holder's lease lapsed) or ``working``."""
    if result.status is wire.ClaimStatus.DONE:
        return "done"
    return "unattended" if result.lease_expires_at < now else "working"


def _left_note(result: wire.ClaimResult, now: datetime) -> str:
    since = result.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if result.status is wire.ClaimStatus.DONE:
        return (
            f"Already done by {result.held_by} (team hub, since {since}): this item left your "
            "lanes. It comes back only if they reopen it."
        )
    if result.lease_expires_at < now:
        return (
            f"Held by {result.held_by} since {since} (team hub), unattended while their console "
            "is away: this item left your lanes. A supervisor can reassign it."
        )
    return (
        f"Held by {result.held_by} since {since} (team hub): this item left your "
        "lanes. Take it over with a reason if you must work it."
    )


def drop_item(
    conn: Connection,
    item_id: int,
    state: str,
    holder: str,
    since: datetime | None,
    *,
    status: str,
    note: str,
    now: datetime,
    details: dict[str, Any],
) -> None:
    """Move an item out of this VMA's lanes to ``holder``: claim row, owner, note, audit."""
    item = items.get_item(conn, item_id)
    conn.execute(
        "UPDATE claims SET state = ?, held_by = ?, held_since = ?, prev_owner = ?,"
        " held_status = ?, updated_at = ? WHERE item_id = ?",
        (
            state,
            holder,
            to_db(since) if since else None,
            item.owner,
            status,
            to_db(now),
            item_id,
        ),
    )
    items.update_item(conn, item_id, {"owner": holder, "updated_at": to_db(now)})
    history.add_note(conn, item_id, at=now, author="hub", kind="claim", text=note)
    audit.append(
        conn,
        AuditEvent.CLAIM,
        item_id=item_id,
        details={"action": state, "holder": holder, **details},
        at=now,
    )


def apply_claim_results(
    conn: Connection, results: list[wire.ClaimResult], me: str, now: datetime, t: Tally
) -> None:
    """Record the hub's answers: held by me, or a conflict that moves the item out of my lanes."""
    for result in results:
        rows = conn.execute(
            "SELECT item_id, state FROM claims WHERE pseudonym = ?", (result.pseudonym,)
        ).fetchall()
        for item_id, state in rows:
            if state == "released":
                continue  # handed off and acknowledged since this claim was queued
            if result.status is wire.ClaimStatus.GRANTED:
                conn.execute(
                    "UPDATE claims SET state = 'held', held_by = ?, held_since = ?,"
                    " lease_expires_at = ?, held_status = NULL, updated_at = ? WHERE item_id = ?",
                    (me, to_db(result.since), to_db(result.lease_expires_at), to_db(now), item_id),
                )
                continue
            status = held_status(result, now)
            if state in ("conflict", "taken_over"):
                conn.execute(
                    "UPDATE claims SET held_by = ?, held_since = ?, held_status = ?,"
                    " updated_at = ? WHERE item_id = ?",
                    (result.held_by, to_db(result.since), status, to_db(now), item_id),
                )
                continue
            drop_item(
                conn,
                item_id,
                "taken_over" if state == "held" else "conflict",
                result.held_by,
                result.since,
                status=status,
                note=_left_note(result, now),
                now=now,
                details={"status": status},
            )
            t.conflicts += 1


def _group_key(row: outbox.OutboxRow) -> tuple[Any, ...]:
    p = row.payload
    return (row.kind, p.get("reason"), bool(p.get("accept_offer")), p.get("to"))


def _send_claims(
    conn: Connection,
    client: HubClient,
    group: list[outbox.OutboxRow],
    me: str,
    now: datetime,
    t: Tally,
) -> None:
    """One claim group: apply the answers; an acknowledgement held by another waits its offer."""
    accept = bool(group[0].payload.get("accept_offer"))
    practices = {
        row.payload["pseudonym"]: row.payload["practice"]
        for row in group
        if row.payload.get("practice")
    }
    answer = client.claim(
        [row.payload["pseudonym"] for row in group],
        LEASE_SECONDS,
        accept_offer=accept,
        practices=practices,
    )
    by_code = {r.pseudonym: r for r in answer.results}
    waiting = [
        row
        for row in group
        if accept
        and by_code[row.payload["pseudonym"]].status is wire.ClaimStatus.HELD
        and row.attempts + 1 < ACCEPT_ATTEMPTS
    ]
    waiting_ids = {row.id for row in waiting}
    with transaction(conn):
        # The sender's offer may not have reached the hub yet (its console syncs later): keep
        # asking, the item stays in this VMA's lanes meanwhile.
        apply_claim_results(
            conn,
            [by_code[row.payload["pseudonym"]] for row in group if row.id not in waiting_ids],
            me,
            now,
            t,
        )
        outbox.mark_sent(conn, [row.id for row in group if row.id not in waiting_ids], now=now)
        if waiting:
            outbox.mark_failed(conn, list(waiting_ids), "awaiting_offer", now=now)


def send_claim_rows(
    conn: Connection,
    client: HubClient,
    rows: list[outbox.OutboxRow],
    me: str,
    now: datetime,
    t: Tally,
) -> None:
    """Claims, done reports and offers in the order written; consecutive alike rows go together."""
    groups: list[list[outbox.OutboxRow]] = []
    for row in rows:
        if (
            groups
            and _group_key(groups[-1][0]) == _group_key(row)
            and len(groups[-1]) < wire.MAX_PSEUDONYMS
        ):
            groups[-1].append(row)
        else:
            groups.append([row])
    for group in groups:
        ids = [row.id for row in group]
        codes = [row.payload["pseudonym"] for row in group]
        try:
            if group[0].kind == "claim":
                _send_claims(conn, client, group, me, now, t)
            else:
                if group[0].kind == "offer":
                    client.offer(codes, group[0].payload.get("to"))
                else:
                    client.release(codes, wire.ReleaseReason(group[0].payload["reason"]))
                with transaction(conn):
                    outbox.mark_sent(conn, ids, now=now)
        except HubUnavailable:
            with transaction(conn):
                outbox.mark_failed(conn, ids, "unavailable", now=now)
            raise
        except HubRejected as error:
            raise_if_unauthorised(error)
            with transaction(conn):
                outbox.mark_rejected(conn, ids, f"http_{error.status}", now=now)
        t.sent += len(group)


def heartbeat(conn: Connection, client: HubClient, me: str, now: datetime, t: Tally) -> None:
    """Refresh the leases of the claims held here; claim again those the hub says were lost."""
    held = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT c.pseudonym FROM claims c JOIN items i ON i.id = c.item_id"
            " WHERE c.state = 'held' AND i.is_open = 1"
        )
    ]
    lost: list[str] = []
    for chunk in _chunks(held, wire.MAX_PSEUDONYMS):
        result = client.heartbeat(chunk, LEASE_SECONDS)
        lost.extend(result.lost)
        if result.refreshed:
            expires = to_db(now + timedelta(seconds=LEASE_SECONDS))
            with transaction(conn):
                conn.executemany(
                    "UPDATE claims SET lease_expires_at = ?, updated_at = ? WHERE pseudonym = ?"
                    " AND state = 'held'",
                    [(expires, to_db(now), p) for p in result.refreshed],
                )
    for chunk in _chunks(lost, wire.MAX_PSEUDONYMS):
        # Claim again: granted if nobody took it meanwhile, else we learn who holds it.
        answer = client.claim(chunk, LEASE_SECONDS)
        with transaction(conn):
            before = t.conflicts
            apply_claim_results(conn, answer.results, me, now, t)
            t.lost_claims += t.conflicts - before


def refresh_held_by_others(conn: Connection, client: HubClient, now: datetime) -> None:
    """Bring the "Held by others" rows up to date: holder, since when, working/unattended/done."""
    codes = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT pseudonym FROM claims WHERE state IN ('conflict', 'taken_over')"
        )
    ]
    for chunk in _chunks(codes, wire.MAX_PSEUDONYMS):
        answer = client.lookup(chunk)
        with transaction(conn):
            for result in answer.results:
                if result.status is wire.ClaimStatus.GRANTED:
                    continue  # mine again: the moves of the round say how
                conn.execute(
                    "UPDATE claims SET held_by = ?, held_since = ?, held_status = ?,"
                    " updated_at = ? WHERE pseudonym = ? AND state IN ('conflict', 'taken_over')"
                    " AND (held_by IS NOT ? OR held_status IS NOT ?)",
                    (
                        result.held_by,
                        to_db(result.since),
                        held_status(result, now),
                        to_db(now),
                        result.pseudonym,
                        result.held_by,
                        held_status(result, now),
                    ),
                )


def takeover(
    conn: Connection,
    client: HubClient,
    item_id: int,
    reason: wire.TakeoverReason,
    *,
    now: datetime | None = None,
) -> wire.TakeoverResult:
    """Take over an item another VMA holds, with a reason code: at the hub, then locally.

    The item comes back to this VMA's lanes; the hub records the takeover (the supervisor sees
    it under conflicts) and the audit chain records it here.

    Raises:
        HubUnavailable / HubRejected: nothing changed locally.
        KeyError: no claim is known for this item.
    """
    current = round_time(now)
    config = enrolment.hub_config(conn)
    row = conn.execute(
        "SELECT pseudonym, state, held_by, prev_owner FROM claims WHERE item_id = ?", (item_id,)
    ).fetchone()
    if row is None or config is None:
        raise KeyError(item_id)
    pseudonym, _state, previous, prev_owner = row
    result = client.takeover(pseudonym, reason, LEASE_SECONDS)
    with transaction(conn):
        conn.execute(
            "UPDATE claims SET state = 'held', held_by = ?, held_since = ?, lease_expires_at = ?,"
            " prev_owner = NULL, held_status = NULL, updated_at = ? WHERE item_id = ?",
            (
                config.handle,
                to_db(result.claim.since),
                to_db(result.claim.lease_expires_at),
                to_db(current),
                item_id,
            ),
        )
        items.update_item(
            conn, item_id, {"owner": prev_owner or vma_handle(conn), "updated_at": to_db(current)}
        )
        history.add_note(
            conn,
            item_id,
            at=current,
            author=vma_handle(conn),
            kind="claim",
            text=f"Taken over from {result.previous_holder or previous or 'nobody'}"
            f" ({reason_words(reason)}).",
        )
        audit.append(
            conn,
            AuditEvent.CLAIM,
            item_id=item_id,
            details={
                "action": "takeover",
                "reason": reason.value,
                "previous_holder": result.previous_holder,
            },
            at=current,
        )
    return result


def conflicts(conn: Connection) -> list[dict[str, Any]]:
    """Items held by others: id, state, handle, since when and the hub's status (no PHI).

    ``status`` is ``working``, ``unattended`` (the holder's lease lapsed) or ``done``.
    """
    rows = conn.execute(
        "SELECT item_id, state, held_by, held_since, held_status FROM claims"
        " WHERE state IN ('conflict', 'taken_over') ORDER BY item_id"
    ).fetchall()
    return [
        {
            "item_id": r[0],
            "state": r[1],
            "held_by": r[2],
            "held_since": from_db(r[3]) if r[3] else None,
            "status": r[4] or "working",
        }
        for r in rows
    ]
