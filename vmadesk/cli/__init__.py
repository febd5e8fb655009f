"""The ``vmadesk`` command: the console without a subcommand, the CLI with one.

Each command group lives in its own module of this package with a ``register(sub)`` that adds
its commands; :func:`build_parser` calls them in turn. What they share (exit codes, ``--profile``,
the passphrase prompts, opening the profile) is :mod:`vmadesk.cli.common`.

Exit codes: 0 ok, 1 failure, 2 bad input or authentication.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence

import sqlcipher3

from vmadesk import __version__, app_logging
from vmadesk.cli.common import (
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_OK,
    CliError,
    printed_notices,
    profile_arg,
    profile_dir,
)
from vmadesk.store.errors import AuthenticationError, StoreError, os_error_message, user_message

log = logging.getLogger("vmadesk.cli")


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the console."""
    from vmadesk.ui.launch import launch

    return launch(profile_dir(args), supervisor=args.supervisor, hub_url=args.hub)


# -- parser -------------------------------------------------------------------------------


#: The console's own options: a command line of only these opens the console.
_CONSOLE_VALUE_OPTIONS = ("--profile", "--hub")
_CONSOLE_FLAGS = ("--supervisor",)


def opens_console(argv: Sequence[str]) -> bool:
    """Whether ``argv`` only opens the console (no command, no help, no version)."""
    tokens = iter(argv)
    for token in tokens:
        name, has_value, _ = token.partition("=")
        if token in _CONSOLE_FLAGS or (has_value and name in _CONSOLE_VALUE_OPTIONS):
            continue
        if token in _CONSOLE_VALUE_OPTIONS and next(tokens, None) is not None:
            continue
        return False
    return True


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line (``--help`` documents each command).

    Args:
        commands: Add every command; without them only the console's options parse, which
            spares the console's start what the commands' options need (see
            :func:`opens_console`).
    """
    parser = argparse.ArgumentParser(
        prog="vmadesk",
        description="Shift console for virtual medical assistants. Without a command, "
        "opens the console.",
    )
    parser.add_argument("--version", action="version", version=f"vmadesk {__version__}")
    profile_arg(parser)
    parser.add_argument(
        "--supervisor", action="store_true", help="open the supervisor board (with --hub)"
    )
    parser.add_argument("--hub", metavar="URL", default=None, help="team hub URL")
    parser.set_defaults(func=cmd_gui)
    if not commands:
        return parser
    # The command groups only when a command may run: the console's start needs none of them
    # (tens of milliseconds of imports before the first lane is painted).
    from vmadesk.cli import evidence, handoff, imports, items, ownership, profile, sync

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # In the order ``--help`` lists them.
    profile.register(sub)
    imports.register(sub)
    sync.register(sub)
    items.register(sub)
    handoff.register(sub)
    evidence.register(sub)
    ownership.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vmadesk`` command."""
    app_logging.disable_core_dumps()
    os.umask(0o077)
    arguments = list(sys.argv[1:] if argv is None else argv)
    console = opens_console(arguments)
    args = build_parser(commands=not console).parse_args(arguments)
    try:
        app_logging.configure(rotate=not console)
    except OSError as exc:
        print(f"vmadesk: the log cannot be written. {os_error_message(exc)}", file=sys.stderr)
        return EXIT_FAIL
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"vmadesk: {exc}", file=sys.stderr)
        return exc.code
    except AuthenticationError as exc:
        print(f"vmadesk: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except StoreError as exc:
        if str(exc) not in printed_notices:
            print(f"vmadesk: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (`vmadesk items | head`): nothing to say to it.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a read-only profile or a full disk outside the database
        print(f"vmadesk: {os_error_message(exc)}", file=sys.stderr)
        return EXIT_FAIL
    except sqlcipher3.Error as exc:  # a damaged page met by a command's own query
        print(f"vmadesk: {user_message(exc)}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("vmadesk: interrupted; nothing half-written was kept.", file=sys.stderr)
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
