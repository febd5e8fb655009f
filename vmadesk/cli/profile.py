"""``vmadesk profile …``, ``vmadesk audit verify`` and ``vmadesk demo``: the profile's own care."""

from __future__ import annotations

import argparse
import json
import os
import sys

from vmadesk.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    login_name,
    new_passphrase,
    new_passphrase_prompted,
    open_profile,
    profile_arg,
    profile_dir,
    prompt,
    refuse_to_wait,
)
from vmadesk.store import audit, key_change, profile_checks
from vmadesk.store import profile as profiles


def cmd_profile_init(args: argparse.Namespace) -> int:
    """Create an empty profile and print the recovery key once."""
    directory = profile_dir(args)
    profile, recovery = profiles.create(
        directory,
        new_passphrase(),
        vma_handle=args.vma or login_name(),
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
        problems = profile_checks.integrity_check(profile)
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
    directory = profile_dir(args)
    current = profiles.passphrase_from_env() or prompt("Current passphrase: ")
    profile = profiles.unlock(
        directory, passphrase=current, use_keychain=False, sleep=refuse_to_wait
    )
    try:
        new = os.environ.get("VMADESK_NEW_PASSPHRASE") or new_passphrase_prompted()
        key_change.change_passphrase(profile, new)
    finally:
        profile.close()
    print("Passphrase changed.")
    return EXIT_OK


def cmd_rotate_key(args: argparse.Namespace) -> int:
    """Re-encrypt under a new key; rewrite every slot; print the new recovery key."""
    directory = profile_dir(args)
    passphrase = profiles.passphrase_from_env() or prompt("Passphrase: ")
    profile = profiles.unlock(
        directory, passphrase=passphrase, use_keychain=False, sleep=refuse_to_wait
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
    directory = profile_dir(args)
    recovery = os.environ.get("VMADESK_RECOVERY_KEY") or prompt("Recovery key: ")
    new = os.environ.get("VMADESK_NEW_PASSPHRASE") or new_passphrase_prompted()
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

    directory = profile_dir(args)
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``profile …``, ``audit verify`` and ``demo`` to the ``vmadesk`` command."""
    prof = sub.add_parser("profile", help="create and look after the encrypted profile")
    prof_sub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    p = prof_sub.add_parser("init", help="create an empty profile (prints the recovery key)")
    profile_arg(p)
    p.add_argument("--vma", default=None, help="your VMA handle (not PHI; default: your login)")
    p.add_argument(
        "--keychain",
        choices=("auto", "yes", "no"),
        default="auto",
        help="add an OS keychain slot (auto: where a real keychain exists)",
    )
    p.set_defaults(func=cmd_profile_init)
    p = prof_sub.add_parser("info", help="mode, schema version, open items per lane; no PHI")
    profile_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_profile_info)
    for name, func, text in (
        ("check", cmd_profile_check, "run cipher_integrity_check and quick_check"),
        ("change-passphrase", cmd_change_passphrase, "rewrite the passphrase slot"),
        ("rotate-key", cmd_rotate_key, "re-encrypt under a new key (PRAGMA rekey)"),
        ("recover", cmd_profile_recover, "open with the recovery key; set a new passphrase"),
    ):
        p = prof_sub.add_parser(name, help=text)
        profile_arg(p)
        p.set_defaults(func=func)

    aud = sub.add_parser("audit", help="the tamper-evident audit chain")
    aud_sub = aud.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = aud_sub.add_parser("verify", help="recompute the chain; name the first broken entry")
    profile_arg(p)
    p.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("demo", help="create/fill a profile with obviously fake work")
    profile_arg(p)
    p.add_argument("--items", type=int, default=60, help="items to add (default 60)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.set_defaults(func=cmd_demo)
