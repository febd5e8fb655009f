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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vmadesk.domain.instants import load_zone
from vmadesk.domain.vocabulary import Lane
from vmadesk.ingest import DEFAULT_MAX_BYTES, IngestError
from vmadesk.ingest.context import ReadContext
from vmadesk.ingest.detect import decode_text
from vmadesk.ingest.files import display_name, read_regular, too_large
from vmadesk.ingest.lane_detect import detect_lane_kind, read_lane_file
from vmadesk.ingest.lane_records import PriorAuthRecord, ReferralRecord
from vmadesk.services.import_practice import (
    DEFAULT_PRACTICE_TZ,
    add_default_practice,
    find_practice,
)
from vmadesk.services.import_report import ImportReport
from vmadesk.services.lane_items import insert_lane_items
from vmadesk.services.practice_setup import PracticeContext, load_context
from vmadesk.store import items
from vmadesk.store.change_hook import ChangeHook
from vmadesk.store.connection import Connection, transaction
from vmadesk.store.items import display_name as patient_display

log = logging.getLogger(__name__)


#: Preview rows a lane file shows (the first ones; the counts say how many there are).
PREVIEW_ROWS = 200


@dataclass
class LanePlan:
    """A prior-authorization or referral file read for its preview; nothing written yet.

    The import reads the file again when the VMA confirms (all or nothing, idempotent by
    source id), so a preview left open holds no transaction and no process.

    Attributes:
        path: The worklist.
        practice_id: The practice it goes to (None: the only one, or a new default one).
        report: The counts the import would make (a dry run's report).
        changes: Preview rows (PHI: memory and screen only): change, lane, patient, subject,
            place in the file.
        warnings: What the reader noticed (places, never values).
    """

    path: Path
    practice_id: int | None
    report: ImportReport
    changes: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        """Whether importing would create anything."""
        return self.report.created > 0

    def release(self) -> None:
        """Nothing to let go (an appointment plan holds an import process)."""


def _subject(record: PriorAuthRecord | ReferralRecord) -> str:
    """A few words saying what the item is about (PHI: screen only)."""
    if isinstance(record, PriorAuthRecord):
        codes = ", ".join(line.code for line in record.fields.services[:3])
        return f"{record.state.label}: {codes}" if codes else record.state.label
    fields = record.fields
    to = (
        fields.referred_to_practitioner
        or fields.referred_to_organization
        or fields.referred_by
        or fields.specialty
        or ""
    )
    return f"{record.state.label}: {to}" if to else record.state.label


def plan_lane_file(
    conn: Connection,
    path: Path,
    practice: PracticeContext | None,
    *,
    practice_id: int | None,
    owner: str,
    now: datetime,
    max_bytes: int,
    new_practice: Callable[[Connection], int],
) -> LanePlan | None:
    """Read ``path`` for the import preview when it is a PA or referral worklist (else None).

    Raises:
        IngestError: The file is refused (the message names the file, row and field).
    """
    report = import_lane_file(
        conn, path, practice, owner=owner, now=now, max_bytes=max_bytes, dry_run=True,
        new_practice=new_practice,
    )  # fmt: skip
    if report is None:
        return None
    name = display_name(Path(path))
    data, _ = read_regular(Path(path), max_bytes + 1, name=name, max_bytes=max_bytes)
    ctx = ReadContext(
        file_name=name,
        region=practice.region if practice else "US",
        # No practice yet: the import creates the default one, in its zone.
        practice_tz=practice.hours.zone if practice else load_zone(DEFAULT_PRACTICE_TZ),
    )
    batch = read_lane_file(decode_text(data, ReadContext(file_name=name)), ctx)
    rows = []
    for record in [*batch.prior_auths, *batch.referrals]:
        lane = Lane.PRIOR_AUTH if isinstance(record, PriorAuthRecord) else Lane.REFERRAL
        if practice is not None and items.find_by_source(
            conn, record.source_system, record.source_id, lane
        ):
            continue
        patient = patient_display(record.patient.family, record.patient.given)
        rows.append(("New", lane.label, patient, _subject(record), record.location_in_file))
        if len(rows) >= PREVIEW_ROWS:
            break
    return LanePlan(Path(path), practice_id, report, rows, list(report.warnings))


def plan_lane_import(
    conn: Connection,
    path: Path,
    *,
    practice_id: int | None,
    vma: str,
    now: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LanePlan | None:
    """The import preview of a PA or referral worklist; None for any other file.

    Confirming it is :func:`vmadesk.services.importer.import_file` on the same path.

    Raises:
        IngestError: The file is refused; nothing was written.
        ActionRefused: No such practice, or several and none chosen.
    """
    practice = load_context(conn, practice_id) if practice_id is not None else find_practice(conn)
    return plan_lane_file(
        conn, path, practice, practice_id=practice_id, owner=vma, now=now,
        max_bytes=max_bytes, new_practice=add_default_practice,
    )  # fmt: skip


def is_lane_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    """Whether ``path`` reads as a PA or referral worklist (its columns need no mapping)."""
    try:
        name = display_name(Path(path))
        data, _ = read_regular(Path(path), max_bytes + 1, name=name, max_bytes=max_bytes)
        return detect_lane_kind(decode_text(data, ReadContext(file_name=name))) is not None
    except IngestError:
        return False


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
