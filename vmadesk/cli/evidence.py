"""``vmadesk evidence list | show | approve | decline``: answer a supervisor's evidence request.

``list`` prints request ids, who asked and when (no PHI). ``show`` prints which item and how
much history approving would send; with ``--show-patient`` (audited) exactly what it would send,
patient details included, on the VMA's own terminal.
``approve`` seals it to the requesting supervisor's key and posts it; ``decline`` tells the
supervisor with a reason code. Exit codes: 0 ok, 1 failure (hub unreachable), 2 bad input or
authentication.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from vmadesk.cli.common import EXIT_FAIL, EXIT_INPUT, EXIT_OK, CliError, open_profile, profile_arg


def _with_requests(args: argparse.Namespace, act: Callable[..., int]) -> int:
    from vmadesk.services.evidence import EvidenceError, fetch_requests, responder_for
    from vmadesk.sync.hub_client import HubRejected, HubUnavailable

    profile = open_profile(args)
    try:
        found = responder_for(profile.conn)
        if found is None:
            raise CliError("this profile is not enrolled at a hub: run `vmadesk enroll`.", 2)
        responder, factory = found
        try:
            pending = fetch_requests(factory)
            return act(responder, pending)
        except EvidenceError as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        except HubRejected as exc:
            code = EXIT_INPUT if exc.status in (401, 403, 409) else EXIT_FAIL
            raise CliError(f"the hub refused it ({exc.status} {exc.code}).", code) from None
        except HubUnavailable:
            raise CliError("the hub cannot be reached; nothing changed.", EXIT_FAIL) from None
    finally:
        profile.close()


def _pick(pending: list[Any], request_id: str) -> Any:
    for request, key in pending:
        if request.request_id == request_id:
            return request, key
    raise CliError(f"no evidence request {request_id} waits for you (see `evidence list`).", 2)


def cmd_list(args: argparse.Namespace) -> int:
    """Requests waiting for this VMA."""

    def act(responder: Any, pending: list[Any]) -> int:
        rows = [
            {
                "id": r.request_id,
                "requested_by": r.requested_by,
                "requested_at": r.requested_at.isoformat(),
                "item": responder.item_for(r),
            }
            for r, _key in pending
        ]
        if args.json:
            print(json.dumps(rows, indent=2))
        elif not rows:
            print("No evidence request waits for you.")
        for row in [] if args.json else rows:
            item = f"item {row['item']}" if row["item"] is not None else "no matching item"
            print(f"{row['id']} from {row['requested_by']} ({row['requested_at']}): {item}")
        return EXIT_OK

    return _with_requests(args, act)


def cmd_show(args: argparse.Namespace) -> int:
    """Print what approving would send (patient details: the VMA's own terminal)."""

    def act(responder: Any, pending: list[Any]) -> int:
        request, _key = _pick(pending, args.request_id)
        if not args.show_patient:
            print("\n".join(responder.outline(request)))
            print("Patient details are not printed: add --show-patient to read them (audited).")
            return EXIT_OK
        print("\n".join(responder.preview(request)))
        return EXIT_OK

    return _with_requests(args, act)


def cmd_approve(args: argparse.Namespace) -> int:
    """Seal the item's details to the requesting supervisor and post them."""

    def act(responder: Any, pending: list[Any]) -> int:
        request, _key = _pick(pending, args.request_id)
        responder.approve(request)
        print(f"Evidence {request.request_id} sent, sealed to {request.requested_by}.")
        return EXIT_OK

    return _with_requests(args, act)


def cmd_decline(args: argparse.Namespace) -> int:
    """Decline with a reason code the supervisor sees."""
    from vmadesk.wire import EvidenceDeclineReason

    def act(responder: Any, pending: list[Any]) -> int:
        request, _key = _pick(pending, args.request_id)
        responder.decline(request, EvidenceDeclineReason(args.reason))
        print(f"Evidence {request.request_id} declined; {request.requested_by} sees why.")
        return EXIT_OK

    return _with_requests(args, act)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``evidence list | show | approve | decline`` to the ``vmadesk`` command."""
    # Here, not at the top: the console's start imports this package, never the wire schema.
    from vmadesk.wire import EvidenceDeclineReason

    group = sub.add_parser("evidence", help="answer a supervisor's spot-check evidence request")
    actions = group.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    p = actions.add_parser("list", help="requests waiting for you")
    profile_arg(p)
    p.add_argument("--json", action="store_true", help="a JSON list of requests with their id")
    p.set_defaults(func=cmd_list)
    for name, func, text in (
        ("show", cmd_show, "print what approving would send"),
        ("approve", cmd_approve, "send the item's details, sealed to the supervisor"),
        ("decline", cmd_decline, "send nothing; the supervisor sees the reason"),
    ):
        p = actions.add_parser(name, help=text)
        profile_arg(p)
        p.add_argument("request_id", metavar="REQUEST_ID", help="the id `evidence list` shows")
        if name == "show":
            p.add_argument(
                "--show-patient",
                action="store_true",
                help="print the patient's details too (audited as a view of the item)",
            )
        if name == "decline":
            p.add_argument(
                "--reason", required=True, choices=[r.value for r in EvidenceDeclineReason]
            )
        p.set_defaults(func=func)
