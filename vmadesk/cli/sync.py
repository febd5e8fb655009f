"""``vmadesk enroll | sync | summary | hub …``: the team hub from a terminal.

Registered by :func:`vmadesk.cli.build_parser` (``register(sub)``). Exit codes as
everywhere: 0 ok, 1 failure (hub unreachable: messages wait in the outbox, none lost), 2 bad input
or authentication. Nothing here prints PHI: counts, handles, codes and the summary payload (which
is PHI-free by construction).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from vmadesk.cli.common import EXIT_FAIL, EXIT_INPUT, EXIT_OK, CliError, open_profile, profile_arg

TOKEN_ENV = "VMADESK_HUB_TOKEN"


def cmd_enroll(args: argparse.Namespace) -> int:
    """Enrol the profile at a hub (token, public key, team secret)."""
    import os

    from vmadesk.services.enrolment import EnrolmentError, enroll
    from vmadesk.sync.hub_client import HubRejected, HubUnavailable

    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        raise CliError(f"give --token or set {TOKEN_ENV}.", EXIT_INPUT)
    profile = open_profile(args)
    try:
        try:
            result = enroll(
                profile.conn,
                args.hub,
                token,
                team_secret_code=args.team_secret_code,
                replace=args.replace,
                as_supervisor=args.as_supervisor,
            )
        except EnrolmentError as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        except HubRejected as exc:
            code = EXIT_INPUT if exc.status in (401, 403) else EXIT_FAIL
            raise CliError(f"the hub refused enrolment ({exc.status} {exc.code}).", code) from None
        except HubUnavailable:
            raise CliError(f"the hub at {args.hub} cannot be reached; nothing stored.") from None
    finally:
        profile.close()
    print(f"Enrolled as {result.handle} ({result.role}) at {args.hub}.")
    if result.team_secret_source == "missing" and result.role == "supervisor":
        # A supervisor is who creates the secret: nobody will send one to this profile.
        where = f" --profile {args.profile}" if args.profile else ""
        print(
            "This profile has no team secret yet: create it and issue it to your VMAs with "
            f"`vmadesk team-secret{where}`."
        )
    elif result.team_secret_source == "missing":
        print(
            "The team secret has not arrived yet: ask your supervisor to issue it (it is fetched "
            "on the next sync), or enrol again with --team-secret-code."
        )
    elif result.team_secret_source == "kept":
        print("Team secret already held (kept).")
    else:
        print(f"Team secret received ({result.team_secret_source}).")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    """Send the outbox and pull changes; exit 1 with the waiting count when the hub is down."""
    from vmadesk.services.sync_service import SyncAuthError, sync_once
    from vmadesk.sync.enrolment import EnrolmentError

    profile = open_profile(args)
    try:
        try:
            result = sync_once(profile)
        except EnrolmentError as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        except SyncAuthError:
            raise CliError(
                "the hub refused this console's token (revoked?); enrol again.", EXIT_INPUT
            ) from None
    finally:
        profile.close()
    if result.offline or result.error:
        print(
            f"vmadesk: the hub cannot be reached ({result.error}); {result.pending} messages "
            "wait in the outbox (none lost). Run `vmadesk sync` again later.",
            file=sys.stderr,
        )
        return EXIT_FAIL
    line = f"synced: {result.sent} sent ({result.duplicates} already at the hub), "
    line += f"{result.pending} pending"
    if result.rejected:
        line += f", {result.rejected} refused by the hub (kept)"
    if result.conflicts:
        line += f", {result.conflicts} items held by another VMA (left your lanes)"
    if result.escalation_updates:
        line += f", {result.escalation_updates} escalation updates"
    if result.handoffs_received:
        line += f", {result.handoffs_received} handoffs received"
    print(line + ".")
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the next summary payload as JSON (what would leave the machine)."""
    from vmadesk.sync.summary import build_summary, next_interval_start

    profile = open_profile(args)
    try:
        now = datetime.now(UTC)
        payload = build_summary(profile.conn, now=now, since=next_interval_start(profile.conn, now))
    finally:
        profile.close()
    print(json.dumps(payload.model_dump(mode="json"), indent=2, sort_keys=True))
    return EXIT_OK


# -- hub --------------------------------------------------------------------------------------


def _hub_db(args: argparse.Namespace) -> str | None:
    """``--db`` without a password (else ``VMADESK_HUB_DB``); bad input is exit 2."""
    from vmadesk.hub.cli import DbArgumentError, db_from_arguments

    try:
        return db_from_arguments(args.db)
    except DbArgumentError as exc:
        raise CliError(str(exc), EXIT_INPUT) from None


def cmd_hub_serve(args: argparse.Namespace) -> int:
    """Run the hub (refuses plain HTTP on a non-loopback address without the flag)."""
    from vmadesk.hub.cli import serve

    return serve(_hub_db(args), args.host, args.port, args.allow_insecure_http)


def cmd_hub_board(args: argparse.Namespace) -> int:
    """Print the team board (the same document as GET /v1/board)."""
    from vmadesk.hub.cli import board

    document = board(_hub_db(args))
    if args.json:
        print(document.model_dump_json(indent=2))
        return EXIT_OK
    for vma in document.vmas:
        print(f"{vma.vma}: {sum(lane.open for lane in vma.lanes)} open")
        for lane in vma.lanes:
            print(
                f"  {lane.lane.label}: {lane.open} open, {lane.due_soon} due soon, "
                f"{lane.overdue} overdue, {lane.completed_on_time + lane.completed_late} done"
            )
    return EXIT_OK


def cmd_hub_add_user(args: argparse.Namespace) -> int:
    """Create an account and print its token once."""
    from vmadesk.hub.auth import AccountError
    from vmadesk.hub.cli import add_user

    try:
        token = add_user(args.name, args.role, _hub_db(args))
    except AccountError as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    print(f"Account {args.name} ({args.role}) created. Token (shown once; only its hash is kept):")
    print(token)
    return EXIT_OK


