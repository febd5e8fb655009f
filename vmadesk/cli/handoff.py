"""``vmadesk handoff send | inbox | receive``: hand work over through the team hub.

Item ids are the sender's (``vmadesk items --json``): a packet item carries its sender's id, so
``receive --ack 12`` names the same item on both consoles. Notes written here are PHI-free
(lane, state, attempts; "work the item as the lane's SOP says"); a richer note is written in
the console. Nothing printed carries PHI: ids, handles, lanes, counts, times and codes.
Exit codes: 0 ok, 1 failure (hub unreachable: the packet waits in the outbox), 2 bad input or
authentication.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from vmadesk.cli.common import EXIT_FAIL, EXIT_INPUT, EXIT_OK, CliError, open_profile, profile_arg
from vmadesk.domain.vocabulary import DeclineReason


def _ids(text: str | None, flag: str) -> list[int] | None:
    if text is None:
        return None
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CliError(
            f"{flag}: a comma-separated list of item ids (e.g. 12,15).", EXIT_INPUT
        ) from None
    if not ids:
        raise CliError(f"{flag}: name at least one item id.", EXIT_INPUT)
    return ids


def _client_and_sync(profile: Any) -> Any:
    """One sync round (the inbox and receipts travel in it); the hub client for more."""
    from vmadesk.services.sync_service import SyncAuthError, sync_once
    from vmadesk.sync.enrolment import EnrolmentError

    try:
        return sync_once(profile)
    except EnrolmentError as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    except SyncAuthError:
        raise CliError(
            "the hub refused this console's token (revoked?); enrol again.", EXIT_INPUT
        ) from None


def cmd_send(args: argparse.Namespace) -> int:
    """Seal the chosen open items to a colleague's pinned key and post them to the hub."""
    from vmadesk.services.errors import ActionRefused
    from vmadesk.services.handoff_hub import default_note, open_items_to_send
    from vmadesk.services.sync_service import send_handoff
    from vmadesk.store.settings_store import vma_handle
    from vmadesk.sync.enrolment import hub_config
    from vmadesk.sync.hub_client import HubClient, HubRejected, HubUnavailable

    ids = None if args.all else _ids(args.items, "--items")
    profile = open_profile(args)
    try:
        config = hub_config(profile.conn)
        if config is None:
            raise CliError("this profile is not enrolled at a hub: run `vmadesk enroll`.", 2)
        if args.to in (config.handle, vma_handle(profile.conn)):
            raise CliError("--to: hand off to a colleague, not to yourself.", EXIT_INPUT)
        try:
            chosen = open_items_to_send(profile.conn, vma_handle(profile.conn), ids)
            notes = {item.id: default_note(item) for item in chosen}
            with HubClient(config.url, config.token) as client:
                envelope_id = send_handoff(profile.conn, client, args.to, notes, "")
        except ActionRefused as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        except HubRejected as exc:
            if exc.status == 404:
                raise CliError(f"--to: the hub knows no colleague {args.to}.", EXIT_INPUT) from None
            code = EXIT_INPUT if exc.status in (401, 403) else EXIT_FAIL
            raise CliError(
                f"the hub refused the handoff ({exc.status} {exc.code}).", code
            ) from None
        except HubUnavailable:
            raise CliError("the hub cannot be reached; nothing was sealed.", EXIT_FAIL) from None
        waiting = profile.conn.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'handoff' AND sent_at IS NULL"
            " AND rejected_at IS NULL"
        ).fetchone()[0]
    finally:
        profile.close()
    print(f"handoff {envelope_id}: {len(notes)} item(s) sealed for {args.to}.")
    if waiting:
        print("The hub could not be reached: the packet waits in the outbox (`vmadesk sync`).")
        return EXIT_FAIL
    return EXIT_OK


def _inbox_json(conn: Any, entries: list[Any]) -> list[dict[str, Any]]:
    from vmadesk.services.handoff_payload import first_action
    from vmadesk.store import handoffs

    out = []
    for entry in entries:
        rows = handoffs.items_of(conn, entry.handoff_id)
        out.append(
            {
                "id": entry.envelope_id,
                "sender": entry.sender,
                "received_at": entry.received_at,
                "items": [
                    {
                        "id": row.payload.get("item_id", row.payload.get("index", 0) + 1),
                        "lane": row.lane,
                        "due": row.payload.get("item", {}).get("due_at"),
                        "state": row.state,
                        "priority": row.payload.get("note", {}).get("priority"),
                        "has_actions": bool(first_action(row.payload)),
                        "open_escalations": sum(
                            e.get("state") != "resolved" for e in row.payload.get("escalations", [])
                        ),
                    }
                    for row in rows
                ],
                "pending": entry.pending,
            }
        )
    return out


