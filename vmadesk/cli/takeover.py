"""``vmadesk item ID takeover --reason CODE --profile DIR``: take over an item another VMA holds.

Self-contained: :func:`parse` recognises the command before the main parser runs (so it works
whatever parser the other ``vmadesk item ID …`` commands use) and returns ``None`` for anything
else. The takeover is recorded at the hub with the reason (the supervisor sees it, the previous
holder's console drops the item with a note) and in the audit chain here.

Exit codes: 0 taken over, 1 the hub cannot be reached, 2 bad input (unknown item or reason, the
item is already yours, done work) or authentication.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

COMMAND = "takeover"


def _parser() -> argparse.ArgumentParser:
    from vmadesk.sync.wire import TakeoverReason

    codes = ", ".join(reason.value for reason in TakeoverReason)
    parser = argparse.ArgumentParser(
        prog="vmadesk item ID takeover",
        description="Take over an item another VMA holds at the team hub, with a reason.",
    )
    parser.add_argument("--reason", required=True, metavar="CODE", help=f"one of: {codes}")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="profile folder (default: the platform data directory)",
    )
    return parser


def parse(arguments: Sequence[str]) -> argparse.Namespace | None:
    """The parsed ``item ID takeover …`` command, or ``None`` when ``arguments`` are another."""
    if len(arguments) < 3 or arguments[0] != "item" or arguments[2] != COMMAND:
        return None
    args = _parser().parse_args(list(arguments[3:]))
    args.item = arguments[1]
    args.func = cmd_takeover
    return args


def cmd_takeover(args: argparse.Namespace) -> int:
    """Take the item over; print what happened in one line."""
    from vmadesk.cli import EXIT_FAIL, EXIT_INPUT, EXIT_OK, CliError, open_profile
    from vmadesk.services.errors import ActionRefused
    from vmadesk.services.held_by_others import HubUnreachable, parse_reason, take_over

    if not str(args.item).isdigit():
        raise CliError("the item ID is a number (as `vmadesk items` lists it).", EXIT_INPUT)
    try:
        reason = parse_reason(args.reason)
    except ActionRefused as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    profile = open_profile(args)
    try:
        print(take_over(profile.conn, int(args.item), reason))
    except HubUnreachable as exc:
        raise CliError(str(exc), EXIT_FAIL) from None
    except ActionRefused as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    finally:
        profile.close()
    return EXIT_OK