def cmd_hub_revoke(args: argparse.Namespace) -> int:
    """Revoke an account's token."""
    from vmadesk.hub.cli import revoke_user

    if not revoke_user(args.name, _hub_db(args)):
        raise CliError(f"no active account called {args.name}.", EXIT_INPUT)
    print(f"Account {args.name} revoked.")
    return EXIT_OK


def cmd_hub_openapi(args: argparse.Namespace) -> int:
    """Print (or write) the hub's OpenAPI document."""
    from vmadesk.hub.openapi import render_openapi, write_openapi

    if args.out:
        print(f"Written: {write_openapi(args.out)}")
    else:
        sys.stdout.write(render_openapi())
    return EXIT_OK


def cmd_team_secret(args: argparse.Namespace) -> int:
    """Supervisor: issue the team secret, sealed to each VMA's registered public key."""
    from vmadesk.sync.enrolment import client_for, issue_team_secret, team_secret_code
    from vmadesk.sync.hub_client import HubRejected, HubUnavailable

    profile = open_profile(args)
    try:
        with client_for(profile.conn) as client:
            try:
                recipients = args.vma or [row.vma for row in client.board().vmas]
                ready: list[str] = []
                waiting: list[str] = []
                for handle in recipients:
                    try:
                        client.public_key(handle)
                        ready.append(handle)
                    except HubRejected:
                        waiting.append(handle)
                secret = issue_team_secret(profile.conn, client, ready)
            except HubRejected as exc:
                raise CliError(f"the hub refused ({exc.status} {exc.code}).", EXIT_INPUT) from None
            except HubUnavailable:
                raise CliError("the hub cannot be reached; nothing issued.") from None
    finally:
        profile.close()
    print(f"Team secret sealed to {len(ready)} console(s): {', '.join(ready) or 'none'}.")
    if waiting:
        print(f"Not yet enrolled (no public key): {', '.join(waiting)}; run this again later.")
    if args.print_code:
        # Out-of-band enrolment: read it to the VMA, never send it through the hub.
        print(f"Enrolment code (give it out of band): {team_secret_code(secret)}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``enroll``, ``sync``, ``summary`` and ``hub`` to the ``vmadesk`` command."""
    p = sub.add_parser("enroll", help="enrol this profile at the team hub")
    profile_arg(p)
    p.add_argument("--hub", required=True, metavar="URL", help="the hub's URL")
    p.add_argument(
        "--token",
        default=None,
        help=f"your hub token (from `vmadesk hub add-user`; else {TOKEN_ENV}); "
        "write --token=T, tokens may start with '-'",
    )
    p.add_argument(
        "--team-secret-code",
        default=None,
        metavar="CODE",
        help="enrolment code from your supervisor (else VMADESK_TEAM_SECRET, else from the hub)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="switch a profile already enrolled to another hub account or hub URL",
    )
    p.add_argument(
        "--as-supervisor",
        action="store_true",
        help="enrol with a supervisor token although the profile holds open VMA work",
    )
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser(
        "team-secret",
        help="supervisor: issue the team secret sealed to each VMA's console",
        description="Create the team secret on this (supervisor) profile if needed and post it "
        "to the hub sealed to each VMA's registered public key; the hub never sees it.",
    )
    profile_arg(p)
    p.add_argument(
        "--vma",
        action="append",
        metavar="HANDLE",
        help="a VMA to issue to (repeatable; default: every VMA on the board)",
    )
    p.add_argument(
        "--print-code", action="store_true", help="also print an enrolment code to hand out of band"
    )
    p.set_defaults(func=cmd_team_secret)

    p = sub.add_parser("sync", help="send the outbox to the hub and pull changes")
    profile_arg(p)
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("summary", help="print the next PHI-free summary payload as JSON")
    profile_arg(p)
    p.set_defaults(func=cmd_summary)

    hub = sub.add_parser("hub", help="run and administer the team hub")
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    db_help = (
        "database URL (default: VMADESK_HUB_DB, else SQLite in the user data directory; "
        "postgresql://USER@HOST/DB for teams, password from PGPASSWORD/~/.pgpass/service)"
    )
    p = hub_sub.add_parser("serve", help="run the hub (uvicorn)")
    p.add_argument("--db", default=None, metavar="URL", help=db_help)
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow plain HTTP on a non-loopback address (put TLS in front instead)",
    )
    p.set_defaults(func=cmd_hub_serve)
    p = hub_sub.add_parser("add-user", help="create an account; prints its token once")
    p.add_argument("name", help="handle (short lowercase slug, not a person's name)")
    p.add_argument("--role", required=True, choices=("vma", "supervisor"))
    p.add_argument("--db", default=None, metavar="URL", help=db_help)
    p.set_defaults(func=cmd_hub_add_user)
    p = hub_sub.add_parser("revoke", help="revoke an account's token")
    p.add_argument("name")
    p.add_argument("--db", default=None, metavar="URL", help=db_help)
    p.set_defaults(func=cmd_hub_revoke)
    p = hub_sub.add_parser("openapi", help="print or write the OpenAPI document")
    p.add_argument("--out", default=None, metavar="FILE", help="write to FILE")
    p.set_defaults(func=cmd_hub_openapi)
    p = hub_sub.add_parser("board", help="print the team board (as GET /v1/board)")
    p.add_argument("--db", default=None, metavar="URL", help=db_help)
    p.add_argument("--json", action="store_true", help="the Board document as JSON")
    p.set_defaults(func=cmd_hub_board)


__all__ = ["EXIT_FAIL", "EXIT_INPUT", "EXIT_OK", "register"]
