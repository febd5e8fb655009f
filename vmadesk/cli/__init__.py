"""The ``vmadesk`` command: the console without a subcommand, the CLI with one.

Exit codes: 0 ok, 1 failure, 2 bad input or authentication.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlcipher3

from vmadesk import __version__, app_logging, paths
from vmadesk.store import audit, key_change
from vmadesk.store import profile as profiles
from vmadesk.store.errors import AuthenticationError, StoreError, os_error_message, user_message

log = logging.getLogger("vmadesk.cli")

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


def _profile_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="profile folder (default: the platform data directory)",
    )


def _profile_dir(args: argparse.Namespace) -> Path:
    return (args.profile or paths.default_profile_dir()).expanduser()


def _prompt(label: str) -> str:
    if not sys.stdin.isatty():
        raise CliError(
            f"A passphrase is needed: set {profiles.PASSPHRASE_ENV} or run in a terminal.",
            EXIT_INPUT,
        )
    import getpass

    return getpass.getpass(label)


def _login_name() -> str:
    import getpass

    return getpass.getuser()


def _new_passphrase() -> str:
    env = profiles.passphrase_from_env()
    if env:
        return env
    first = _prompt("New passphrase: ")
    if _prompt("Repeat passphrase: ") != first:
        raise CliError("The two passphrases differ; nothing was changed.", EXIT_INPUT)
    return first


def _refuse_to_wait(seconds: float) -> None:
    """The back-off at the terminal: say how long, never sit silent."""
    import math

    raise AuthenticationError(f"Too many failed unlocks: try again in {math.ceil(seconds)} s.")


def open_profile(args: argparse.Namespace) -> profiles.UnlockedProfile:
    """Unlock the profile named by ``--profile`` (keychain, env passphrase or prompt)."""
    profile = profiles.unlock(_profile_dir(args), prompt=_prompt, sleep=_refuse_to_wait)
    for notice in profile.notices:
        print(notice, file=sys.stderr)
        _printed_notices.add(notice)
    return profile


#: Notices already on stderr: an error that repeats one (a damaged audit trail met again by
#: the command) is not printed twice.
_printed_notices: set[str] = set()


# -- profile ----------------------------------------------------------------------------


def cmd_profile_init(args: argparse.Namespace) -> int:
    """Create an empty profile and print the recovery key once."""
    directory = _profile_dir(args)
    profile, recovery = profiles.create(
        directory,
        _new_passphrase(),
        vma_handle=args.vma or _login_name(),
        keychain_choice=args.keychain,
    )
    try:
        for notice in profile.notices:
            print(notice, file=sys.stderr)
        print(f"Profile created in {directory}.")
        print(_describe_slots(profile))
        print("Recovery key (shown once; store it offline, it opens the profile):")
        print(f"  {recovery}")
    finally:
        profile.close()
    return EXIT_OK


def _describe_slots(profile: profiles.UnlockedProfile) -> str:
    from vmadesk.services.profile_info import describe_protection

    return describe_protection(profile.slot_types())


def cmd_profile_info(args: argparse.Namespace) -> int:
    """Print mode, schema version and open items per lane."""
    from vmadesk.domain.vocabulary import Lane
    from vmadesk.services.profile_info import profile_info

    profile = open_profile(args)
    try:
        info = profile_info(profile)
    finally:
        profile.close()
    if args.json:
        print(json.dumps(info, indent=2))
        return EXIT_OK
    print(
        f"Profile {info['profile_id']} (schema v{info['schema_version']}, "
        f"SQLCipher {info['cipher_version']})"
    )
    print(f"Mode: {info['mode']}. {info['protection']}")
    print(
        f"Keychain backend: {info['keychain_backend']}"
        f" ({'available' if info['keychain_available'] else 'not available'})"
    )
    lanes = [(Lane(k).label, v, info["in_handoff"][k]) for k, v in info["open_items"].items()]
    print("Open items you hold: " + ", ".join(f"{label} {n}" for label, n, _ in lanes))
    print("In a handoff packet: " + ", ".join(f"{label} {n}" for label, _, n in lanes))
    print(f"Audit entries: {info['audit_entries']}")
    return EXIT_OK


def cmd_profile_check(args: argparse.Namespace) -> int:
    """Run the cipher and quick integrity checks."""
    profile = open_profile(args)
    try:
        problems = profiles.integrity_check(profile)
    finally:
        profile.close()
    if problems:
        for problem in problems:
            print(problem)
        return EXIT_FAIL
    print("ok: cipher_integrity_check and quick_check passed")
    return EXIT_OK


def cmd_change_passphrase(args: argparse.Namespace) -> int:
    """Ask the current passphrase, then the new one; rewrite one slot."""
    directory = _profile_dir(args)
    current = profiles.passphrase_from_env() or _prompt("Current passphrase: ")
    profile = profiles.unlock(
        directory, passphrase=current, use_keychain=False, sleep=_refuse_to_wait
    )
    try:
        new = os.environ.get("VMADESK_NEW_PASSPHRASE") or _new_passphrase_prompted()
        key_change.change_passphrase(profile, new)
    finally:
        profile.close()
    print("Passphrase changed.")
    return EXIT_OK


def _new_passphrase_prompted() -> str:
    first = _prompt("New passphrase: ")
    if _prompt("Repeat passphrase: ") != first:
        raise CliError("The two passphrases differ; nothing was changed.", EXIT_INPUT)
    return first


def cmd_rotate_key(args: argparse.Namespace) -> int:
    """Re-encrypt under a new key; rewrite every slot; print the new recovery key."""
    directory = _profile_dir(args)
    passphrase = profiles.passphrase_from_env() or _prompt("Passphrase: ")
    profile = profiles.unlock(
        directory, passphrase=passphrase, use_keychain=False, sleep=_refuse_to_wait
    )

    def show(recovery: str) -> None:
        # Shown before the key changes: a kill after this line leaves either the old key
        # set working or this one, never a recovery key nobody saw.
        print("New recovery key (shown once; it replaces the old one when the rotation ends):")
        print(f"  {recovery}", flush=True)

    try:
        key_change.rotate_key(profile, passphrase, show=show)
        for notice in profile.notices:
            print(notice, file=sys.stderr)
    finally:
        profile.close()
    print("Database key rotated; every key slot rewritten. The old recovery key no longer works.")
    return EXIT_OK


def cmd_profile_recover(args: argparse.Namespace) -> int:
    """Emergency access: recovery key in, new passphrase set."""
    directory = _profile_dir(args)
    recovery = os.environ.get("VMADESK_RECOVERY_KEY") or _prompt("Recovery key: ")
    new = os.environ.get("VMADESK_NEW_PASSPHRASE") or _new_passphrase_prompted()
    profile = key_change.reset_passphrase_with_recovery(directory, recovery, new)
    profile.close()
    print("Profile opened with the recovery key; a new passphrase is set.")
    return EXIT_OK


# -- audit, demo --------------------------------------------------------------------------


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Recompute the audit chain."""
    profile = open_profile(args)
    try:
        result = audit.verify(profile.conn)
    finally:
        profile.close()
    if result.ok:
        print(f"ok {result.entries} entries")
        return EXIT_OK
    if result.first_broken is None:  # the anchor outside the table does not hold
        print(f"broken: {result.reason}")
    else:
        print(f"broken at sequence {result.first_broken}: {result.reason}")
    return EXIT_FAIL


