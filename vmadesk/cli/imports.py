"""``vmadesk import FILE``: the practice's export into owned lanes, from a terminal.

Exit codes: 0 imported (or planned, with ``--dry-run``), 2 the file or the options were
refused (one line on stderr naming the file, place and field; nothing written), 1 other
failures. Output holds counts, item ids and error locations only: never PHI.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from vmadesk import app_logging
from vmadesk.cli.common import EXIT_FAIL, EXIT_INPUT, EXIT_OK, open_profile, profile_arg
from vmadesk.services.import_wording import ITEMS_NOTE, MISSING_TEXT, counts_text, reasons_text

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``import`` command to the ``vmadesk`` parser."""
    p = sub.add_parser(
        "import",
        help="import a practice export (FHIR R4 JSON or CSV) into owned lanes",
        description="Import appointments or callback requests. A refused file imports "
        "nothing and exits 2.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the export (FHIR R4 JSON or CSV)")
    profile_arg(p)
    p.add_argument(
        "--format",
        dest="fmt",
        choices=("auto", "fhir", "csv"),
        default="auto",
        help="file format (default: auto-detect)",
    )
    p.add_argument(
        "--mapping",
        type=Path,
        default=None,
        metavar="FILE",
        help="CSV column mapping (JSON of column names; remembered for this source)",
    )
    p.add_argument(
        "--practice", default=None, metavar="CODE", help="practice code (default: the only one)"
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_import)


def _print_report(report: dict[str, Any], *, as_json: bool, dry_run: bool) -> None:
    if as_json:
        print(json.dumps(report, sort_keys=False))
        return
    verb = "Would import" if dry_run else "Imported"
    print(f"{verb}: {counts_text(report)} ({ITEMS_NOTE[0].lower()}{ITEMS_NOTE[1:-1]})")
    if reasons := report.get("closed_reasons"):
        print(f"Closed: {reasons_text(reasons)}")
    if reasons := report.get("skipped_reasons"):
        print(f"Skipped: {reasons_text(reasons)}")
    if report["missing"]:
        ids = ", ".join(str(i) for i in report["missing_item_ids"][:50])
        more = " ..." if report["missing"] > 50 else ""
        print(f"{MISSING_TEXT}: item ids {ids}{more}")
    for warning in report.get("warnings", ()):
        print(f"warning: {warning}", file=sys.stderr)


def _refused(message: str, report: dict[str, Any], as_json: bool, log_text: str) -> int:
    print(f"vmadesk: {message}", file=sys.stderr)
    # A compliance review can see that a file was refused, and why; never the file's name.
    log.warning("import refused: %s", log_text)
    if as_json:
        print(json.dumps(report))
    return EXIT_INPUT


def cmd_import(args: argparse.Namespace) -> int:
    """Run ``vmadesk import``."""
    # Imported here: the readers are heavy and the console's start imports this package.
    from vmadesk.ingest import IngestCancelled, IngestError, load_mapping
    from vmadesk.services import importer
    from vmadesk.services.console import Console
    from vmadesk.services.errors import ActionRefused
    from vmadesk.store.errors import StoreError

    empty = importer.ImportReport(dry_run=args.dry_run).to_dict()
    try:
        mapping = load_mapping(args.mapping) if args.mapping is not None else None
    except IngestError as exc:
        return _refused(
            str(exc), {**empty, "errors": [importer.error_dict(exc)]}, args.json, exc.log_text()
        )
    try:
        profile = open_profile(args)
    except Exception as exc:
        if args.json:
            # A script reading stdout still gets its one object (the message is on stderr).
            error = {"file": None, "location": None, "field": "--profile", "reason": str(exc)}
            print(json.dumps({**empty, "errors": [error]}))
        raise
    try:
        # None when the profile has no practice yet: the import creates it with the items.
        practice = importer.find_practice(profile.conn, args.practice)
        report = importer.import_file(
            profile,
            args.file,
            practice_id=practice.id if practice is not None else None,
            fmt=args.fmt,
            mapping=mapping,
            dry_run=args.dry_run,
            # Enrolled at a hub: claims and item events are queued with the items.
            on_change=Console(profile).change_hook,
        )
    except IngestError as exc:
        return _refused(
            str(exc), {**empty, "errors": [importer.error_dict(exc)]}, args.json, exc.log_text()
        )
    except ActionRefused as exc:
        error = {"file": None, "location": None, "field": "--practice", "reason": str(exc)}
        return _refused(str(exc), {**empty, "errors": [error]}, args.json, "no such practice")
    except (IngestCancelled, importer.ImportCancelled, KeyboardInterrupt):
        print("vmadesk: import interrupted; nothing was written.", file=sys.stderr)
        return EXIT_FAIL
    except StoreError:
        raise  # the CLI's own one-line message and exit code
    except Exception as exc:
        # A defect, not the user's doing: one line and a PHI-free report, never a traceback
        # (its message may quote the file).
        report_path = app_logging.write_crash_report(type(exc), exc.__traceback__)
        log.error("import stopped on an internal error (%s)", type(exc).__name__)
        print(
            "vmadesk: the import stopped on an internal error; nothing was written "
            f"(report for the developers, without patient data: {report_path})",
            file=sys.stderr,
        )
        return EXIT_FAIL
    finally:
        profile.close()
    _print_report(report.to_dict(), as_json=args.json, dry_run=args.dry_run)
    return EXIT_OK
