"""``vmadesk item ID ACTION``: a VMA's actions on one work item from a terminal.

Every change goes through :class:`~vmadesk.services.work.WorkService` with the change hook the
console uses (:class:`vmadesk.services.console.Console`), so an enrolled profile queues
its hub events and claim changes in the same transaction, exactly as a click in the console does.

Exit codes: 0 done, 2 refused input (unknown item, outcome or reason; an action the item's state
or owner does not allow; an unreadable note file) with nothing changed, 1 other failures. Output
holds ids, codes, handles and times: the patient only with ``items --show-patient`` (audited), and
a note file's text never.

Another module adds an action to ``vmadesk item ID`` with one call of :func:`add_item_action`
from its own ``register(sub)``::

    def register(sub):
        p = item_actions.add_item_action(sub, "poke", help="...", run=_poke, own_only=False)
        p.add_argument("--reason", required=True, type=item_actions.code_type(Outcome, "..."))

``run(command, args)`` gets an :class:`ItemCommand` (the unlocked profile, the item, a
``WorkService`` with the hook) and returns the exit code; the profile is closed afterwards and
:class:`~vmadesk.services.errors.ActionRefused` becomes a one-line message with exit 2.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from vmadesk.cli.common import EXIT_INPUT, EXIT_OK, CliError, open_profile, profile_arg
from vmadesk.domain.vocabulary import (
    CONTACT_OUTCOMES,
    NEEDS_IDENTITY_CHECK,
    CloseReason,
    Outcome,
    ReopenReason,
    code_label,
)

if TYPE_CHECKING:
    from vmadesk.services.work import WorkService
    from vmadesk.store.items import ItemRow
    from vmadesk.store.profile import UnlockedProfile

#: A note longer than this is refused (a note is a few lines about a call, not a document).
MAX_NOTE_CHARS = 20_000

E = TypeVar("E", bound=StrEnum)


def code_type(enum: type[E], what: str) -> Callable[[str], E]:
    """An argparse ``type`` taking one of ``enum``'s codes (case and ``-``/``_`` forgiven).

    A wrong code is refused by argparse (exit 2) with the list of codes.
    """

    def parse(text: str) -> E:
        key = text.strip().lower().replace("-", "_")
        for member in enum:
            if member.value.replace("-", "_") == key:
                return member
        codes = ", ".join(m.value for m in enum)
        raise argparse.ArgumentTypeError(f"'{text}' is not {what}; use one of: {codes}")

    parse.__name__ = what.split(" ", 1)[-1]  # argparse names the type in some messages
    return parse


def _item_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not an item id (a whole number from 1)")
    return value


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a time with its offset (e.g. 2026-03-04T09:30-05:00 or …Z)"
        )
    return value


# -- the item command and its actions ----------------------------------------------------------


@dataclass
class ItemCommand:
    """What an item action runs with: the unlocked profile, the item, the work service."""

    profile: UnlockedProfile
    vma: str
    item: ItemRow
    work: WorkService

    def refresh(self) -> ItemRow:
        """The item as now stored (after the action)."""
        from vmadesk.store import items

        return items.get_item(self.profile.conn, self.item.id)


ItemRunner = Callable[[ItemCommand, argparse.Namespace], int]


def item_actions(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The actions of ``vmadesk item ID`` (the ``item`` command is made on first call).

    Each action takes ``--profile`` after it, where the usage shows it. ``ID`` is checked by the
    action (:func:`checked_item_id`), so that an action may word the refusal its own way.
    """
    parser = sub.choices.get("item")
    if parser is None:
        parser = sub.add_parser(
            "item",
            help="act on one item: attempt, complete, fail, cancel, reopen, …",
            description="Act on one of your items, by the id `vmadesk items` shows. "
            "A refused action changes nothing and exits 2.",
        )
        parser.add_argument("item_id", metavar="ID", help="the item's id")
        parser.add_subparsers(dest="item_action", metavar="ACTION", required=True)
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def add_item_action(
    sub: argparse._SubParsersAction,
    name: str,
    *,
    help: str,
    run: ItemRunner,
    own_only: bool = True,
) -> argparse.ArgumentParser:
    """Add ``vmadesk item ID <name>``; returns its parser for the action's own options.

    Args:
        sub: The ``vmadesk`` command's sub-parsers (as given to ``register``).
        name: The action's word.
        help: One line for ``--help``.
        run: Does the action; returns the exit code.
        own_only: Refuse items another VMA holds (False for an action that takes them over).
    """
    parser = item_actions(sub).add_parser(name, help=help, description=help)
    profile_arg(parser)
    parser.set_defaults(func=partial(_run_item_action, run, own_only, sub.choices["item"]))
    return parser


