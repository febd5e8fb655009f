"""``vmadesk item ID takeover --reason CODE --profile DIR``: take over an item another VMA holds.

One of the ``vmadesk item ID`` actions (:func:`register` adds it to the ``item`` command of
:mod:`vmadesk.cli.item_actions`), run on its own: the item is another VMA's, so it is looked up
by the takeover service rather than loaded as one of the VMA's own. The takeover is recorded at
the hub with the reason (the supervisor sees it, the previous holder's console drops the item
with a note) and in the audit chain here.

Exit codes: 0 taken over, 1 the hub cannot be reached, 2 bad input (unknown item or reason, the
item is already yours, done work) or authentication.
"""

from __future__ import annotations

import argparse

from vmadesk.cli.common import EXIT_FAIL, EXIT_INPUT, EXIT_OK, CliError, open_profile, profile_arg
from vmadesk.cli.item_actions import item_actions

COMMAND = "takeover"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``item ID takeover`` to the ``vmadesk`` command."""
    # Here, not at the top: the console's start imports this package, never the wire schema.
    from vmadesk.wire import TakeoverReason

    codes = ", ".join(reason.value for reason in TakeoverReason)
    text = "Take over an item another VMA holds at the team hub, with a reason."
    parser = item_actions(sub).add_parser(
        COMMAND, help="take over an item another VMA holds, with a reason", description=text
    )
    parser.add_argument("--reason", required=True, metavar="CODE", help=f"one of: {codes}")
    profile_arg(parser)
    parser.set_defaults(func=cmd_takeover)


def cmd_takeover(args: argparse.Namespace) -> int:
    """Take the item over; print what happened in one line."""
    from vmadesk.services.errors import ActionRefused
    from vmadesk.services.held_by_others import HubUnreachable, parse_reason, take_over

    if not str(args.item_id).isdigit():
        raise CliError("the item ID is a number (as `vmadesk items` lists it).", EXIT_INPUT)
    try:
        reason = parse_reason(args.reason)
    except ActionRefused as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    profile = open_profile(args)
    try:
        print(take_over(profile.conn, int(args.item_id), reason))
    except HubUnreachable as exc:
        raise CliError(str(exc), EXIT_FAIL) from None
    except ActionRefused as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    finally:
        profile.close()
    return EXIT_OK