def cmd_demo(args: argparse.Namespace) -> int:
    """Create (if needed) and fill a profile with obviously fake work."""
    from vmadesk.services.demo import DEMO_PASSPHRASE, fill_demo

    directory = _profile_dir(args)
    passphrase = profiles.passphrase_from_env() or DEMO_PASSPHRASE
    if not (directory / "keyslots.json").exists():
        profile, recovery = profiles.create(
            directory, passphrase, vma_handle="demo.vma", keychain_choice="no"
        )
        print(f"Demo profile created in {directory} (passphrase: {passphrase!r}).")
        print(f"Recovery key: {recovery}")
    else:
        profile = profiles.unlock(directory, passphrase=passphrase, use_keychain=False)
    try:
        counts = fill_demo(profile, items=args.items, seed=args.seed)
    finally:
        profile.close()
    print("Demo work added: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the console."""
    from vmadesk.ui.launch import launch

    return launch(_profile_dir(args), supervisor=args.supervisor, hub_url=args.hub)


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
            spares the console's start the command modules (see :func:`opens_console`).
    """
    parser = argparse.ArgumentParser(
        prog="vmadesk",
        description="Shift console for virtual medical assistants. Without a command, "
        "opens the console.",
    )
    parser.add_argument("--version", action="version", version=f"vmadesk {__version__}")
    _profile_arg(parser)
    parser.add_argument(
        "--supervisor", action="store_true", help="open the supervisor board (with --hub)"
    )
    parser.add_argument("--hub", metavar="URL", default=None, help="team hub URL")
    parser.set_defaults(func=cmd_gui)
    if not commands:
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    prof = sub.add_parser("profile", help="create and look after the encrypted profile")
    prof_sub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    p = prof_sub.add_parser("init", help="create an empty profile (prints the recovery key)")
    _profile_arg(p)
    p.add_argument("--vma", default=None, help="your VMA handle (not PHI; default: your login)")
    p.add_argument(
        "--keychain",
        choices=("auto", "yes", "no"),
        default="auto",
        help="add an OS keychain slot (auto: where a real keychain exists)",
    )
    p.set_defaults(func=cmd_profile_init)
    p = prof_sub.add_parser("info", help="mode, schema version, open items per lane; no PHI")
    _profile_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_profile_info)
    for name, func, text in (
        ("check", cmd_profile_check, "run cipher_integrity_check and quick_check"),
        ("change-passphrase", cmd_change_passphrase, "rewrite the passphrase slot"),
        ("rotate-key", cmd_rotate_key, "re-encrypt under a new key (PRAGMA rekey)"),
        ("recover", cmd_profile_recover, "open with the recovery key; set a new passphrase"),
    ):
        p = prof_sub.add_parser(name, help=text)
        _profile_arg(p)
        p.set_defaults(func=func)

    aud = sub.add_parser("audit", help="the tamper-evident audit chain")
    aud_sub = aud.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = aud_sub.add_parser("verify", help="recompute the chain; name the first broken entry")
    _profile_arg(p)
    p.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("demo", help="create/fill a profile with obviously fake work")
    _profile_arg(p)
    p.add_argument("--items", type=int, default=60, help="items to add (default 60)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.set_defaults(func=cmd_demo)

    registered: list[Registrar] = []
    for register in (*_command_groups(), *_EXTENSIONS):
        if register not in registered:
            register(sub, _profile_arg)
            registered.append(register)
    return parser


Registrar = Callable[[argparse._SubParsersAction, Callable[..., None]], None]
#: Extra command groups (tests add theirs here); the built-in ones come from _command_groups.
_EXTENSIONS: list[Registrar] = []


def _command_groups() -> list[Registrar]:
    """The command groups kept in their own modules (import, sync and hub)."""
    from vmadesk import (
        cli_evidence,
        cli_handoff,
        cli_import,
        cli_items,
        cli_ownership,
        cli_sync,
    )

    return [
        cli_import.register,
        cli_sync.register,
        cli_items.register,
        cli_handoff.register,
        cli_evidence.register,
        cli_ownership.register,
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vmadesk`` command."""
    app_logging.disable_core_dumps()
    os.umask(0o077)
    arguments = list(sys.argv[1:] if argv is None else argv)
    console = opens_console(arguments)
    from vmadesk import cli_takeover  # `vmadesk item ID takeover` parses its own arguments

    args = cli_takeover.parse(arguments) or build_parser(commands=not console).parse_args(arguments)
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
        if str(exc) not in _printed_notices:
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