def checked_item_id(item_parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``ID`` as a number, or argparse's refusal (usage and exit 2) naming the argument."""
    try:
        return _item_id(args.item_id)
    except argparse.ArgumentTypeError as exc:
        item_parser.error(f"argument ID: {exc}")  # raises SystemExit(2)


def _run_item_action(
    run: ItemRunner, own_only: bool, item_parser: argparse.ArgumentParser, args: argparse.Namespace
) -> int:
    from vmadesk.services.console import Console
    from vmadesk.services.errors import ActionRefused
    from vmadesk.services.item_listing import item_for_action

    args.item_id = checked_item_id(item_parser, args)

    profile = open_profile(args)
    try:
        console = Console(profile)  # the hooks an enrolled profile's changes need, decided once
        conn, vma = console.conn, console.vma
        try:
            item = item_for_action(conn, args.item_id, vma=vma, own_only=own_only)
        except KeyError:
            raise CliError(
                f"there is no item {args.item_id} in this profile.", EXIT_INPUT
            ) from None
        except ActionRefused as exc:
            raise CliError(_about(args.item_id, exc), EXIT_INPUT) from None
        # The console's own services: once enrolled, the change's hub events go in its transaction.
        work = console.work
        try:
            return run(ItemCommand(profile, vma, item, work), args)
        except ActionRefused as exc:
            raise CliError(_about(args.item_id, exc), EXIT_INPUT) from None
    finally:
        profile.close()


def _read_text(path: Path | None, what: str) -> str:
    """A file's text, read as PHI: never echoed, never logged; errors name the file only."""
    if path is None:
        return ""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or "cannot be read"
        raise CliError(f"the {what} {path} cannot be read ({reason}).", EXIT_INPUT) from None
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise CliError(f"the {what} {path} is not UTF-8 text.", EXIT_INPUT) from None
    if len(text) > MAX_NOTE_CHARS:
        raise CliError(
            f"the {what} {path} is longer than {MAX_NOTE_CHARS:,} characters.", EXIT_INPUT
        )
    return text


def _details(path: Path | None) -> dict[str, Any]:
    text = _read_text(path, "details file")
    if not text:
        return {}
    try:
        details = json.loads(text)
    except ValueError:
        details = None
    if not isinstance(details, dict):
        raise CliError(f"the details file {path} is not a JSON object.", EXIT_INPUT)
    return details


def status_words(status: str) -> str:
    """An item status as words (``in-progress`` -> ``In progress``)."""
    return code_label(status.replace("-", "_"))


def utc_text(at: datetime | str | None) -> str:
    """A time as a VMA reads it in a terminal: ``2026-03-04 14:30 UTC`` (``—`` for none)."""
    if at is None:
        return "—"
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _run_attempt(command: ItemCommand, args: argparse.Namespace) -> int:
    outcome: Outcome = args.outcome
    if outcome in NEEDS_IDENTITY_CHECK and not args.identity_verified:
        raise CliError(
            f"'{outcome.label}' discusses the patient's care: check two identifiers first and "
            "say so with --identity-verified.",
            EXIT_INPUT,
        )
    note = _read_text(args.note_file, "note file")
    item_id = command.item.id
    if outcome in CONTACT_OUTCOMES:
        result = command.work.log_attempt(
            item_id,
            outcome,
            note=note,
            identity_verified=args.identity_verified,
            callback_at=args.callback_at,
        )
        line = f"Item {item_id}: {outcome.label} logged (attempt {command.refresh().attempt_count})"
        line += f"; now {status_words(result.status).lower()}"
        if result.next_attempt_at is not None:
            line += f", next try {utc_text(result.next_attempt_at)}"
        print(line + ".")
        if result.proposal == "fail_or_escalate":
            print("The tries this lane allows are used: fail it or escalate.")
        elif result.proposal == "record_outcome":
            print("Record the lane's outcome next (vmadesk item ID attempt OUTCOME).")
        return EXIT_OK
    command.work.record_outcome(
        item_id,
        outcome,
        details=_details(args.details_file),
        note=note,
        identity_verified=args.identity_verified,
    )
    print(f"Item {item_id}: {outcome.label}; now {status_words(command.refresh().status).lower()}.")
    return EXIT_OK


def _no_reason(action: str, args: argparse.Namespace) -> None:
    if args.reason is not None:
        raise CliError(f"{action} takes no --reason.", EXIT_INPUT)


def _run_close(action: str, command: ItemCommand, args: argparse.Namespace) -> int:
    note = _read_text(args.note_file, "note file")
    item_id = command.item.id
    if action == "complete":
        _no_reason(action, args)
        command.work.complete(item_id, note)
    elif action == "fail":
        if args.reason not in (None, CloseReason.ATTEMPTS_EXHAUSTED):
            raise CliError(
                f"fail records the reason {CloseReason.ATTEMPTS_EXHAUSTED.value}; "
                f"to close for {args.reason.value}, cancel the item.",
                EXIT_INPUT,
            )
        command.work.fail(item_id, note)
    elif action == "cancel":
        if args.reason is None:
            codes = ", ".join(r.value for r in CloseReason)
            raise CliError(f"cancel needs --reason, one of: {codes}.", EXIT_INPUT)
        command.work.cancel(item_id, args.reason, note)
    elif action == "reopen":
        if args.reason is None:
            codes = ", ".join(r.value for r in ReopenReason)
            raise CliError(f"reopen needs --reason, one of: {codes}.", EXIT_INPUT)
        command.work.reopen(item_id, args.reason, note)
    item = command.refresh()
    why = f" ({code_label(item.status_reason)})" if item.status_reason else ""
    print(f"Item {item_id}: now {status_words(item.status).lower()}{why}.")
    return EXIT_OK


def _note_file_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--note-file",
        type=Path,
        default=None,
        metavar="F",
        help="a UTF-8 text file with the note (read as patient information: never printed)",
    )


