"""Import a prior-authorization or referral worklist (CSV or FHIR R4) as lane items.

:func:`vmadesk.services.importer.import_file` asks :func:`import_lane_file` first: a file
:func:`~vmadesk.ingest.lane_detect.detect_lane_kind` recognises is read with its lane's
reader, in full, before anything is written; items are created by source id once each, in one
transaction (all or nothing), and the report holds counts per lane only.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from vmadesk.domain.vocabulary import Lane
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.detect import decode_text
from vmadesk.ingest.files import display_name, read_regular, too_large
from vmadesk.ingest.lane_detect import detect_lane_kind, read_lane_file
from vmadesk.services.import_report import ImportReport
from vmadesk.services.lane_items import insert_lane_items
from vmadesk.services.practice_setup import PracticeContext, load_context
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction

log = logging.getLogger(__name__)


def import_lane_file(
    conn: Connection,
    path: Path,
    practice: PracticeContext | None,
    *,
    owner: str,
    now: datetime,
    max_bytes: int,
    dry_run: bool = False,
    on_change: ChangeHook | None = None,
    new_practice: Callable[[Connection], int] | None = None,
) -> ImportReport | None:
    """Import ``path`` when it is a PA or referral worklist; None when it is neither.

    Args:
        conn: The profile's connection.
        path: The worklist.
        practice: The practice (None: ``new_practice`` creates one in the same transaction).
        owner: The VMA who owns new items.
        now: The import's clock.
        max_bytes: Largest file accepted.
        dry_run: Count only; write nothing.
        on_change: Item hook, called in the transaction for each new item.
        new_practice: Creates the practice when there is none.

    Raises:
        IngestError: The file is refused (nothing was written).
    """
    path = Path(path)
    name = display_name(path)
    data, _ = read_regular(path, max_bytes + 1, name=name, max_bytes=max_bytes)
    if len(data) > max_bytes:
        raise too_large(name, max_bytes)
    text = decode_text(data, ReadContext(file_name=name))
    if detect_lane_kind(text) is None:
        return None
    try:
        with transaction(conn):
            created, records, warnings = _write(
                conn, text, name, practice, owner, now, on_change, new_practice, dry_run
            )
    except _DryRun as done:
        created, records, warnings = done.result
    by_lane = {
        lane.value: {"created": created[lane.value], "updated": 0, "reopened": 0, "closed": 0}
        for lane in Lane
    }
    total = sum(created.values())
    log.info("lane import %s: %d created", "planned" if dry_run else "applied", total)
    return ImportReport(
        created=total,
        skipped=len(records) - total,
        dry_run=dry_run,
        by_lane=by_lane,
        warnings=warnings,
        skipped_reasons={"unchanged": len(records) - total} if len(records) > total else {},
    )


class _DryRun(Exception):
    """Rolls a dry run's transaction back, carrying its counts."""

    def __init__(self, result: tuple) -> None:
        super().__init__("dry run")
        self.result = result


def _write(
    conn: Connection,
    text: str,
    name: str,
    practice: PracticeContext | None,
    owner: str,
    now: datetime,
    on_change: ChangeHook | None,
    new_practice: Callable[[Connection], int] | None,
    dry_run: bool,
) -> tuple[Counter[str], list, list[str]]:
    if practice is None:
        if new_practice is None:
            raise ValueError("no practice to import into")
        practice = load_context(conn, new_practice(conn))
    ctx = ReadContext(file_name=name, region=practice.region, practice_tz=practice.hours.zone)
    batch = read_lane_file(text, ctx)
    records = [*batch.prior_auths, *batch.referrals]
    created = insert_lane_items(conn, practice, records, owner=owner, now=now, on_change=on_change)
    result = (created, records, [str(w) for w in batch.warnings])
    if dry_run:
        raise _DryRun(result)
    return result