def cmd_inbox(args: argparse.Namespace) -> int:
    """Fetch handoffs addressed to this VMA and list those still to decide."""
    from vmadesk.services.handoff_hub import inbox

    profile = open_profile(args)
    try:
        result = _client_and_sync(profile)
        document = _inbox_json(profile.conn, inbox(profile.conn))
    finally:
        profile.close()
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        if not document:
            print("No handoff waits for you.")
        for envelope in document:
            print(
                f"{envelope['id']} from {envelope['sender']}: {len(envelope['items'])} item(s), "
                f"{envelope['pending']} to decide"
            )
            for item in envelope["items"]:
                flag = f", {item['open_escalations']} open escalation(s)" * bool(
                    item["open_escalations"]
                )
                print(
                    f"  item {item['id']}: {item['lane']}, due {item['due']}, {item['state']}{flag}"
                )
    return EXIT_FAIL if result.offline else EXIT_OK


def cmd_receive(args: argparse.Namespace) -> int:
    """Acknowledge and decline a received packet's items; the receipt goes back to the hub."""
    from vmadesk.services.console import Console
    from vmadesk.services.errors import ActionRefused
    from vmadesk.services.handoff_hub import handoff_for_envelope
    from vmadesk.services.handoff_payload import first_action

    if not (args.ack_all or args.ack or args.decline):
        raise CliError("say what to do: --ack-all, --ack ID,... and/or --decline ID,...", 2)
    ack = None if args.ack_all else (_ids(args.ack, "--ack") if args.ack else [])
    decline = _ids(args.decline, "--decline") or []
    if decline and args.reason is None:
        raise CliError("--decline needs --reason (one of: " + ", ".join(DeclineReason) + ").", 2)
    if set(decline) & set(ack or []):
        raise CliError("an item is either acknowledged or declined, not both.", EXIT_INPUT)
    profile = open_profile(args)
    try:
        conn = profile.conn
        try:
            handoff_id = handoff_for_envelope(conn, args.envelope_id)
        except ActionRefused:
            _client_and_sync(profile)  # not fetched yet: fetch, then look again
            try:
                handoff_id = handoff_for_envelope(conn, args.envelope_id)
            except ActionRefused as exc:
                raise CliError(str(exc), EXIT_INPUT) from None
        service = Console(profile).handoffs
        _, rows = service.packet(handoff_id)
        by_id = {row.payload.get("item_id", row.payload.get("index", 0) + 1): row for row in rows}
        unknown = [i for i in [*(ack or []), *decline] if i not in by_id]
        if unknown:
            raise CliError(f"not in this handoff: item(s) {', '.join(map(str, unknown))}.", 2)
        todo_ack = (
            [i for i, r in by_id.items() if r.state == "pending" and i not in decline]
            if ack is None
            else ack
        )
        # Everything is checked before anything changes: a refused command changes nothing.
        decided = [i for i in [*todo_ack, *decline] if by_id[i].state != "pending"]
        if decided:
            raise CliError(
                f"already decided: item(s) {', '.join(map(str, decided))}; nothing was changed.",
                EXIT_INPUT,
            )
        for item_id in todo_ack:
            if not first_action(by_id[item_id].payload):
                raise CliError(
                    f"item {item_id} lists no action to take over: decide it in the console.", 2
                )
        try:
            for item_id in decline:
                service.decline(by_id[item_id].id, DeclineReason(args.reason))
            for item_id in todo_ack:
                service.acknowledge(by_id[item_id].id, first_action(by_id[item_id].payload))
        except ActionRefused as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        result = _client_and_sync(profile)  # sends the receipt when nothing is left pending
        _, rows = service.packet(handoff_id)
        left = sum(r.state == "pending" for r in rows)
    finally:
        profile.close()
    print(
        f"handoff {args.envelope_id}: {len(todo_ack)} acknowledged, {len(decline)} declined, "
        f"{left} still to decide."
    )
    if result.offline:
        print("The hub could not be reached: the receipt goes at the next `vmadesk sync`.")
        return EXIT_FAIL
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``handoff send | inbox | receive`` to the ``vmadesk`` command."""
    group = sub.add_parser("handoff", help="hand open work to a colleague through the hub")
    actions = group.add_subparsers(dest="handoff_command", metavar="ACTION", required=True)

    p = actions.add_parser("send", help="seal open items for a colleague and post them")
    profile_arg(p)
    p.add_argument("--to", required=True, metavar="HANDLE", help="the receiving VMA's handle")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every open item you hold")
    which.add_argument("--items", metavar="ID,...", help="these open items (your item ids)")
    p.set_defaults(func=cmd_send)

    p = actions.add_parser("inbox", help="handoffs addressed to you, still to decide")
    profile_arg(p)
    p.add_argument("--json", action="store_true", help="a JSON list of envelopes with their id")
    p.set_defaults(func=cmd_inbox)

    p = actions.add_parser("receive", help="acknowledge or decline a handoff's items")
    profile_arg(p)
    p.add_argument("envelope_id", metavar="ENVELOPE_ID", help="the id the inbox lists")
    # Declining alone is a whole answer too (send a packet, or what is left of it, back).
    which = p.add_mutually_exclusive_group()
    which.add_argument("--ack-all", action="store_true", help="acknowledge every item not declined")
    which.add_argument("--ack", metavar="ID,...", help="acknowledge these items")
    p.add_argument("--decline", metavar="ID,...", help="send these items back")
    p.add_argument(
        "--reason",
        choices=[r.value for r in DeclineReason],
        help="why declined items go back",
    )
    p.set_defaults(func=cmd_receive)