def register_actions(sub: argparse._SubParsersAction) -> None:
    """Add ``item ID attempt | complete | fail | cancel | reopen`` to the ``vmadesk`` command."""
    outcomes = ", ".join(o.value for o in Outcome)
    p = add_item_action(
        sub,
        "attempt",
        help="log a call attempt (contact outcome) or record the lane's outcome",
        run=_run_attempt,
    )
    p.add_argument(
        "outcome",
        metavar="OUTCOME",
        type=code_type(Outcome, "an outcome"),
        help=f"one of: {outcomes}",
    )
    _note_file_arg(p)
    p.add_argument(
        "--identity-verified",
        action="store_true",
        help="you checked two identifiers (needed for reached, confirmed and the requests)",
    )
    p.add_argument(
        "--callback-at",
        type=_instant,
        default=None,
        metavar="TIME",
        help="callback_requested: when the patient asked to be called (ISO 8601 with offset)",
    )
    p.add_argument(
        "--details-file",
        type=Path,
        default=None,
        metavar="F",
        help="a lane outcome's details as a JSON object (e.g. coverage_active: plan, copay, "
        "deductible_remaining, reference_number); read as patient information",
    )
    for action, text, reasons, what in (
        ("complete", "mark done without a lane outcome", CloseReason, "a close reason"),
        ("fail", "give up (the lane's tries are used)", CloseReason, "a close reason"),
        ("cancel", "close without doing the work, with --reason", CloseReason, "a close reason"),
        ("reopen", "open a closed item again, with --reason", ReopenReason, "a reopen reason"),
    ):
        p = add_item_action(sub, action, help=text, run=partial(_run_close, action))
        p.add_argument(
            "--reason",
            type=code_type(reasons, what),
            default=None,
            metavar="CODE",
            help="one of: " + ", ".join(r.value for r in reasons),
        )
        _note_file_arg(p)


__all__ = [
    "ItemCommand",
    "add_item_action",
    "checked_item_id",
    "code_type",
    "item_actions",
    "register_actions",
    "status_words",
    "utc_text",
]


def _about(item_id: int, exc: Exception) -> str:
    """A refusal naming the item once ("Item 3 is held by ana…", not "item 3: Item 3 …")."""
    text = str(exc)
    return text if text.startswith(f"Item {item_id} ") else f"item {item_id}: {text}"
