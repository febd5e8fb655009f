"""What every command group shares: exit codes, ``--profile``, passphrases, opening the profile.

Exit codes: 0 ok, 1 failure, 2 bad input or authentication. A command raises :class:`CliError`
for a one-line message; :func:`vmadesk.cli.main` prints it and exits with its code.
"""

from __future__ import annotations

import argparse
import getpass
import math
import sys
from pathlib import Path

from vmadesk import paths
from vmadesk.store import profile as profiles
from vmadesk.store.errors import AuthenticationError

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


def profile_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--profile DIR`` to ``parser``."""
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="profile folder (default: the platform data directory)",
    )


def profile_dir(args: argparse.Namespace) -> Path:
    """The profile folder ``--profile`` names, or the platform's default."""
    return (args.profile or paths.default_profile_dir()).expanduser()


def prompt(label: str) -> str:
    """Ask for a secret at the terminal; without one, say how to give it instead."""
    if not sys.stdin.isatty():
        raise CliError(
            f"A passphrase is needed: set {profiles.PASSPHRASE_ENV} or run in a terminal.",
            EXIT_INPUT,
        )
    return getpass.getpass(label)


def login_name() -> str:
    """The operating system's user name (the default VMA handle)."""
    return getpass.getuser()


def new_passphrase_prompted() -> str:
    """Ask a new passphrase twice; refuse when the two differ."""
    first = prompt("New passphrase: ")
    if prompt("Repeat passphrase: ") != first:
        raise CliError("The two passphrases differ; nothing was changed.", EXIT_INPUT)
    return first


def new_passphrase() -> str:
    """The new passphrase from the environment, else asked twice."""
    return profiles.passphrase_from_env() or new_passphrase_prompted()


def refuse_to_wait(seconds: float) -> None:
    """The back-off at the terminal: say how long, never sit silent."""
    raise AuthenticationError(f"Too many failed unlocks: try again in {math.ceil(seconds)} s.")


#: Notices already on stderr: an error that repeats one (a damaged audit trail met again by
#: the command) is not printed twice.
printed_notices: set[str] = set()


def open_profile(args: argparse.Namespace) -> profiles.UnlockedProfile:
    """Unlock the profile named by ``--profile`` (keychain, env passphrase or prompt)."""
    profile = profiles.unlock(profile_dir(args), prompt=prompt, sleep=refuse_to_wait)
    for notice in profile.notices:
        print(notice, file=sys.stderr)
        printed_notices.add(notice)
    return profile
