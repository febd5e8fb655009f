"""``vmadesk items``: a VMA's work items from a terminal, one line or JSON object each.

What the listing holds is :mod:`vmadesk.services.item_listing`'s: ids, lane and status codes, due
instants, holder handles and practice codes; the patient only with ``--show-patient`` (audited
as an export). ``register`` also adds ``vmadesk item ID ACTION`` (:mod:`vmadesk.cli.item_actions`,
where another module adds an action with one :func:`add_item_action` call).
"""

from __future__ import annotations

import argparse
import json

from vmadesk.cli import takeover
from vmadesk.cli.common import EXIT_INPUT, EXIT_OK, CliError, open_profile, profile_arg
from vmadesk.cli.item_actions import (
    ItemCommand,
    add_item_action,
    code_type,
    item_actions,
    register_actions,
    status_words,
    utc_text,
)
from vmadesk.domain.vocabulary import Lane

# -- the listing -------------------------------------------------------------------------------


def cmd_items(args: argparse.Namespace) -> int:
    """List items: id, lane, status, due, holder, practice (the patient only when asked)."""
    from vmadesk.services.item_listing import ListFilter, list_items
    from vmadesk.store import practices
    from vmadesk.store.settings_store import vma_handle

    profile = open_profile(args)
    try:
        practice_id = None
        if args.practice is not None:
            practice = practices.find_practice(profile.conn, args.practice)
            if practice is None:
                codes = ", ".join(p.code for p in practices.list_practices(profile.conn))
                raise CliError(
                    f"no practice '{args.practice}' in this profile (codes: {codes}).", EXIT_INPUT
                )
            practice_id = practice.id
        rows = list_items(
            profile.conn,
            vma=vma_handle(profile.conn),
            which=ListFilter(args.status),
            lane=args.lane,
            practice_id=practice_id,
            with_patient=args.show_patient,
        )
    finally:
        profile.close()
    if args.json:
        print(json.dumps([row.to_dict() for row in rows], indent=1))
        return EXIT_OK
    if not rows:
        print(f"No {args.status} items.")
        return EXIT_OK
    table = [["Id", "Lane", "Status", "Due", "Holder", "Practice"]]
    if args.show_patient:
        table[0].append("Patient")
    for row in rows:
        holder = row.holder
        if row.handoff_to:
            holder += f" (handoff to {row.handoff_to}, not yet acknowledged)"
        elif row.held:
            holder += " (another VMA)"
        line = [str(row.id), row.lane.label, status_words(row.status), utc_text(row.due)]
        line += [holder, row.practice]
        if args.show_patient:
            line.append(row.patient or "")
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    if args.status == "held":
        # the same two figures the console's status bar shows
        others = sum(1 for row in rows if row.held is not None and not row.handoff_to)
        print(f"{others} held by others · {len(rows) - others} in handoff")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``items`` and ``item ID ACTION`` (``takeover`` among them) to the ``vmadesk`` command."""
    from vmadesk.services.item_listing import ListFilter

    p = sub.add_parser(
        "items",
        help="list items: id, lane, status, due, holder, practice (no patient detail)",
        description="One line (or JSON object) per item. open: your open items; done: your "
        "closed ones; held: held by another VMA or waiting in a handoff; all: every item.",
    )
    profile_arg(p)
    p.add_argument(
        "--lane", type=code_type(Lane, "a lane"), default=None, metavar="L", help="only this lane"
    )
    p.add_argument(
        "--status",
        choices=[f.value for f in ListFilter],
        default=ListFilter.OPEN.value,
        help="which items (default: open)",
    )
    p.add_argument("--practice", default=None, metavar="CODE", help="only this practice")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument(
        "--show-patient",
        action="store_true",
        help="add the patient's name, date of birth and phone (audited as an export)",
    )
    p.set_defaults(func=cmd_items)
    register_actions(sub)
    takeover.register(sub)


__all__ = [
    "ItemCommand",
    "add_item_action",
    "cmd_items",
    "code_type",
    "item_actions",
    "register",
]
