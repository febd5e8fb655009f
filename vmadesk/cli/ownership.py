"""Supervisor commands for ownership at the hub: practice identities, unattended work, reassign.

- ``vmadesk team-practice ID --alias CODE … --profile DIR``: register a practice's team-wide id
  and the local codes consoles file it under (set once at the hub);
- ``vmadesk unattended --profile DIR [--json]``: work whose holder's console has been away (its
  lease lapsed), never granted to another VMA;
- ``vmadesk reassign PSEUDONYM --to HANDLE --reason CODE --profile DIR``: give such an item to
  another VMA, with a reason both VMAs see.

Run on an enrolled supervisor profile. Exit codes: 0 ok, 1 the hub cannot be reached, 2 bad
input, refused by the hub, or authentication.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vmadesk.cli.common import EXIT_FAIL, EXIT_INPUT, EXIT_OK, CliError, open_profile, profile_arg


@contextmanager
def _hub(args: argparse.Namespace) -> Iterator[Any]:
    """A hub client for the profile's enrolment; hub failures become one line and an exit code."""
    from vmadesk.sync.enrolment import EnrolmentError, client_for
    from vmadesk.sync.hub_client import HubRejected, HubUnavailable

    profile = open_profile(args)
    try:
        with client_for(profile.conn) as client:
            yield client
    except EnrolmentError as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    except HubUnavailable:
        raise CliError("the hub cannot be reached; nothing changed.", EXIT_FAIL) from None
    except HubRejected as exc:
        words = {
            403: "this needs a supervisor's enrolled profile",
            404: "the hub knows no such item",
            409: "the hub refused it: the code belongs to another practice, the VMA is unknown, "
            "or the work is done",
        }.get(exc.status, f"the hub refused it ({exc.status} {exc.code})")
        raise CliError(f"{words}; nothing changed.", EXIT_INPUT) from None
    finally:
        profile.close()


def _check(pattern: str, value: str, what: str) -> str:
    if not re.fullmatch(pattern, value):
        raise CliError(f"{what} {value!r} is not valid (letters, digits, . _ -).", EXIT_INPUT)
    return value


def cmd_team_practice(args: argparse.Namespace) -> int:
    """Register a practice's team-wide id and local codes; print every registered practice."""
    # Here, not at the top: the console's start imports this package, never the wire schema.
    from vmadesk import wire

    practice = _check(wire.HANDLE_PATTERN, args.practice, "Practice id")
    aliases = [_check(wire.PRACTICE_CODE_PATTERN, a, "Local code") for a in args.alias or []]
    with _hub(args) as client:
        listing = client.register_practice(practice, aliases)
    for record in listing.practices:
        print(f"{record.practice}: {', '.join(record.aliases)}")
    return EXIT_OK


def cmd_unattended(args: argparse.Namespace) -> int:
    """List unattended work (pseudonym, lane, holder, lapsed since)."""
    with _hub(args) as client:
        claims = client.unattended().claims
    if args.json:
        print(json.dumps([c.model_dump(mode="json") for c in claims]))
        return EXIT_OK
    if not claims:
        print("No unattended work.")
    for c in claims:
        lane = c.lane.label if c.lane else "lane unknown"
        lapsed = c.lease_expired_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{c.pseudonym}  {lane}  held by {c.holder}, unattended since {lapsed}")
    return EXIT_OK


def cmd_reassign(args: argparse.Namespace) -> int:
    """Reassign an item to another VMA with a reason code."""
    from vmadesk import wire
    from vmadesk.services.errors import ActionRefused
    from vmadesk.services.held_by_others import parse_reason

    code = _check(wire.HEX64_PATTERN, args.pseudonym.lower(), "Item pseudonym")
    to = _check(wire.HANDLE_PATTERN, args.to, "VMA")
    try:
        reason = parse_reason(args.reason)
    except ActionRefused as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    with _hub(args) as client:
        result = client.reassign(code, to, reason)
    print(f"Reassigned from {result.previous_holder or 'nobody'} to {to} ({reason.value}).")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``team-practice``, ``unattended`` and ``reassign`` to the ``vmadesk`` command."""
    # Here, not at the top: the console's start imports this package, never the wire schema.
    from vmadesk import wire

    codes = ", ".join(reason.value for reason in wire.TakeoverReason)
    p = sub.add_parser(
        "team-practice",
        help="supervisor: register a practice's team-wide id and the local codes it goes by",
    )
    profile_arg(p)
    p.add_argument("practice", metavar="ID", help="the team-wide practice id (e.g. riverside-fm)")
    p.add_argument(
        "--alias", action="append", metavar="CODE", help="a local practice code (repeatable)"
    )
    p.set_defaults(func=cmd_team_practice)

    p = sub.add_parser("unattended", help="supervisor: work whose holder's console is away")
    profile_arg(p)
    p.add_argument("--json", action="store_true", help="a JSON list")
    p.set_defaults(func=cmd_unattended)

    p = sub.add_parser("reassign", help="supervisor: give an item to another VMA, with a reason")
    profile_arg(p)
    p.add_argument("pseudonym", metavar="PSEUDONYM", help="the item's pseudonym (from unattended)")
    p.add_argument("--to", required=True, metavar="HANDLE", help="the VMA who takes it")
    p.add_argument("--reason", required=True, metavar="CODE", help=f"one of: {codes}")
    p.set_defaults(func=cmd_reassign)
